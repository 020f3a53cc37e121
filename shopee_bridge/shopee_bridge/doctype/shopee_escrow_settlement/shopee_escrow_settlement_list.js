frappe.listview_settings["Shopee Escrow Settlement"] = {
	add_fields: ["status", "remainder", "message"],
	get_indicator(doc) {
		if (doc.remainder) {
			return [__("Remainder"), "red", "remainder,!=,0"];
		}
		const colors = { Released: "green", Booked: "blue", Waiting: "orange", Failed: "red" };
		const filter = "status,=," + doc.status;
		if (doc.status !== "Released" && doc.message) {
			// what the settlement waits for
			const reason = frappe.utils.escape_html(frappe.ellipsis(doc.message, 60));
			return [`${__(doc.status)}: ${reason}`, colors[doc.status] || "gray", filter];
		}
		return [__(doc.status), colors[doc.status] || "gray", filter];
	},
};
