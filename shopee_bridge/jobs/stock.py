"""Catalogue and stock jobs: catalogue import, the stock push and the reconciliation (both scheduled by
jobs/schedule.py: every minute and hourly)."""

import frappe
from frappe.utils import add_to_date, now_datetime

from shopee_bridge.constants import SHOP
from shopee_bridge.services.sync_log import SyncRun
from shopee_bridge.shop_client import get_settings


def import_catalogue(shop: str, create_items: bool = False, triggered_by: str | None = None) -> str:
	"""Background job: import the shop's listings into Shopee Item Map, as Administrator."""
	from shopee_bridge.services.catalogue import import_catalogue as run_import

	triggered_by = triggered_by or frappe.session.user
	frappe.set_user("Administrator")
	return run_import(shop, create_items=bool(create_items), triggered_by=triggered_by)


def push_stock(shop: str, triggered_by: str | None = None, always_log: bool = False) -> str | None:
	"""Background job: push the shop's due rows; a Sync Log row when Shopee was called or rows failed,
	and always for Push Stock Now (`always_log`: its result shows on the form even when nothing was due)."""
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
	if not calls and not result.failed and not always_log:
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


def _enqueue(kind: str, shop: str, **kwargs) -> str:
	from shopee_bridge.jobs.schedule import enqueue_shop_job

	return enqueue_shop_job(kind, shop, **kwargs)


def enqueue_catalogue_import(shop: str, create_items: bool = False) -> str:
	job_id = f"shopee_catalogue::{shop}"
	frappe.enqueue(
		"shopee_bridge.jobs.stock.import_catalogue",
		queue="long",
		timeout=3600,
		job_id=job_id,
		deduplicate=True,
		enqueue_after_commit=True,
		triggered_by=frappe.session.user,
		shop=shop,
		create_items=create_items,
	)
	return job_id


def enqueue_stock_push(shop: str, always_log: bool = False) -> str:
	return _enqueue("stock_push", shop, always_log=always_log)


def enqueue_stock_reconcile(shop: str) -> str:
	return _enqueue("stock_reconcile", shop)


def reconcile_due(shop: str) -> bool:
	"""Whether the shop was not reconciled for the hours set in Shopee Settings (0: never scheduled)."""
	hours = int(get_settings().get("stock_reconcile_hours") or 0)
	if hours <= 0:
		return False
	cutoff = add_to_date(now_datetime(), hours=-hours)
	return (frappe.db.get_value(SHOP, shop, "last_stock_reconcile") or cutoff) <= cutoff
