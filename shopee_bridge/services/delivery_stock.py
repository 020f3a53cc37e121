"""Whether a Delivery Note's stock Items are there, and so when it can be dated.

ERPNext refuses a Delivery Note that takes a stock balance below zero at its posting time or at any
later entry (unless negative stock is allowed). Shopee orders are delivered at their pickup time, but
a seller's stock is often received later (opening stock at go-live, a late Purchase Receipt): then
the note is dated now. When the stock is not there now either, it waits with the Items that lack it.
"""

from datetime import datetime

import frappe
from frappe import _
from frappe.utils import flt, now_datetime

from shopee_bridge.services.order_errors import NoStockError


def delivery_datetime(dn, shipped_at: datetime) -> datetime:
	"""shipped_at when the stock allows it, else now; raises NoStockError when it lacks either way."""
	if frappe.db.get_single_value("Stock Settings", "allow_negative_stock"):
		return shipped_at
	needed = stock_needed(dn)
	if not shortages(needed, shipped_at):
		return shipped_at
	now = now_datetime()
	short = shortages(needed, now)
	if short:
		frappe.throw(_("Not enough stock to deliver: {0}").format("; ".join(short)), NoStockError)
	return now


def stock_needed(dn) -> dict[tuple[str, str], float]:
	"""Stock quantity the note takes per (stock Item, warehouse), for Items not allowed below zero."""
	needed: dict[tuple[str, str], float] = {}
	for row in dn.items:
		is_stock, negative_ok = frappe.get_cached_value(
			"Item", row.item_code, ["is_stock_item", "allow_negative_stock"]
		)
		if row.warehouse and is_stock and not negative_ok:
			key = (row.item_code, row.warehouse)
			needed[key] = needed.get(key, 0) + flt(row.stock_qty or row.qty)
	return needed


def shortages(needed: dict[tuple[str, str], float], at: datetime) -> list[str]:
	"""What lacks if the note were posted at `at`: the balance then, and every later balance, must cover it."""
	short = []
	for (item_code, warehouse), qty in needed.items():
		available = min(balance_at(item_code, warehouse, at), lowest_later_balance(item_code, warehouse, at))
		if available < qty:
			short.append(
				_("{0}: {1} needed in {2}, {3} available").format(item_code, qty, warehouse, available)
			)
	return short


def balance_at(item_code: str, warehouse: str, at: datetime) -> float:
	from erpnext.stock.utils import get_stock_balance

	return flt(get_stock_balance(item_code, warehouse, at.date(), at.time()))


def lowest_later_balance(item_code: str, warehouse: str, at: datetime) -> float:
	"""The lowest balance after `at` (a backdated note lowers every one of them); inf when none."""
	lowest = frappe.db.sql(
		"""select min(qty_after_transaction) from `tabStock Ledger Entry`
		where item_code=%s and warehouse=%s and is_cancelled=0 and timestamp(posting_date, posting_time) > %s""",
		(item_code, warehouse, at),
	)[0][0]
	return float("inf") if lowest is None else flt(lowest)
