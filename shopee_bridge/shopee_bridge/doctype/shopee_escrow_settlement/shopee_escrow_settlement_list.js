frappe.listview_settings["Shopee Escrow Settlement"] = {
	add_fields: ["status", "remainder"],
	get_indicator(doc) {
		if (doc.remainder) {
			return [__("Remainder"), "red", "remainder,!=,0"];
		}
		const colors = { Released: "green", Booked: "blue", Waiting: "orange", Failed: "red" };
		return [__(doc.status), colors[doc.status] || "gray", "status,=," + doc.status];
	},
};
