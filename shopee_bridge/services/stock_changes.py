"""Which Shopee Item Map rows must go to Shopee again: ERPNext changes mark them Pending.

ERPNext writes Bin quantities with frappe.db.set_value / db_update, which run no doc_events, so
the signals are the documents behind them: every submitted Stock Ledger Entry (cancellations add
one too), a Sales Order's changes after submit (submit, cancel, close, hold, re-open move its
reserved quantity; they all run on_change), and Item Prices of the pushed Price List. What a
transaction changed is collected and written once it has committed, in a short transaction of its
own, so the stock transaction never waits on or rolls back for the map; the push job, every minute,
takes the Pending rows (a change lost to a crash in between is found by the reconciliation).

A row is marked only in shops that push stock from one of the changed warehouses. Marking raises the
row's change_seq, so a push that read the row before the change never marks it Synced.
"""

import frappe
from frappe.query_builder.functions import Coalesce

from shopee_bridge.constants import ITEM_MAP, SHOP
from shopee_bridge.shop_client import get_settings
from shopee_bridge.utils import log_error

PENDING_FLAG = "shopee_changed_items"
FLUSH_SAVEPOINT = "shopee_stock_marks"
ANY_WAREHOUSE = None


# -- doc_events ------------------------------------------------------------------------------


def on_stock_ledger_entry(doc, method=None):
	"""Stock Ledger Entry on_submit: the Item's quantity changed in a warehouse."""
	note_change(doc.item_code, doc.warehouse)


def on_sales_order_change(doc, method=None):
	"""Sales Order on_change: submitting, cancelling, closing or holding it moves reserved quantities."""
	if doc.docstatus == 0:
		return
	for row in doc.get("items") or []:
		note_change(row.item_code, row.warehouse)


def on_item_price_change(doc, method=None):
	"""Item Price on_update / on_trash: a price of the pushed Price List changed."""
	settings = get_settings()
	if settings.get("push_prices") and doc.price_list == settings.get("push_price_list"):
		note_change(doc.item_code, ANY_WAREHOUSE)


def on_shop_update(doc, method=None):
	"""Shopee Shop on_update: turning the push on, or other warehouses, makes every mapped row due."""
	before = doc.get_doc_before_save()
	if not doc.push_stock:
		return
	warehouses = sorted(row.warehouse for row in doc.get("stock_warehouses") or [])
	old = sorted(row.warehouse for row in (before.get("stock_warehouses") or [])) if before else None
	if not before or not before.push_stock or warehouses != old or doc.warehouse != before.warehouse:
		mark_shop_pending(doc.name)


# -- collecting a transaction's changes ----------------------------------------------------


def note_change(item_code: str | None, warehouse: str | None) -> None:
	"""Remember a changed Item (and warehouse) until the transaction commits."""
	if not item_code:
		return
	changes = frappe.flags.get(PENDING_FLAG)
	if changes is None:
		changes = frappe.flags[PENDING_FLAG] = {}
		frappe.db.after_commit.add(flush_changes)
		frappe.db.after_rollback.add(forget_changes)
	changes.setdefault(item_code, set()).add(warehouse)


def forget_changes() -> None:
	frappe.flags.pop(PENDING_FLAG, None)


def flush_changes() -> None:
	"""After a commit: mark the changed Items' rows Pending in the shops fed by their warehouses."""
	changes = frappe.flags.pop(PENDING_FLAG, None)
	if not changes:
		return
	# A savepoint, not a rollback: a rollback would drop the after-commit callbacks still queued
	# (jobs other code enqueues after this commit).
	frappe.db.savepoint(FLUSH_SAVEPOINT)
	try:
		for shop, item_codes in shops_to_mark(changes, shops_by_warehouse()).items():
			mark_items_pending(shop, sorted(item_codes))
	except Exception:
		try:
			frappe.db.rollback(save_point=FLUSH_SAVEPOINT)
		except Exception:  # a deadlock already rolled the (marks-only) transaction back
			pass
		log_error("Shopee stock change marking failed", reference_doctype=ITEM_MAP)
	frappe.db.commit()  # nosemgrep: the stock change is committed already; the marks are their own unit


def shops_to_mark(changes: dict[str, set], fed_by: dict[str, list[str]]) -> dict[str, set[str]]:
	"""{shop: item codes} for changes {item_code: warehouses}; ANY_WAREHOUSE reaches every pushing shop."""
	every_shop = {shop for shops in fed_by.values() for shop in shops}
	by_shop: dict[str, set[str]] = {}
	for item_code, warehouses in changes.items():
		shops = set()
		for warehouse in warehouses:
			shops |= every_shop if warehouse is ANY_WAREHOUSE else set(fed_by.get(warehouse, ()))
		for shop in shops:
			by_shop.setdefault(shop, set()).add(item_code)
	return by_shop


# -- shops and their warehouses ------------------------------------------------------------


def pushing_shops() -> list[str]:
	"""Enabled shops that push stock to Shopee."""
	return frappe.get_all(SHOP, filters={"enabled": 1, "push_stock": 1}, pluck="name")


def shop_warehouses(shop) -> list[str]:
	"""Leaf warehouses whose stock a shop sells: its Stock Warehouses (groups expanded), else its Warehouse."""
	doc = frappe.get_doc(SHOP, shop) if isinstance(shop, str) else shop
	chosen = [row.warehouse for row in doc.get("stock_warehouses") or []] or [doc.warehouse]
	leaves = []
	for warehouse in filter(None, chosen):
		lft, rgt, is_group = frappe.db.get_value("Warehouse", warehouse, ["lft", "rgt", "is_group"])
		if not is_group:
			leaves.append(warehouse)
			continue
		leaves += frappe.get_all(
			"Warehouse", filters={"lft": [">", lft], "rgt": ["<", rgt], "is_group": 0}, pluck="name"
		)
	return list(dict.fromkeys(leaves))


def shops_by_warehouse() -> dict[str, list[str]]:
	"""{leaf warehouse: shops pushing its stock}."""
	fed_by: dict[str, list[str]] = {}
	for shop in pushing_shops():
		for warehouse in shop_warehouses(shop):
			fed_by.setdefault(warehouse, []).append(shop)
	return fed_by


# -- marking -------------------------------------------------------------------------------


def _mark(shop: str, condition) -> None:
	Map = frappe.qb.DocType(ITEM_MAP)
	(
		frappe.qb.update(Map)
		.set(Map.push_state, "Pending")
		.set(Map.change_seq, Coalesce(Map.change_seq, 0) + 1)
		.where((Map.shop == shop) & Map.item_code.isnotnull() & (Map.item_code != "") & condition(Map))
		.run()
	)


def mark_items_pending(shop: str, item_codes: list[str]) -> None:
	"""The shop's rows mapped to these Items are due for a push."""
	if item_codes:
		_mark(shop, lambda Map: Map.item_code.isin(item_codes))


def mark_shop_pending(shop: str) -> None:
	"""Every mapped row of the shop is due for a push."""
	_mark(shop, lambda Map: Map.name.isnotnull())


def mark_rows_pending(shop: str, keys: list[tuple[str, str]]) -> None:
	"""These (item_id, model_id) rows of the shop are due for a push, when the shop pushes stock."""
	if not keys or not frappe.db.get_value(SHOP, shop, "push_stock"):
		return
	item_ids = sorted({item_id for item_id, _model in keys})
	wanted = set(keys)
	Map = frappe.qb.DocType(ITEM_MAP)
	rows = (
		frappe.qb.from_(Map)
		.select(Map.name, Map.item_id, Map.model_id)
		.where((Map.shop == shop) & Map.item_id.isin(item_ids))
		.run(as_dict=True)
	)
	mark_names_pending(shop, [row.name for row in rows if (row.item_id, row.model_id) in wanted])


def mark_names_pending(shop: str, names: list[str]) -> None:
	"""These rows of the shop are due for a push."""
	if names:
		_mark(shop, lambda Map: Map.name.isin(names))
