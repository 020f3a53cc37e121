frappe.listview_settings["Shopee Shop"] = {
	get_indicator(doc) {
		const colours = {
			Connected: "green",
			"Refresh Failed": "orange",
			"Reauthorization Required": "red",
			Disconnected: "gray",
		};
		return [__(doc.status), colours[doc.status] || "gray", "status,=," + doc.status];
	},
};
