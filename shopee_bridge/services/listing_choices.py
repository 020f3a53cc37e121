"""What the Publish to Shopee dialog shows and keeps: the Shopee choices of an Item for a shop.

The choices (category, attribute values, channels, pre-order, condition) are kept on the Shopee
Listing row of the Item and shop; publishing checks each draft against Shopee's rules and queues only
the drafts without problems, returning every problem of the others with the field to fix.
"""

import frappe
from frappe.utils import cint

from shopee_bridge.constants import LISTING
from shopee_bridge.services import listing_reference
from shopee_bridge.services.listings import checked_draft, problems_text

CHOICE_FIELDS = ("category_id", "logistic_ids", "is_pre_order", "days_to_ship", "condition")


def listing_options(item_code: str, shop: str, category_id: int | None = None) -> dict:
	"""Categories (with Shopee's recommendation for the Item's name), the chosen category's attributes,
	the shop's channels, the brand Shopee will get, and the choices kept so far."""
	item_name, brand_name = frappe.db.get_value("Item", item_code, ["item_name", "brand"]) or (None, None)
	item_name, brand_name = item_name or item_code, brand_name or ""
	existing = frappe.db.get_value(LISTING, {"item_code": item_code, "shop": shop})
	kept = frappe.get_doc(LISTING, existing) if existing else None
	recommended = listing_reference.recommended_categories(shop, item_name)
	category_id = cint(category_id) or (kept and kept.category_id) or (recommended[0] if recommended else 0)
	reference = listing_reference.category_reference(shop, category_id) if category_id else {}
	brand = listing_reference.find_brand(reference.get("brands") or [], brand_name) if category_id else None
	return {
		"categories": listing_reference.leaf_categories(shop),
		"recommended": recommended,
		"category_id": category_id,
		"attributes": [_attribute_option(row) for row in reference.get("attribute_tree") or []],
		"channels": [
			{
				"logistic_id": int(row["logistics_channel_id"]),
				"name": row.get("logistics_channel_name") or str(row["logistics_channel_id"]),
				"enabled": bool(row.get("enabled")),
			}
			for row in listing_reference.channels(shop)
		],
		"brand": {"item_brand": brand_name, "shopee": brand},
		"kept": _kept_choices(kept),
	}


def _attribute_option(row: dict) -> dict:
	info = row.get("attribute_info") or {}
	return {
		"attribute_id": int(row["attribute_id"]),
		"name": row.get("name") or str(row["attribute_id"]),
		"mandatory": bool(row.get("mandatory")),
		"input_type": info.get("input_type"),
		"max_value_count": info.get("max_value_count") or 1,
		"units": info.get("attribute_unit_list") or [],
		"values": [
			{"value_id": int(value["value_id"]), "name": value.get("name") or ""}
			for value in row.get("attribute_value_list") or []
		],
	}


def _kept_choices(kept) -> dict:
	if not kept:
		return {}
	return {
		**{field: kept.get(field) for field in CHOICE_FIELDS},
		"attributes": [
			{"attribute_id": row.attribute_id, "value_id": row.value_id, "value": row.value, "unit": row.unit}
			for row in kept.attributes
		],
		"status": kept.status,
		"problems": kept.problems,
		"item_id": kept.item_id,
	}


def save_choices(item_code: str, shop: str, values: dict):
	"""Create or update the Shopee Listing of the Item and shop with the dialog's choices; returns it."""
	name = frappe.db.get_value(LISTING, {"item_code": item_code, "shop": shop})
	doc = frappe.get_doc(LISTING, name) if name else frappe.new_doc(LISTING)
	doc.update({"item_code": item_code, "shop": shop})
	for field in CHOICE_FIELDS:
		if field in values:
			doc.set(field, values[field])
	if "attributes" in values:
		doc.set(
			"attributes",
			[
				{
					"attribute_id": int(row["attribute_id"]),
					"attribute_name": row.get("attribute_name"),
					"value_id": cint(row.get("value_id")),
					"value": row.get("value"),
					"unit": row.get("unit"),
				}
				for row in values["attributes"]
				if row.get("value_id") or row.get("value")
			],
		)
	if not doc.status or doc.status == "Failed":
		doc.status = "Draft"
	doc.save(ignore_permissions=True) if name else doc.insert(ignore_permissions=True)
	return doc


def prepare(items: list[str], shops: list[str], values: dict) -> dict:
	"""Keep the choices for every Item and shop, check each draft, and return
	{ready: [listing names], problems: {"ITEM @ shop": [{field, message}]}}."""
	ready, problems = [], {}
	for shop in shops:
		shop_doc = frappe.get_doc("Shopee Shop", shop)
		for item_code in items:
			listing = save_choices(item_code, shop, values)
			_draft, _ref, found = checked_draft(listing, shop_doc)
			if found:
				listing.db_set({"status": "Failed", "problems": problems_text(found)})
				problems[f"{item_code} @ {shop}"] = found
			else:
				listing.db_set({"status": "Queued", "problems": ""})
				ready.append(listing.name)
	return {"ready": ready, "problems": problems}
