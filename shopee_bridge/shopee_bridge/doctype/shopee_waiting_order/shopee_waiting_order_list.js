frappe.listview_settings["Shopee Waiting Order"] = {
	add_fields: ["reason_code", "step"],
	get_indicator(doc) {
		if (doc.step === "Review Amounts") {
			return [__("Review Amounts"), "orange", "step,=,Review Amounts"];
		}
		return [__(doc.reason_code), "red", "reason_code,=," + doc.reason_code];
	},
	onload(listview) {
		listview.page.add_action_item(__("Retry"), () => {
			const names = listview.get_checked_items(true);
			if (!names.length) return;
			frappe.call({
				method: "shopee_bridge.api.retry_waiting_orders",
				args: { names },
			}).then((r) => {
				frappe.show_alert({
					message: __("{0} orders queued for retry", [(r.message || []).length]),
					indicator: "blue",
				});
				listview.refresh();
			});
		});
	},
};
