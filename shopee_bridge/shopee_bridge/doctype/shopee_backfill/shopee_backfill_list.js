frappe.listview_settings["Shopee Backfill"] = {
	add_fields: ["status", "windows_done", "windows_total"],
	get_indicator(doc) {
		const colours = { Queued: "blue", Running: "yellow", Done: "green", Failed: "red", Cancelled: "gray" };
		return [__(doc.status), colours[doc.status] || "gray", "status,=," + doc.status];
	},
};
