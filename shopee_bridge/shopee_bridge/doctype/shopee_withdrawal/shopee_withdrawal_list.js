frappe.listview_settings["Shopee Withdrawal"] = {
	add_fields: ["status", "reconciliation"],
	get_indicator(doc) {
		if (doc.status === "Completed") {
			return doc.reconciliation === "Matched"
				? [__("Matched"), "green", "reconciliation,=,Matched"]
				: [__("Unmatched"), "red", "reconciliation,!=,Matched"];
		}
		return doc.status === "Cancelled"
			? [__("Cancelled"), "gray", "status,=,Cancelled"]
			: [__("In Transit"), "orange", "status,=,Created"];
	},
};
