frappe.listview_settings["Shopee Wallet Transaction"] = {
	add_fields: ["booking_status", "booking_message"],
	get_indicator(doc) {
		const colors = { Booked: "green", Pending: "blue", Waiting: "orange", Unhandled: "red" };
		const filter = "booking_status,=," + doc.booking_status;
		if (doc.booking_status !== "Booked" && doc.booking_message) {
			// what the row waits for, in the list and on the form
			const reason = frappe.utils.escape_html(frappe.ellipsis(doc.booking_message, 60));
			return [`${__(doc.booking_status)}: ${reason}`, colors[doc.booking_status] || "gray", filter];
		}
		return [__(doc.booking_status), colors[doc.booking_status] || "gray", filter];
	},
};
