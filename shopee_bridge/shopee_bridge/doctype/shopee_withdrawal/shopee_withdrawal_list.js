frappe.listview_settings["Shopee Withdrawal"] = {
	add_fields: ["status", "reconciliation", "waiting_for", "reconciliation_message"],
	get_indicator(doc) {
		const why = (text) => frappe.utils.escape_html(frappe.ellipsis(text, 60));
		if (doc.waiting_for) {
			return [`${__("Not Booked")}: ${why(doc.waiting_for)}`, "red", "waiting_for,is,set"];
		}
		if (doc.status === "Completed") {
			if (doc.reconciliation === "Matched") return [__("Matched"), "green", "reconciliation,=,Matched"];
			const label = doc.reconciliation_message
				? `${__("Unmatched")}: ${why(doc.reconciliation_message)}`
				: __("Unmatched");
			return [label, "red", "reconciliation,!=,Matched"];
		}
		return doc.status === "Cancelled"
			? [__("Cancelled"), "gray", "status,=,Cancelled"]
			: [__("In Transit"), "orange", "status,=,Created"];
	},
};
