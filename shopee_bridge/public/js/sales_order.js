frappe.ui.form.on("Sales Order", {
	refresh(frm) {
		if (frm.is_new() || !frm.doc.shopee_order_sn) return;
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
