frappe.ui.form.on("Sales Order", {
	refresh(frm) {
		if (frm.is_new() || !frm.doc.shopee_order_sn) return;
		if (frm.doc.shopee_waiting_reason) {
			frm.dashboard.add_comment(
				__("Shopee: waiting for {0}", [frappe.utils.escape_html(frm.doc.shopee_waiting_reason)]),
				"red",
				true
			);
		}
		if (flt(frm.doc.shopee_amount_residual)) {
			frm.dashboard.add_comment(
				__("Shopee's figures differ from the sale by {0}: booked on the Shopee Difference Account", [
					format_currency(frm.doc.shopee_amount_residual, frm.doc.currency),
				]),
				"orange",
				true
			);
		}
		if (!shopee_bridge.is_manager()) return;  // shopee_shipment.js, loaded with this form
		frm.add_custom_button(
			__("Re-sync from Shopee"),
			() => {
				frappe.call({
					method: "shopee_bridge.api.sync_order",
					args: { sales_order: frm.doc.name },
					freeze: true,
					freeze_message: __("Fetching the order from Shopee…"),
				}).then((r) => {
					frappe.show_alert({ message: r.message, indicator: "green" });
					frm.reload_doc();
				});
			},
			__("Shopee")
		);
	},
});
