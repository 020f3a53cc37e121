"""An ERPNext Item (with its variants) as a listing draft for one shop: the dict mappers.listings checks.

Name and description (HTML stripped) from the Item; images are the Item's image and its image
attachments; weight from Weight Per Unit (in kg); package dimensions from the Item's Shopee fields;
price from the shop's Selling Price List (else the price list Shopee Settings push); stock from the
shop's stock warehouses; SKUs are Item codes. A template's enabled variants are its models, its
variant attributes (in the template's order) the tiers. Category, attributes, channels and shipping
come from the Shopee Listing row of the Item and shop.
"""

import frappe
from frappe.utils import cint, flt, strip_html

from shopee_bridge.services.stock_changes import shop_warehouses
from shopee_bridge.services.stock_prices import item_rates
from shopee_bridge.services.stock_push import sellable_quantities
from shopee_bridge.shop_client import get_settings

IMAGE_EXTENSIONS = ("jpg", "jpeg", "png", "gif", "webp", "bmp", "tif", "tiff", "svg")
KG_PER_UNIT = {
	"kg": 1,
	"kilogram": 1,
	"g": 0.001,
	"gram": 0.001,
	"gm": 0.001,
	"lb": 0.45359237,
	"pound": 0.45359237,
	"oz": 0.028349523,
}
DIMENSION_FIELDS = {
	"package_length": "shopee_package_length",
	"package_width": "shopee_package_width",
	"package_height": "shopee_package_height",
}


def build_draft(listing, shop=None) -> dict:
	"""The draft of a Shopee Listing row (its Item for its shop)."""
	shop = shop or frappe.get_cached_doc("Shopee Shop", listing.shop)
	item = frappe.get_doc("Item", listing.item_code)
	models = variant_models(item)
	codes = [model["item_code"] for model in models] or [item.name]
	source = price_list(shop)
	source_currency = frappe.db.get_value("Price List", source, "currency") if source else None
	prices = item_rates(source, codes) if source and source_currency == shop.currency else {}
	stock = sellable_quantities(codes, shop_warehouses(shop))
	draft = {
		"item_code": item.name,
		"item_name": item.item_name or item.name,
		"description": plain_text(item.description) or item.item_name or "",
		"sku": item.name,
		"currency": shop.currency,
		"price_list": source,
		"price_list_currency": source_currency,
		"region": shop.region,
		"images": item_images(item),
		"weight": weight_kg(item),
		"dimension": dimension(item),
		"brand_name": item.brand or "",
		"tiers": variant_tiers(item) if models else [],
		"models": [],
		"category_id": cint(listing.category_id),
		"attributes": [
			{
				"attribute_id": row.attribute_id,
				"value_id": cint(row.value_id),
				"value": row.value,
				"unit": row.unit,
			}
			for row in listing.attributes
		],
		"chosen_logistic_ids": [
			int(x) for x in (listing.logistic_ids or "").replace(" ", "").split(",") if x
		],
		"days_to_ship": cint(listing.days_to_ship),
		"is_pre_order": cint(listing.is_pre_order),
		"condition": listing.condition or "NEW",
	}
	for model in models:
		model.update(price=prices.get(model["item_code"]), stock=stock.get(model["item_code"], 0))
		draft["models"].append(model)
	if not models:
		draft.update(price=prices.get(item.name), stock=stock.get(item.name, 0))
	return draft


def price_list(shop) -> str | None:
	return shop.selling_price_list or get_settings().get("push_price_list")


def plain_text(html: str | None) -> str:
	text = strip_html(html or "").replace("\xa0", " ")
	return "\n".join(line.strip() for line in text.splitlines()).strip()


def item_images(item) -> list[dict]:
	"""The Item's image first, then its attached images, each once: [{key, size, extension, file}]."""
	files = frappe.get_all(
		"File",
		filters={"attached_to_doctype": "Item", "attached_to_name": item.name, "is_folder": 0},
		fields=["name", "file_url", "file_name", "file_size", "content_hash"],
		order_by="creation asc",
	)
	if item.image:
		files.sort(key=lambda file: file.file_url != item.image)
	images, seen = [], set()
	for file in files:
		extension = (file.file_name or file.file_url or "").rsplit(".", 1)[-1].lower()
		if extension not in IMAGE_EXTENSIONS or file.file_url in seen:
			continue
		seen.add(file.file_url)
		images.append(
			{
				"key": f"{file.name}:{file.content_hash or file.file_size}",
				"file": file.name,
				"size": cint(file.file_size),
				"extension": extension,
			}
		)
	return images


def weight_kg(item) -> float:
	factor = KG_PER_UNIT.get((item.weight_uom or "kg").strip().casefold())
	if factor is None:
		factor = flt(
			frappe.db.get_value(
				"UOM Conversion Factor", {"from_uom": item.weight_uom, "to_uom": "Kg"}, "value"
			)
		)
	return round(flt(item.weight_per_unit) * factor, 3)


def dimension(item) -> dict | None:
	sides = {key: flt(item.get(field)) for key, field in DIMENSION_FIELDS.items()}
	return sides if any(sides.values()) else None


def variant_tiers(template) -> list[str]:
	return [row.attribute for row in template.get("attributes") or []]


def variant_models(template) -> list[dict]:
	"""A template's enabled variants: [{item_code, sku, options}] with options in the template's tier order."""
	if not template.has_variants:
		return []
	tiers = variant_tiers(template)
	variants = frappe.get_all(
		"Item", filters={"variant_of": template.name, "disabled": 0}, pluck="name", order_by="creation asc"
	)
	values = frappe.get_all(
		"Item Variant Attribute",
		filters={"parent": ["in", variants or [""]], "parenttype": "Item"},
		fields=["parent", "attribute", "attribute_value"],
	)
	by_variant: dict[str, dict] = {}
	for row in values:
		by_variant.setdefault(row.parent, {})[row.attribute] = row.attribute_value
	return [
		{
			"item_code": code,
			"sku": code,
			"options": [str(by_variant.get(code, {}).get(tier) or "") for tier in tiers],
		}
		for code in variants
	]
