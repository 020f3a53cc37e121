frappe.listview_settings["Shopee Sync Log"] = {
	get_indicator(doc) {
		const colours = { Running: "blue", Success: "green", Partial: "orange", Failed: "red" };
		return [__(doc.status), colours[doc.status] || "gray", "status,=," + doc.status];
	},
};
