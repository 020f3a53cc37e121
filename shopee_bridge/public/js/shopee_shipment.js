// Shopee shipments on the Sales Order and the Delivery Note: Ship on Shopee, Get Shipping Label, Print Label.
frappe.provide("shopee_bridge");

// Shopee actions are for Shopee Managers (the server checks the same roles).
shopee_bridge.is_manager = () => frappe.user.has_role(["Shopee Manager", "System Manager"]);

shopee_bridge.MODE_LABELS = { pickup: __("Pickup"), dropoff: __("Drop-off"), non_integrated: __("Non-integrated") };

shopee_bridge.ship_dialog = (frm) => {
	frappe.call({
		method: "shopee_bridge.api.shipping_options",
		args: { doctype: frm.doctype, name: frm.doc.name },
		freeze: true,
		freeze_message: __("Asking Shopee how this order can ship…"),
	}).then((r) => shopee_bridge.open_ship_dialog(frm, r.message));
};

shopee_bridge.open_ship_dialog = (frm, options) => {
	const needs = options.needs || {};
	const needs_field = (mode, field) => (needs[mode] || []).includes(field);
	const addresses = options.addresses || [];
	const slots_of = (address_id) => {
		const address = addresses.find((a) => a.address_id === address_id) || addresses[0];
		return (address ? address.slots : []).map((s) => ({
			value: s.pickup_time_id,
			label: s.label + (s.recommended ? " (" + __("recommended") + ")" : ""),
		}));
	};
	const first_address = (addresses.find((a) => a.pickup_address) || addresses[0] || {}).address_id;
	const dialog = new frappe.ui.Dialog({
		title: __("Ship Shopee order {0}", [options.order_sn]),
		fields: [
			{
				fieldname: "mode",
				fieldtype: "Select",
				label: __("Shipping Mode"),
				reqd: 1,
				options: options.modes.map((m) => ({ value: m, label: shopee_bridge.MODE_LABELS[m] || m })),
				default: options.modes[0],
			},
			{
				fieldname: "address_id",
				fieldtype: "Select",
				label: __("Pickup Address"),
				depends_on: "eval:doc.mode=='pickup'",
				options: addresses.map((a) => ({ value: a.address_id, label: a.label })),
				default: first_address,
				onchange() {
					dialog.set_df_property("pickup_time_id", "options", slots_of(dialog.get_value("address_id")));
				},
			},
			{
				fieldname: "pickup_time_id",
				fieldtype: "Select",
				label: __("Pickup Time Slot"),
				depends_on: "eval:doc.mode=='pickup'",
				options: slots_of(first_address),
			},
			{
				fieldname: "branch_id",
				fieldtype: "Select",
				label: __("Drop-off Branch"),
				depends_on: "eval:doc.mode=='dropoff'",
				options: (options.branches || []).map((b) => ({ value: b.branch_id, label: b.label })),
			},
			{
				fieldname: "sender_real_name",
				fieldtype: "Data",
				label: __("Sender's Name"),
				depends_on: "eval:doc.mode=='dropoff'",
				default: needs_field("dropoff", "sender_real_name") ? options.sender_name : "",
			},
			{
				fieldname: "tracking_number",
				fieldtype: "Data",
				label: __("Tracking Number"),
				description: __("Only for a non-integrated carrier, or when Shopee asks for it."),
				depends_on: "eval:doc.mode=='non_integrated'",
			},
		],
		primary_action_label: __("Ship"),
		primary_action(values) {
			dialog.hide();
			frappe.call({
				method: "shopee_bridge.api.ship_order",
				args: { doctype: frm.doctype, name: frm.doc.name, mode: values.mode, choice: values },
				freeze: true,
				freeze_message: __("Arranging the shipment on Shopee…"),
			}).then((r) => {
				const result = r.message || {};
				frappe.show_alert({
					message: result.message,
					indicator: result.state === "Arranged" ? "green" : "orange",
				});
				frm.reload_doc();
			});
		},
	});
	dialog.show();
};

shopee_bridge.fetch_label = (frm) => {
	frappe.call({
		method: "shopee_bridge.api.fetch_shipping_label",
		args: { doctype: frm.doctype, name: frm.doc.name },
		freeze: true,
		freeze_message: __("Getting the shipping label from Shopee…"),
	}).then((r) => {
		const label = r.message || {};
		frappe.show_alert({
			message: label.created
				? __("Shipping label version {0} attached", [label.version])
				: __("The shipping label is already attached (version {0})", [label.version]),
			indicator: "green",
		});
		frm.reload_doc();
	});
};

shopee_bridge.print_labels = (doctype, names) => {
	frappe.call({
		method: "shopee_bridge.api.prepare_shipping_labels",
		args: { doctype, names },
		freeze: true,
		freeze_message: __("Getting the shipping labels from Shopee…"),
	}).then((r) => {
		const result = r.message || { ready: [], failed: {} };
		const failed = Object.entries(result.failed || {});
		if (failed.length) {
			frappe.msgprint({
				title: __("Labels not available"),
				indicator: "orange",
				message: failed.map(([name, reason]) => `${frappe.utils.escape_html(name)}: ${frappe.utils.escape_html(reason)}`).join("<br>"),
			});
		}
		if (result.ready.length) {
			const url = "/api/method/shopee_bridge.api.print_shipping_labels?delivery_notes=" +
				encodeURIComponent(JSON.stringify(result.ready));
			window.open(url);
		}
	});
};

shopee_bridge.add_shipment_buttons = (frm) => {
	if (frm.is_new() || frm.doc.docstatus === 2 || frm.doc.is_return) return;
	const shipped = ["Arranged", "Unconfirmed"].includes(frm.doc.shopee_shipment_state);
	const from_shopee = frm.doc.shopee_order_sn || (frm.doc.items || []).some((row) => row.against_sales_order);
	if (!from_shopee || !shopee_bridge.is_manager()) return;
	if (!shipped && (frm.doctype === "Delivery Note" || frm.doc.docstatus === 1)) {
		frm.add_custom_button(__("Ship on Shopee"), () => shopee_bridge.ship_dialog(frm), __("Shopee"));
	}
	if (frm.doc.shopee_shipment_state === "Unconfirmed") {
		frm.dashboard.add_comment(__("Shopee's answer to the shipment was lost: it is being checked."), "orange", true);
		frm.add_custom_button(__("Check Shipment"), () => shopee_bridge.ship_dialog(frm), __("Shopee"));
	}
	if (shipped) {
		frm.add_custom_button(__("Get Shipping Label"), () => shopee_bridge.fetch_label(frm), __("Shopee"));
		frm.add_custom_button(__("Print Shipping Label"), () => shopee_bridge.print_labels(frm.doctype, [frm.doc.name]), __("Shopee"));
	}
};

frappe.ui.form.on("Sales Order", {
	refresh(frm) {
		if (frm.doc.shopee_order_sn) shopee_bridge.add_shipment_buttons(frm);
	},
});

frappe.ui.form.on("Delivery Note", {
	refresh(frm) {
		shopee_bridge.add_shipment_buttons(frm);
	},
});
