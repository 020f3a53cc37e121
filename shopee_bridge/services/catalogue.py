"""Catalogue import: a shop's Shopee listings and their models into Shopee Item Map, matched to Items by SKU.

Every listing Shopee can still sell or edit (NORMAL, UNLIST, BANNED, REVIEWING) gives one map row per
model (model_id "0" without variations), each its own unit of work: new rows are inserted (the
unique index on shop + item_id + model_id decides a race), existing rows get Shopee's current SKUs,
names, statuses, location and stock, and keep the Item a user chose. A row without an Item is matched
by its SKU (the model's, else the listing's) through the field Shopee Settings name; what stays
unmatched is listed for mapping in Desk (or gets a new Item, with Item Variants for a listing with
variations, when asked). SKUs several rows carry are flagged. Listings the seller or Shopee deleted
only update rows that exist.
"""

import frappe
from frappe import _
from frappe.utils import now_datetime

from shopee_bridge.constants import ITEM_MAP, SHOP
from shopee_bridge.mappers import catalogue as mapper
from shopee_bridge.services import catalogue_items, stock_changes
from shopee_bridge.services.sku_match import match_item
from shopee_bridge.services.sync_log import SyncRun
from shopee_bridge.shop_client import get_settings, make_client
from shopee_bridge.utils import savepoint

DELETED_STATUSES = ("SELLER_DELETE", "SHOPEE_DELETE")
LISTING_FIELDS = (
	"item_sku",
	"model_sku",
	"shopee_item_name",
	"model_name",
	"item_status",
	"model_status",
	"location_id",
	"shopee_price",
)


def import_catalogue(shop: str, create_items: bool = False, triggered_by: str | None = None) -> str:
	"""Walk the shop's listings into Shopee Item Map; returns the Shopee Sync Log name."""
	run = SyncRun("import_catalogue", shop, triggered_by)
	settings = get_settings()
	try:
		client = make_client(shop, on_call=run.count_call, settings=settings)
		listed = {row["item_id"]: row for row in client.iter_item_list()}
		run.add("fetched", len(listed))
		for info in client.iter_item_base_info(listed):
			import_listing(shop, client, info, create_items, settings, run)
		mark_deleted(shop, client.iter_item_list(DELETED_STATUSES))
		flag_shared_skus(shop)
		frappe.db.set_value(SHOP, shop, "last_catalogue_import", now_datetime())
		frappe.db.commit()  # nosemgrep: the shop's import time goes with the rows committed above
	except Exception as e:
		frappe.db.rollback()
		run.finish(e)
		raise
	run.finish()
	return run.name


def import_listing(shop: str, client, info: dict, create_items: bool, settings, run: SyncRun) -> None:
	"""One listing's rows, committed on their own; a failure is rolled back and reported in the run."""
	item_id = str(info.get("item_id"))
	try:
		models = client.get_model_list(item_id) if info.get("has_model") else None
		rows = mapper.listing_rows(info, models)
		if info.get("has_model") and not rows:
			raise ValueError(_("Shopee lists models for item {0} but returned none").format(item_id))
		created = sum(upsert_row(shop, row) for row in rows)
		match_rows(shop, rows, settings)
		if create_items:
			catalogue_items.create_for_listing(shop, info, models, rows, settings)
		# Shopee's stock was just read: mapped rows that differ from ERPNext get pushed, the rest skip
		stock_changes.mark_rows_pending(shop, [(row["item_id"], row["model_id"]) for row in rows])
		frappe.db.commit()  # nosemgrep: each listing is its own unit of work
	except Exception as e:
		frappe.db.rollback()
		frappe.clear_messages()
		run.add_error(item_id, e)
		return
	run.add("created_count", created)
	run.add("updated", len(rows) - created)


def upsert_row(shop: str, row: dict) -> bool:
	"""Insert the row, or refresh the Shopee side of an existing one; True when it is new."""
	name = frappe.db.get_value(ITEM_MAP, _key(shop, row))
	if not name:
		try:
			with savepoint("shopee_catalogue_row"):
				frappe.get_doc({"doctype": ITEM_MAP, **_key(shop, row), **shopee_fields(row)}).insert(
					ignore_permissions=True
				)
			return True
		except (frappe.UniqueValidationError, frappe.DuplicateEntryError):  # an order sync wrote it first
			name = frappe.db.get_value(ITEM_MAP, _key(shop, row))
	frappe.db.set_value(ITEM_MAP, name, shopee_fields(row), update_modified=False)
	return False


def _key(shop: str, row: dict) -> dict:
	return {"shop": shop, "item_id": row["item_id"], "model_id": row["model_id"]}


def shopee_fields(row: dict) -> dict:
	"""What the map keeps of Shopee's listing: SKUs, names, statuses, location, stock and price."""
	fields = {key: row.get(key) or "" for key in LISTING_FIELDS}
	fields["sku"] = row["sku"]
	if row.get("shopee_stock") is not None:
		fields.update(shopee_stock=int(row["shopee_stock"]), shopee_stock_at=now_datetime())
	return fields


def match_rows(shop: str, rows: list[dict], settings) -> int:
	"""Give unmapped rows the Item their SKU matches; returns how many were mapped."""
	mapped = 0
	for row in rows:
		sku = mapper.row_sku(row)
		name, item_code = frappe.db.get_value(ITEM_MAP, _key(shop, row), ["name", "item_code"])
		if item_code or not sku:
			continue
		match = match_item(sku, settings)
		if match:
			frappe.db.set_value(ITEM_MAP, name, "item_code", match, update_modified=False)
			mapped += 1
	if mapped:
		from shopee_bridge.services.waiting_orders import make_reason_due

		make_reason_due(shop, "Unmapped Item")
	return mapped


def mark_deleted(shop: str, listed) -> None:
	"""Rows of listings the seller or Shopee deleted ({item_id, item_status}): nothing is pushed to them."""
	for listing in listed:
		filters = {"shop": shop, "item_id": str(listing["item_id"])}
		for name in frappe.get_all(ITEM_MAP, filters=filters, pluck="name"):
			frappe.db.set_value(
				ITEM_MAP,
				name,
				{
					"item_status": listing.get("item_status") or "SELLER_DELETE",
					"push_state": "Not Pushed",
					"last_error": _("Deleted on Shopee"),
				},
				update_modified=False,
			)


def flag_shared_skus(shop: str) -> None:
	"""Set shared_sku on every row whose SKU other rows of the shop carry, and clear it elsewhere."""
	rows = frappe.get_all(ITEM_MAP, filters={"shop": shop}, fields=["name", "sku", "shared_sku"])
	shared = mapper.shared_skus({"item_sku": row.sku} for row in rows)
	for row in rows:
		flag = int(bool(row.sku) and row.sku in shared)
		if flag != row.shared_sku:
			frappe.db.set_value(ITEM_MAP, row.name, "shared_sku", flag, update_modified=False)
