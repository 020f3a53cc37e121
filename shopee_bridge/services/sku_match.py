"""Which ERPNext Item a Shopee SKU stands for, by the field Shopee Settings name (Item Code, Barcode or an Item field)."""

import frappe

from shopee_bridge.shop_client import get_settings


def match_item(sku: str, settings=None) -> str | None:
	"""The Item a SKU stands for, by the field Shopee Settings name; None when none (or several) match."""
	settings = settings or get_settings()
	how = settings.get("sku_match_field") or "Item Code"
	if how == "Barcode":
		candidates = frappe.get_all("Item Barcode", filters={"barcode": sku}, pluck="parent", distinct=True)
	elif how == "Item Field" and settings.get("sku_item_field"):
		candidates = frappe.get_all("Item", filters={settings.sku_item_field: sku}, pluck="name", limit=2)
	else:
		candidates = list(filter(None, [frappe.db.exists("Item", sku)]))
	candidates = [code for code in candidates if _sellable_item(code)]
	return candidates[0] if len(candidates) == 1 else None


def _sellable_item(item_code: str) -> bool:
	disabled, template = frappe.get_cached_value("Item", item_code, ["disabled", "has_variants"]) or (1, 1)
	return not disabled and not template
