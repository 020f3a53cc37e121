// List actions on Sales Orders and Delivery Notes: ship a selection on Shopee, print their labels as one PDF.
frappe.provide("shopee_bridge");

shopee_bridge.add_shipment_list_actions = (listview) => {
	const doctype = listview.doctype;
	if (!frappe.user.has_role(["Shopee Manager", "System Manager"])) return;  // as shopee_bridge.is_manager
	if (doctype === "Sales Order") {
		listview.page.add_action_item(__("Ship on Shopee"), () => {
			const names = listview.get_checked_items(true);
			if (!names.length) return;
			frappe.prompt(
				{
					fieldname: "mode",
					fieldtype: "Select",
					label: __("Shipping Mode"),
					options: [
						{ value: "pickup", label: __("Pickup (pickup address, recommended time slot)") },
						{ value: "dropoff", label: __("Drop-off (first branch Shopee offers)") },
					],
					default: "pickup",
					reqd: 1,
				},
				(values) => {
					frappe.call({
						method: "shopee_bridge.api.ship_orders",
						args: { names, mode: values.mode },
					}).then(() => {
						frappe.show_alert({
							message: __("{0} orders queued for shipping; see Shopee Sync Log", [names.length]),
							indicator: "blue",
						});
					});
				},
				__("Ship {0} orders on Shopee", [names.length]),
				__("Ship")
			);
		});
	}
	listview.page.add_action_item(__("Print Shopee Labels"), () => {
		const names = listview.get_checked_items(true);
		if (!names.length) return;
		if (!shopee_bridge.print_labels) {
			frappe.require("/assets/shopee_bridge/js/shopee_shipment.js", () => shopee_bridge.print_labels(doctype, names));
		} else {
			shopee_bridge.print_labels(doctype, names);
		}
	});
};

for (const doctype of ["Sales Order", "Delivery Note"]) {
	frappe.listview_settings[doctype] = frappe.listview_settings[doctype] || {};
	const settings = frappe.listview_settings[doctype];
	const previous = settings.onload;
	settings.onload = function (listview) {
		if (previous) previous.call(this, listview);
		shopee_bridge.add_shipment_list_actions(listview);
	};
}
