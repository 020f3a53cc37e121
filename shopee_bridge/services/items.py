"""Shopee listings to ERPNext Items through the Shopee Item Map: mapped rows, SKUs, auto-created Items.

A line resolves by its (item_id, model_id) row in the map, then by SKU (a map row with that SKU, else
an Item named like it), else, when the setting allows it, to a new Item (named by the SKU, or
SHOPEE-<item_id>[-<model_id>] for listings without one). Every resolution is written to the map so
users can see and change it; lines that resolve to nothing get a map row without an Item, which is
the Desk list of listings to map. A SKU found on several listings is flagged on their rows.
"""

import frappe
from frappe.utils import flt

from shopee_bridge.constants import ITEM_MAP
from shopee_bridge.mappers.orders import line_label
from shopee_bridge.mappers.pricing import OrderLine, parse_lines
from shopee_bridge.services.sku_match import match_item
from shopee_bridge.utils import savepoint

ITEM_NAME_LENGTH = 140


def item_lookup(shop, order: dict, settings):
	"""(item_id, model_id, sku) → item_code for the lines of `order`; writes what it resolves to the map."""
	lines = {(line.item_id, line.model_id): line for line in order_lines(order)}
	auto_create = bool(settings.auto_create_items)

	def lookup(item_id: str, model_id: str, sku: str | None) -> str | None:
		model_id = model_id or "0"
		mapped = mapped_item(shop.name, item_id, model_id)
		if mapped:
			return mapped
		line = lines[(item_id, model_id)]
		item_code = item_by_sku(shop.name, sku)
		if not item_code and auto_create:
			item_code = create_item(line, shop, settings)
		if item_code:
			remember_item(shop.name, line, item_code)
		return item_code

	return lookup


def can_map_lines(shop: str, order: dict, auto_create: bool) -> bool:
	"""Whether every line of the order resolves to an Item (read-only: creates and remembers nothing)."""
	for line in order_lines(order):
		if not (mapped_item(shop, line.item_id, line.model_id) or item_by_sku(shop, line.sku) or auto_create):
			return False
	return True


def mapped_item(shop: str, item_id: str, model_id: str) -> str | None:
	return frappe.db.get_value(
		ITEM_MAP, {"shop": shop, "item_id": item_id, "model_id": model_id or "0"}, "item_code"
	)


def item_by_sku(shop: str, sku: str | None) -> str | None:
	"""A mapped Shopee Item Map row with the SKU, else the Item the SKU matches (Shopee Settings say how)."""
	if not sku:
		return None
	mapped = frappe.db.get_value(
		ITEM_MAP, {"shop": shop, "sku": sku, "item_code": ["is", "set"]}, "item_code"
	)
	if mapped:
		return mapped
	return match_item(sku)


def auto_item_code(line: OrderLine) -> str:
	"""The SKU, or SHOPEE-<item_id>[-<model_id>] for a listing without one."""
	if line.sku:
		return line.sku
	return f"SHOPEE-{line.item_id}" if line.model_id == "0" else f"SHOPEE-{line.item_id}-{line.model_id}"


def create_item(line: OrderLine, shop, settings) -> str:
	"""A stock Item for a Shopee listing, with a valuation rate so ERPNext can deliver it before stock arrives."""
	item_code = auto_item_code(line)
	if frappe.db.exists("Item", item_code):
		return item_code
	doc = frappe.get_doc(
		{
			"doctype": "Item",
			"item_code": item_code,
			"item_name": listing_name(line)[:ITEM_NAME_LENGTH] or item_code,
			"item_group": settings.auto_item_group
			or frappe.db.get_single_value("Stock Settings", "item_group")
			or "All Item Groups",
			"stock_uom": frappe.db.get_single_value("Stock Settings", "stock_uom") or "Nos",
			"is_stock_item": 1,
			"valuation_rate": auto_valuation_rate(line, shop, settings),
			"description": f"Created from Shopee listing {line.item_id} (model {line.model_id})",
		}
	)
	try:
		with savepoint("shopee_auto_item"):
			doc.insert(ignore_permissions=True)
	except frappe.DuplicateEntryError:  # another worker created it first
		pass
	return item_code


def auto_valuation_rate(line: OrderLine, shop, settings) -> float:
	"""settings' % of the line's Shopee unit price, in the company's currency (0 leaves it unset)."""
	percent = flt(settings.auto_item_valuation_percent)
	unit_price = line.unit_price or line.original_price
	if not percent or not unit_price:
		return 0
	return flt(unit_price) * percent / 100 * shop_to_company_rate(shop)


def shop_to_company_rate(shop) -> float:
	from erpnext.setup.utils import get_exchange_rate

	company_currency = frappe.get_cached_value("Company", shop.company, "default_currency")
	if not shop.currency or shop.currency == company_currency:
		return 1
	return flt(get_exchange_rate(shop.currency, company_currency)) or 0


def listing_name(line: OrderLine) -> str:
	return f"{line.item_name} ({line.model_name})" if line.model_name else line.item_name


def remember_item(shop: str, line: OrderLine, item_code: str | None) -> None:
	"""Write a listing's mapping (or its missing Item) to the map, and flag a SKU other listings share."""
	filters = {"shop": shop, "item_id": line.item_id, "model_id": line.model_id}
	name = frappe.db.get_value(ITEM_MAP, filters, ["name", "item_code"], as_dict=True)
	if name and (name.item_code or not item_code):
		return
	if name:
		frappe.db.set_value(ITEM_MAP, name.name, "item_code", item_code)
	else:
		_insert_map_row(shop, line, item_code)
	if line.sku:
		flag_shared_sku(shop, line.sku)


def _insert_map_row(shop: str, line: OrderLine, item_code: str | None) -> None:
	try:
		with savepoint("shopee_item_map"):
			frappe.get_doc(
				{
					"doctype": ITEM_MAP,
					"shop": shop,
					"item_id": line.item_id,
					"model_id": line.model_id,
					"sku": line.sku,
					"item_code": item_code,
					"shopee_item_name": line.item_name[:ITEM_NAME_LENGTH],
					"model_name": line.model_name[:ITEM_NAME_LENGTH],
				}
			).insert(ignore_permissions=True)
	except (frappe.UniqueValidationError, frappe.DuplicateEntryError):  # another run wrote it first
		pass


def flag_shared_sku(shop: str, sku: str) -> None:
	"""Mark every map row of the shop with this SKU once two listings or models carry it."""
	rows = frappe.get_all(ITEM_MAP, filters={"shop": shop, "sku": sku}, fields=["name", "shared_sku"])
	if len(rows) < 2:
		return
	for row in rows:
		if not row.shared_sku:
			frappe.db.set_value(ITEM_MAP, row.name, "shared_sku", 1, update_modified=False)


def record_unmapped(shop: str, order: dict, labels: list[str]) -> None:
	"""Map rows without an Item for the order's unresolved lines: the Desk list of listings to map."""
	for line in order_lines(order):
		if line_label(line) in labels:
			remember_item(shop, line, None)


def order_lines(order: dict) -> list[OrderLine]:
	return parse_lines(order, order.get("currency") or "")
