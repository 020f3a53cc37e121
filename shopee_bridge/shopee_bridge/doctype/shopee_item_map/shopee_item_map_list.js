frappe.listview_settings["Shopee Item Map"] = {
	add_fields: ["item_code", "shared_sku"],
	get_indicator(doc) {
		if (!doc.item_code) return [__("Unmapped"), "red", "item_code,is,not set"];
		if (doc.shared_sku) return [__("Shared SKU"), "orange", "shared_sku,=,1"];
		return [__("Mapped"), "green", "item_code,is,set"];
	},
};
