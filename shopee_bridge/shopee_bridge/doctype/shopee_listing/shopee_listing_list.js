frappe.listview_settings["Shopee Listing"] = {
	add_fields: ["status", "item_status"],
	get_indicator(doc) {
		if (["BANNED", "SHOPEE_DELETE"].includes(doc.item_status)) return [__(doc.item_status), "red", "item_status,=," + doc.item_status];
		if (doc.item_status === "REVIEWING") return [__("Reviewing"), "orange", "item_status,=,REVIEWING"];
		const colors = { Draft: "gray", Queued: "blue", Published: "green", Failed: "red", Unlisted: "gray" };
		return [__(doc.status), colors[doc.status] || "gray", "status,=," + doc.status];
	},
};
