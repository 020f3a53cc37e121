frappe.listview_settings["Shopee Webhook Inbox"] = {
	add_fields: ["status", "attempts"],
	get_indicator(doc) {
		const colours = {
			Queued: "blue",
			Processing: "yellow",
			Done: "green",
			Failed: "orange",
			Dead: "red",
			Ignored: "gray",
		};
		return [__(doc.status), colours[doc.status] || "gray", "status,=," + doc.status];
	},
	onload(listview) {
		listview.page.add_action_item(__("Retry now"), () => {
			const names = listview.get_checked_items(true);
			if (!names.length) return;
			frappe.call({
				method: "shopee_bridge.api.retry_webhooks",
				args: { names },
			}).then(() => listview.refresh());
		});
	},
};
