frappe.listview_settings["Shopee Return"] = {
	add_fields: ["document_status", "status", "waiting_reason"],
	get_indicator(doc) {
		const colours = { Open: "blue", Waiting: "red", Done: "green", "Nothing to Book": "gray" };
		const filter = "document_status,=," + doc.document_status;
		if (["Open", "Waiting"].includes(doc.document_status) && doc.waiting_reason) {
			// what the return waits for
			const reason = frappe.utils.escape_html(frappe.ellipsis(doc.waiting_reason, 60));
			return [`${__(doc.document_status)}: ${reason}`, colours[doc.document_status] || "gray", filter];
		}
		return [__(doc.document_status), colours[doc.document_status] || "gray", filter];
	},
};
