frappe.ui.form.on("Shopee Waiting Order", {
	refresh(frm) {
		if (frm.is_new()) return;
		frm.set_intro(frm.doc.reason, frm.doc.step === "Review Amounts" ? "orange" : "red");
		if (frm.doc.step === "Review Amounts") return;
		frm.add_custom_button(__("Retry"), () => {
			frappe.call({
				method: "shopee_bridge.api.retry_waiting_orders",
				args: { names: [frm.doc.name] },
			}).then(() => {
				frappe.show_alert({ message: __("Retry queued"), indicator: "blue" });
			});
		});
		if (frm.doc.reason_code === "Unmapped Item") {
			frm.add_custom_button(__("Map Listings"), () => {
				frappe.set_route("List", "Shopee Item Map", { shop: frm.doc.shop, item_code: ["is", "not set"] });
			});
		}
	},
});
