"""Full stock reconciliation: Shopee's seller stock of every mapped model against ERPNext, drift corrected.

Shopee's stock is read fresh (get_item_base_info for 50 items per call, get_model_list per item with
variations) and kept on the rows with the listings' statuses and locations. A pushable row whose
Shopee stock differs from its Item's sellable quantity is drift: it is marked Pending and pushed in
the same run. Drift comes from edits in Seller Center, changes ERPNext signals nowhere (e.g. a Work
Order reserving stock), or a change whose mark was lost. A mapped row Shopee no longer lists is
Not Pushed.
"""

from dataclasses import dataclass, field

import frappe
from frappe import _
from frappe.utils import now_datetime

from shopee_bridge.constants import ITEM_MAP, SHOP
from shopee_bridge.mappers import catalogue as mapper
from shopee_bridge.services import stock_changes
from shopee_bridge.services.listing_readback import read_shopee_rows, store_shopee_rows
from shopee_bridge.services.stock_push import StockPush, due_rows, sellable_quantities, write_row_state


@dataclass
class ReconcileResult:
	compared: int = 0
	drift: int = 0
	corrected: int = 0
	failed: int = 0
	missing: int = 0
	calls: int = 0
	drifted: list[tuple[str, int, int]] = field(default_factory=list)  # (row, Shopee, ERPNext)
	errors: list[tuple[str, str]] = field(default_factory=list)


def reconcile_shop_stock(shop: str, on_call=None) -> ReconcileResult:
	"""Compare every mapped model's Shopee stock with ERPNext; a shop that pushes stock gets its drift pushed."""
	result = ReconcileResult()
	push = StockPush(shop, on_call=on_call)
	rows = frappe.get_all(
		ITEM_MAP,
		filters={"shop": shop, "item_code": ["is", "set"]},
		fields=["name", "item_id", "model_id", "item_code", "push_state", "change_seq"],
	)
	fresh = read_shopee_rows(push.client, sorted({row.item_id for row in rows}))
	store_shopee_rows(shop, fresh)
	frappe.db.commit()  # nosemgrep: what Shopee shows now is kept whatever the pushes below do
	warehouses = stock_changes.shop_warehouses(push.shop)
	sellable = sellable_quantities(sorted({row.item_code for row in rows}), warehouses)
	drifted = [row.name for row in rows if compare_row(row, fresh, sellable, push, result)]
	frappe.db.commit()  # nosemgrep: rows gone from Shopee or back in sync are marked before the pushes
	result.drift = len(drifted)
	if drifted and push.shop.push_stock:
		stock_changes.mark_names_pending(shop, drifted)
		frappe.db.commit()  # nosemgrep: the drift stays due if the push below is cut short
		pushed = push.run(due_rows(shop, drifted))
		result.corrected, result.failed, result.errors = pushed.pushed, pushed.failed, pushed.errors
	frappe.db.set_value(SHOP, shop, "last_stock_reconcile", now_datetime(), update_modified=False)
	frappe.db.commit()  # nosemgrep: the reconciliation's time
	return result


def compare_row(
	row: dict, fresh: dict, sellable: dict[str, int], push: StockPush, result: ReconcileResult
) -> bool:
	"""Whether one row drifted; rows Shopee no longer lists become Not Pushed, rows back in sync Synced."""
	found = fresh.get((row.item_id, row.model_id))
	if not found:
		result.missing += 1
		write_row_state(row.name, row.change_seq, "Not Pushed", {"last_error": _("Not listed on Shopee")})
		return False
	if push.not_pushable(frappe._dict(found, item_code=row.item_code)):
		return False
	result.compared += 1
	expected = sellable.get(row.item_code, 0)
	if found["shopee_stock"] != expected:
		result.drifted.append(
			(f"{row.item_id}/{row.model_id} {row.item_code}", found["shopee_stock"], expected)
		)
		return True
	if row.push_state in ("Not Pushed", "", None):
		write_row_state(row.name, row.change_seq, "Synced", {"last_error": ""})
	return False
