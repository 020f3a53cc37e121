frappe.ui.form.on("Shopee Settings", {
	refresh(frm) {
		frm.add_custom_button(__("Connect to Shopee"), () => {
			frappe.call("shopee_bridge.api.connect_to_shopee").then((r) => {
				if (r.message && r.message.url) window.open(r.message.url, "_self");
			});
		});
		frm.add_custom_button(__("Shops"), () => frappe.set_route("List", "Shopee Shop"));
	},
});
