frappe.listview_settings["Shopee Wallet Transaction"] = {
	add_fields: ["booking_status"],
	get_indicator(doc) {
		const colors = { Booked: "green", Pending: "blue", Waiting: "orange", Unhandled: "red" };
		return [__(doc.booking_status), colors[doc.booking_status] || "gray", "booking_status,=," + doc.booking_status];
	},
};
