// Item list: Actions → Publish to Shopee for the ticked Items (the form's dialog, shared choices).
frappe.listview_settings["Item"] = frappe.listview_settings["Item"] || {};
{
	const settings = frappe.listview_settings["Item"];
	const previous = settings.onload;
	settings.onload = function (listview) {
		if (previous) previous.call(this, listview);
		if (!frappe.user.has_role(["Shopee Manager", "System Manager"])) return;
		listview.page.add_action_item(__("Publish to Shopee"), () => {
			const names = listview.get_checked_items(true);
			if (!names.length) return;
			const open = () => shopee_bridge.publish_dialog(names);
			if (window.shopee_bridge && shopee_bridge.publish_dialog) open();
			else frappe.require("/assets/shopee_bridge/js/item_listing.js", open);
		});
	};
}
