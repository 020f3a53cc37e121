frappe.listview_settings["Shopee Item Map"] = {
	add_fields: ["item_code", "shared_sku", "push_state", "last_error", "item_status"],
	get_indicator(doc) {
		if (!doc.item_code) return [__("Unmapped"), "red", "item_code,is,not set"];
		// Shopee's moderation first: a banned or deleted listing sells nothing whatever ERPNext pushes
		if (["BANNED", "SHOPEE_DELETE"].includes(doc.item_status)) {
			return [__(doc.item_status === "BANNED" ? "Banned on Shopee" : "Deleted by Shopee"), "red", "item_status,=," + doc.item_status];
		}
		if (doc.item_status === "REVIEWING") return [__("Shopee Reviewing"), "orange", "item_status,=,REVIEWING"];
		if (doc.push_state === "Failed") return [__("Push Failed"), "red", "push_state,=,Failed"];
		if (doc.shared_sku) return [__("Shared SKU"), "orange", "shared_sku,=,1"];
		if (doc.push_state === "Pending") return [__("Push Pending"), "orange", "push_state,=,Pending"];
		if (doc.push_state === "Not Pushed") return [__("Not Pushed"), "gray", "push_state,=,Not Pushed"];
		if (doc.push_state === "Synced") return [__("Stock Synced"), "green", "push_state,=,Synced"];
		return [__("Mapped"), "green", "item_code,is,set"];
	},
	onload(listview) {
		listview.page.add_actions_menu_item(__("Push to Shopee Now"), () => {
			const names = listview.get_checked_items(true);
			if (!names.length) return;
			frappe.call({
				method: "shopee_bridge.api.push_stock_now",
				args: { names },
			}).then(() => {
				frappe.show_alert({ message: __("Stock push queued; see Shopee Sync Log"), indicator: "blue" });
				listview.refresh();
			});
		});
	},
};
