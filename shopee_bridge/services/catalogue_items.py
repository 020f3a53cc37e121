"""Items for listings no ERPNext Item matches, made on request during the catalogue import.

A listing without variations becomes one stock Item (named by its SKU, else SHOPEE-<item_id>). A
listing with variations becomes a template Item (has_variants, named by the listing SKU, else
SHOPEE-<item_id>) with one Item Variant per model (named by the model SKU, else
SHOPEE-<item_id>-<model_id>); the variant attributes are Shopee's tiers ("Colour", "Size"; a listing
without tier data gets one "Variation" attribute), with missing values added to the Item Attribute.
An Item that already has the name is used as it is. Valuation rates follow Shopee Settings, as for
Items created by the order sync.
"""

import frappe
from frappe import _
from frappe.utils import flt

from shopee_bridge.constants import ITEM_MAP
from shopee_bridge.mappers import catalogue as mapper
from shopee_bridge.services.items import shop_to_company_rate

NAME_LENGTH = 140


def create_for_listing(shop: str, info: dict, models: dict | None, rows: list[dict], settings) -> int:
	"""Create and map Items for the listing's unmapped rows; returns how many rows were mapped."""
	unmapped = [row for row in rows if not _mapped(shop, row)]
	if not unmapped:
		return 0
	shop_doc = frappe.get_doc("Shopee Shop", shop)
	if not info.get("has_model"):
		row = unmapped[0]
		_map(shop, row, ensure_item(_code(row), row["shopee_item_name"], row, shop_doc, settings))
		return 1
	tiers = (models or {}).get("tier_variation") or []
	by_model = {str(model["model_id"]): model for model in (models or {}).get("model") or []}
	attributes = {row["model_id"]: mapper.model_attributes(by_model[row["model_id"]], tiers) for row in rows}
	template = ensure_template(info, attributes, shop_doc, settings)
	for row in unmapped:
		_map(shop, row, ensure_variant(template, row, attributes[row["model_id"]], shop_doc, settings))
	return len(unmapped)


def _mapped(shop: str, row: dict) -> str | None:
	return frappe.db.get_value(
		ITEM_MAP, {"shop": shop, "item_id": row["item_id"], "model_id": row["model_id"]}, "item_code"
	)


def _map(shop: str, row: dict, item_code: str) -> None:
	name = frappe.db.get_value(
		ITEM_MAP, {"shop": shop, "item_id": row["item_id"], "model_id": row["model_id"]}
	)
	frappe.db.set_value(ITEM_MAP, name, "item_code", item_code, update_modified=False)


def _code(row: dict) -> str:
	sku = mapper.row_sku(row)
	if sku:
		return sku
	suffix = "" if row["model_id"] == "0" else f"-{row['model_id']}"
	return f"SHOPEE-{row['item_id']}{suffix}"


def _item_fields(item_name: str, row: dict, shop_doc, settings) -> dict:
	return {
		"item_name": (item_name or row["item_id"])[:NAME_LENGTH],
		"item_group": settings.auto_item_group
		or frappe.db.get_single_value("Stock Settings", "item_group")
		or "All Item Groups",
		"stock_uom": frappe.db.get_single_value("Stock Settings", "stock_uom") or "Nos",
		"is_stock_item": 1,
		"valuation_rate": valuation_rate(row, shop_doc, settings),
		"description": _("Created from Shopee listing {0} (model {1})").format(
			row["item_id"], row["model_id"]
		),
	}


def valuation_rate(row: dict, shop_doc, settings) -> float:
	"""Settings' % of the Shopee price, in the company's currency (0 leaves it unset)."""
	percent = flt(settings.auto_item_valuation_percent)
	price = flt(row.get("shopee_price"))
	if not percent or not price:
		return 0
	return price * percent / 100 * shop_to_company_rate(shop_doc)


def ensure_item(item_code: str, item_name: str, row: dict, shop_doc, settings) -> str:
	"""A stock Item named item_code: the existing one, else a new one."""
	existing = frappe.db.exists("Item", item_code)
	if existing:
		return existing
	doc = frappe.get_doc(
		{"doctype": "Item", "item_code": item_code, **_item_fields(item_name, row, shop_doc, settings)}
	)
	doc.insert(ignore_permissions=True)
	return doc.name


def ensure_template(info: dict, attributes: dict[str, list], shop_doc, settings) -> str:
	"""The template Item of a listing with variations, with every attribute its models use."""
	names = list(dict.fromkeys(name for pairs in attributes.values() for name, _value in pairs))
	resolved = {
		name: ensure_attribute(name, [v for pairs in attributes.values() for n, v in pairs if n == name])
		for name in names
	}
	code = (info.get("item_sku") or "").strip() or f"SHOPEE-{info['item_id']}"
	if frappe.db.exists("Item", code) and not frappe.db.get_value("Item", code, "has_variants"):
		code = f"SHOPEE-{info['item_id']}"
	existing = frappe.db.exists("Item", code)
	if existing:
		if not frappe.db.get_value("Item", existing, "has_variants"):
			frappe.throw(
				_("Item {0} exists and is not a template: map this listing's models by hand").format(code)
			)
		return existing
	row = {"item_id": str(info["item_id"]), "model_id": "0", "shopee_price": ""}
	doc = frappe.get_doc(
		{
			"doctype": "Item",
			"item_code": code,
			**_item_fields(info.get("item_name") or "", row, shop_doc, settings),
			"has_variants": 1,
			"variant_based_on": "Item Attribute",
			"attributes": [{"attribute": resolved[name]} for name in names],
		}
	)
	doc.insert(ignore_permissions=True)
	return doc.name


def ensure_variant(template: str, row: dict, pairs: list[tuple[str, str]], shop_doc, settings) -> str:
	"""The template's Item Variant for a model: the one with these attribute values, else a new one."""
	from erpnext.controllers.item_variant import create_variant, get_variant

	existing = frappe.db.exists("Item", _code(row))
	if existing:
		return existing
	args = {_attribute_name(name): _attribute_value(_attribute_name(name), value) for name, value in pairs}
	found = get_variant(template, args)
	if found:
		return found
	variant = create_variant(template, args)
	variant.item_code = _code(row)
	template_name = frappe.db.get_value("Item", template, "item_name")
	variant.item_name = f"{template_name} ({row['model_name']})"[:NAME_LENGTH]
	variant.valuation_rate = valuation_rate(row, shop_doc, settings)
	variant.insert(ignore_permissions=True)
	return variant.name


def ensure_attribute(name: str, values: list[str]) -> str:
	"""An Item Attribute with these values (added where missing); a numeric one of that name is left alone."""
	attribute = _attribute_name(name)
	if not frappe.db.exists("Item Attribute", attribute):
		frappe.get_doc({"doctype": "Item Attribute", "attribute_name": attribute}).insert(
			ignore_permissions=True
		)
	doc = frappe.get_doc("Item Attribute", attribute)
	known = {row.attribute_value.lower() for row in doc.item_attribute_values}
	abbrs = {row.abbr.lower() for row in doc.item_attribute_values}
	added = False
	for value in dict.fromkeys(values):
		if value.lower() not in known:
			doc.append("item_attribute_values", {"attribute_value": value, "abbr": _free_abbr(value, abbrs)})
			known.add(value.lower())
			added = True
	if added:
		doc.save(ignore_permissions=True)
	return attribute


def _attribute_name(name: str) -> str:
	if frappe.db.get_value("Item Attribute", name, "numeric_values"):
		return f"Shopee {name}"
	return name


def _attribute_value(attribute: str, value: str) -> str:
	"""The attribute's own spelling of a value (values are unique regardless of case)."""
	for existing in frappe.get_all(
		"Item Attribute Value", filters={"parent": attribute}, pluck="attribute_value"
	):
		if existing.lower() == value.lower():
			return existing
	return value


def _free_abbr(value: str, taken: set[str]) -> str:
	base = value.upper()[: NAME_LENGTH - 4] or "V"
	abbr, number = base, 1
	while abbr.lower() in taken:
		number += 1
		abbr = f"{base}-{number}"
	taken.add(abbr.lower())
	return abbr
