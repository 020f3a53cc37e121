frappe.listview_settings["Shopee Return"] = {
	add_fields: ["document_status", "status"],
	get_indicator(doc) {
		const colours = { Open: "blue", Waiting: "red", Done: "green", "Nothing to Book": "gray" };
		return [__(doc.document_status), colours[doc.document_status] || "gray", "document_status,=," + doc.document_status];
	},
};
