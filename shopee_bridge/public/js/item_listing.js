// Publish to Shopee: the Item form's button and the dialog the Item list's bulk action shares.
frappe.provide("shopee_bridge");

shopee_bridge.is_manager = shopee_bridge.is_manager || (() => frappe.user.has_role(["Shopee Manager", "System Manager"]));

const MULTI_INPUTS = [4, 5]; // MULTI_DROP_DOWN, MULTI_COMBO_BOX
const FREE_TEXT = 3;

// "Label [123]" → 123; a typed value without an id gives 0.
shopee_bridge.option_id = (text) => {
	const match = /\[(\d+)\]\s*$/.exec(text || "");
	return match ? cint(match[1]) : 0;
};
shopee_bridge.option_label = (text) => (text || "").replace(/\s*\[\d+\]\s*$/, "").trim();

shopee_bridge.publish_dialog = (item_codes, category_id) => {
	frappe.db.get_list("Shopee Shop", { filters: { enabled: 1 }, fields: ["name", "shop_name"] }).then((shops) => {
		if (!shops.length) {
			frappe.msgprint(__("Connect a Shopee shop first."));
			return;
		}
		frappe.call({
			method: "shopee_bridge.api.listing_options",
			args: { item_code: item_codes[0], shop: shops[0].name, category_id: category_id || null },
			freeze: true,
			freeze_message: __("Reading Shopee's categories and rules…"),
		}).then((r) => shopee_bridge.show_publish_dialog(item_codes, shops, r.message));
	});
};

shopee_bridge.show_publish_dialog = (item_codes, shops, options) => {
	const kept = options.kept || {};
	const category_label = (row) =>
		`${options.recommended.includes(row.category_id) ? "★ " : ""}${row.name} [${row.category_id}]`;
	const categories = [
		...options.categories.filter((row) => options.recommended.includes(row.category_id)),
		...options.categories.filter((row) => !options.recommended.includes(row.category_id)),
	].map(category_label);
	const chosen = options.categories.find((row) => row.category_id === options.category_id);
	const kept_values = {};
	(kept.attributes || []).forEach((row) => {
		(kept_values[row.attribute_id] = kept_values[row.attribute_id] || []).push(row);
	});
	const brand = options.brand.shopee
		? options.brand.shopee.original_brand_name
		: __("{0} (not in Shopee's brand list for this category)", [options.brand.item_brand]);

	const fields = [
		{
			fieldname: "shops",
			fieldtype: "MultiCheck",
			label: __("Shops"),
			columns: 2,
			options: shops.map((shop) => ({ label: shop.shop_name || shop.name, value: shop.name, checked: 1 })),
		},
		{
			fieldname: "category",
			fieldtype: "Autocomplete",
			label: __("Shopee Category"),
			reqd: 1,
			options: categories,
			default: chosen ? category_label(chosen) : "",
			description: __("★ marks Shopee's recommendation for the Item's name. Changing it reloads the attributes."),
			onchange() {
				const id = shopee_bridge.option_id(this.get_value());
				if (id && id !== options.category_id) {
					dialog.hide();
					shopee_bridge.publish_dialog(item_codes, id);
				}
			},
		},
		{ fieldname: "brand", fieldtype: "Data", label: __("Brand"), read_only: 1, default: brand },
		{ fieldtype: "Column Break" },
		{
			fieldname: "channels",
			fieldtype: "MultiCheck",
			label: __("Logistics Channels"),
			options: options.channels
				.filter((row) => row.enabled)
				.map((row) => ({
					label: row.name,
					value: String(row.logistic_id),
					checked: !kept.logistic_ids || kept.logistic_ids.split(",").includes(String(row.logistic_id)),
				})),
		},
		{ fieldname: "condition", fieldtype: "Select", label: __("Condition"), options: "NEW\nUSED", default: kept.condition || "NEW" },
		{ fieldname: "is_pre_order", fieldtype: "Check", label: __("Pre-order"), default: kept.is_pre_order || 0 },
		{
			fieldname: "days_to_ship",
			fieldtype: "Int",
			label: __("Days to Ship"),
			depends_on: "is_pre_order",
			default: kept.days_to_ship || 0,
		},
		{ fieldtype: "Section Break", label: __("Shopee Attributes") },
		...options.attributes.flatMap((attribute) => shopee_bridge.attribute_fields(attribute, kept_values[attribute.attribute_id] || [])),
	];

	const dialog = new frappe.ui.Dialog({
		title: item_codes.length > 1 ? __("Publish {0} Items to Shopee", [item_codes.length]) : __("Publish {0} to Shopee", [item_codes[0]]),
		size: "large",
		fields,
		primary_action_label: __("Publish"),
		primary_action(values) {
			shopee_bridge.publish(item_codes, values, options, dialog);
		},
	});
	dialog.show();
	return dialog;
};

shopee_bridge.attribute_fields = (attribute, kept) => {
	const label = attribute.name + (attribute.mandatory ? " *" : "");
	const choices = attribute.values.map((value) => `${value.name} [${value.value_id}]`);
	const as_text = (row) => (row.value_id ? `${row.value || ""} [${row.value_id}]` : row.value || "");
	const fieldname = `attr_${attribute.attribute_id}`;
	let field;
	if (MULTI_INPUTS.includes(attribute.input_type)) {
		field = { fieldtype: "MultiSelect", options: choices, default: kept.map(as_text).join(", ") };
	} else if (attribute.input_type === FREE_TEXT || !choices.length) {
		field = { fieldtype: "Data", default: kept.length ? kept[0].value : "" };
	} else {
		field = { fieldtype: "Autocomplete", options: choices, default: kept.length ? as_text(kept[0]) : "" };
	}
	const fields = [{ ...field, fieldname, label }];
	if (attribute.units.length) {
		fields.push({
			fieldname: `unit_${attribute.attribute_id}`,
			fieldtype: "Select",
			label: __("{0} unit", [attribute.name]),
			options: ["", ...attribute.units].join("\n"),
			default: kept.length ? kept[0].unit : "",
		});
	}
	return fields;
};

shopee_bridge.dialog_attributes = (values, options) =>
	options.attributes.flatMap((attribute) => {
		const raw = values[`attr_${attribute.attribute_id}`] || "";
		const parts = MULTI_INPUTS.includes(attribute.input_type) ? raw.split(",") : [raw];
		return parts
			.map((part) => part.trim())
			.filter(Boolean)
			.map((part) => ({
				attribute_id: attribute.attribute_id,
				attribute_name: attribute.name,
				value_id: shopee_bridge.option_id(part),
				value: shopee_bridge.option_label(part),
				unit: values[`unit_${attribute.attribute_id}`] || "",
			}));
	});

shopee_bridge.publish = (item_codes, values, options, dialog) => {
	const choices = {
		category_id: shopee_bridge.option_id(values.category),
		attributes: shopee_bridge.dialog_attributes(values, options),
		logistic_ids: (values.channels || []).join(","),
		is_pre_order: values.is_pre_order || 0,
		days_to_ship: values.days_to_ship || 0,
		condition: values.condition || "NEW",
	};
	if (!(values.shops || []).length) {
		frappe.msgprint(__("Choose at least one shop."));
		return;
	}
	frappe.call({
		method: "shopee_bridge.api.publish_to_shopee",
		args: { items: item_codes, shops: values.shops, values: choices },
		freeze: true,
		freeze_message: __("Checking against Shopee's rules…"),
	}).then((r) => {
		const result = r.message;
		if (result.queued.length) {
			frappe.show_alert({
				message: __("Publishing {0} listing(s) to Shopee in the background", [result.queued.length]),
				indicator: "green",
			});
		}
		const problems = Object.entries(result.problems || {});
		if (!problems.length) {
			dialog.hide();
			return;
		}
		const rows = problems
			.flatMap(([listing, found]) =>
				found.map(
					(row) =>
						`<tr><td>${frappe.utils.escape_html(listing)}</td><td>${frappe.utils.escape_html(row.field)}</td><td>${frappe.utils.escape_html(row.message)}</td></tr>`
				)
			)
			.join("");
		frappe.msgprint({
			title: __("Fix these before publishing"),
			indicator: "red",
			message: `<table class="table table-bordered shopee-listing-problems"><thead><tr><th>${__("Item @ Shop")}</th><th>${__("Field")}</th><th>${__("Problem")}</th></tr></thead><tbody>${rows}</tbody></table>`,
			wide: true,
		});
	});
};

frappe.ui.form.on("Item", {
	refresh(frm) {
		if (frm.is_new() || !shopee_bridge.is_manager()) return;
		if (!frm.doc.variant_of) {
			frm.add_custom_button(__("Publish to Shopee"), () => shopee_bridge.publish_dialog([frm.doc.name]), __("Shopee"));
		}
		frappe.db
			.get_list("Shopee Listing", {
				filters: { item_code: frm.doc.variant_of || frm.doc.name },
				fields: ["name", "shop", "status", "item_status", "problems"],
			})
			.then((listings) => {
				listings.forEach((row) => {
					const state = row.item_status ? `${row.status} · ${row.item_status}` : row.status;
					const problems = row.problems ? `: ${frappe.utils.escape_html(row.problems)}` : "";
					const color = row.status === "Failed" || ["BANNED", "SHOPEE_DELETE"].includes(row.item_status) ? "red" : "blue";
					frm.dashboard.add_comment(
						__("Shopee listing in {0}: {1}", [frappe.utils.escape_html(row.shop), state]) + problems,
						color,
						true
					);
				});
			});
	},
});
