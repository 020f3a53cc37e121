"""Catalogue and stock jobs: catalogue import, the stock push every minute, the scheduled reconciliation."""

import frappe
from frappe.utils import add_to_date, now_datetime

from shopee_bridge.constants import ITEM_MAP, SHOP
from shopee_bridge.services.sync_log import SyncRun
from shopee_bridge.shop_client import get_settings
from shopee_bridge.utils import log_error


def import_catalogue(shop: str, create_items: bool = False, triggered_by: str | None = None) -> str:
	"""Background job: import the shop's listings into Shopee Item Map, as Administrator."""
	from shopee_bridge.services.catalogue import import_catalogue as run_import

	triggered_by = triggered_by or frappe.session.user
	frappe.set_user("Administrator")
	return run_import(shop, create_items=bool(create_items), triggered_by=triggered_by)


def push_stock(shop: str, triggered_by: str | None = None) -> str | None:
	"""Background job: push the shop's due rows; a Sync Log row only when Shopee was called or rows failed."""
	from shopee_bridge.services.stock_push import StockPush, due_rows

	triggered_by = triggered_by or frappe.session.user
	frappe.set_user("Administrator")
	if not frappe.db.get_value(SHOP, shop, "push_stock"):
		return None
	calls = []
	try:
		result = StockPush(shop, on_call=calls.append).run(due_rows(shop))
	except Exception as e:
		frappe.db.rollback()
		run = SyncRun("push_stock", shop, triggered_by)
		run.add("api_calls", len(calls))
		run.finish(e)
		raise
	if not calls and not result.failed:
		return None
	run = SyncRun("push_stock", shop, triggered_by)
	for counter, value in (
		("fetched", result.rows),
		("updated", result.pushed),
		("skipped", result.unchanged + result.not_pushed),
		("api_calls", len(calls)),
	):
		run.add(counter, value)
	for reference, error in result.errors:
		run.add_error(reference, error)
	run.finish()
	return run.name


def reconcile_stock(shop: str, triggered_by: str | None = None) -> str:
	"""Background job: compare the shop's Shopee stock with ERPNext and push the drift."""
	from shopee_bridge.services.stock_reconcile import reconcile_shop_stock

	triggered_by = triggered_by or frappe.session.user
	frappe.set_user("Administrator")
	run = SyncRun("reconcile_stock", shop, triggered_by)
	try:
		result = reconcile_shop_stock(shop, on_call=run.count_call)
	except Exception as e:
		frappe.db.rollback()
		run.finish(e)
		raise
	run.add("fetched", result.compared)
	run.add("updated", result.corrected)
	for reference, shopee, erpnext in result.drifted:
		run.add_note(reference, f"drift: Shopee {shopee}, ERPNext {erpnext}")
	for reference, error in result.errors:
		run.add_error(reference, error)
	run.log.message = f"{result.compared} compared, {result.drift} drifted, {result.corrected} corrected"
	run.finish()
	return run.name


def _enqueue(method: str, job_id: str, queue: str = "default", **kwargs) -> str:
	frappe.enqueue(
		f"shopee_bridge.jobs.stock.{method}",
		queue=queue,
		timeout=3600 if queue == "long" else 600,
		job_id=job_id,
		deduplicate=True,
		enqueue_after_commit=True,
		triggered_by=frappe.session.user,
		**kwargs,
	)
	return job_id


def enqueue_catalogue_import(shop: str, create_items: bool = False) -> str:
	return _enqueue(
		"import_catalogue", f"shopee_catalogue::{shop}", "long", shop=shop, create_items=create_items
	)


def enqueue_stock_push(shop: str) -> str:
	return _enqueue("push_stock", f"shopee_stock_push::{shop}", shop=shop)


def enqueue_stock_reconcile(shop: str) -> str:
	return _enqueue("reconcile_stock", f"shopee_stock_reconcile::{shop}", "long", shop=shop)


def _pushing_shops() -> list[str]:
	if not get_settings().enabled:
		return []
	return frappe.get_all(SHOP, filters={"enabled": 1, "push_stock": 1, "status": "Connected"}, pluck="name")


def schedule_stock_push() -> list[str]:
	"""Scheduler (every minute): queue a push for each pushing shop with due rows."""
	try:
		from shopee_bridge.services.stock_push import due_rows_exist

		return [enqueue_stock_push(shop) for shop in _pushing_shops() if due_rows_exist(shop)]
	except Exception:
		log_error("Shopee stock push scheduling failed", reference_doctype=ITEM_MAP)
		raise


def schedule_stock_reconcile() -> list[str]:
	"""Scheduler (hourly): queue a reconciliation for pushing shops not reconciled for the set hours."""
	try:
		hours = int(get_settings().get("stock_reconcile_hours") or 0)
		if hours <= 0:
			return []
		cutoff = add_to_date(now_datetime(), hours=-hours)
		due = [
			shop
			for shop in _pushing_shops()
			if (frappe.db.get_value(SHOP, shop, "last_stock_reconcile") or cutoff) <= cutoff
		]
		return [enqueue_stock_reconcile(shop) for shop in due]
	except Exception:
		log_error("Shopee stock reconciliation scheduling failed", reference_doctype=SHOP)
		raise
