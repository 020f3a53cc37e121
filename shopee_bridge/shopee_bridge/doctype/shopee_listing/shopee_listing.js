frappe.ui.form.on("Shopee Listing", {
	refresh(frm) {
		if (frm.doc.problems) {
			frm.dashboard.set_headline_alert(
				`<div class="text-danger">${frappe.utils.escape_html(frm.doc.problems).replace(/\n/g, "<br>")}</div>`
			);
		}
		if (frm.is_new() || !frappe.user.has_role(["Shopee Manager", "System Manager"])) return;
		frm.add_custom_button(__("Publish to Shopee"), () => {
			frappe.call({
				method: "shopee_bridge.api.publish_to_shopee",
				args: { items: [frm.doc.item_code], shops: [frm.doc.shop] },
				freeze: true,
				freeze_message: __("Checking against Shopee's rules…"),
			}).then((r) => {
				if (r.message.queued.length) {
					frappe.show_alert({ message: __("Publishing in the background"), indicator: "green" });
				}
				frm.reload_doc();
			});
		});
		frm.add_custom_button(__("Item"), () => frappe.set_route("Form", "Item", frm.doc.item_code));
	},
});
