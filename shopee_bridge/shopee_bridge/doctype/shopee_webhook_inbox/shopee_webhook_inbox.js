frappe.ui.form.on("Shopee Webhook Inbox", {
	refresh(frm) {
		if (["Failed", "Dead", "Ignored"].includes(frm.doc.status)) {
			frm.add_custom_button(__("Retry now"), () => {
				frappe.call({
					method: "shopee_bridge.api.retry_webhooks",
					args: { names: [frm.doc.name] },
				}).then(() => frm.reload_doc());
			});
		}
	},
});
