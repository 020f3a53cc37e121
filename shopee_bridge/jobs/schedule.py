"""Every scheduled per-shop Shopee job: guarded by Shopee Settings and the shop's toggles, one at a time.

The scheduler calls one small function per kind (below); each queues the kind's job for every
enabled, connected shop whose toggle is on, with a job id per (kind, shop) so a queued or running job
is not queued again. The job itself runs under a database lock per (kind, shop): a second one started
by any path (a button, a push, another worker) returns at once instead of running twice.
"""

from dataclasses import dataclass

import frappe
from frappe.utils import add_to_date, now_datetime

from shopee_bridge.constants import SHOP, SYNC_LOG
from shopee_bridge.shop_client import get_settings
from shopee_bridge.utils import LockNotAcquired, advisory_lock, log_error


@dataclass(frozen=True)
class ShopJob:
	method: str  # fn(shop, triggered_by=None) doing one run for one shop
	toggle: str  # Check field of Shopee Shop that turns it on
	sync_log_job: str  # the Shopee Sync Log `job` it writes, to space runs by the interval
	interval_field: str | None = None  # Shopee Settings field in minutes; None: every scheduler tick
	queue: str = "long"
	timeout: int = 3600
	due: str | None = None  # fn(shop) -> bool: whether the shop has anything to do now


SHOP_JOBS: dict[str, ShopJob] = {
	"orders": ShopJob(
		"shopee_bridge.jobs.orders.sync_shop_orders",
		"auto_sync_orders",
		"sync_incremental_orders",
		"order_sync_interval",
	),
	"returns": ShopJob(
		"shopee_bridge.jobs.returns.sync_shop_returns",
		"auto_sync_returns",
		"sync_incremental_returns",
	),
	"tracking": ShopJob(
		"shopee_bridge.jobs.logistics.poll_shop_tracking",
		"auto_sync_shipping",
		"poll_tracking_numbers",
	),
	"shipped_orders": ShopJob(
		"shopee_bridge.jobs.logistics.advance_shipped_orders",
		"auto_sync_shipping",
		"advance_shipped_orders",
	),
	"finance": ShopJob(
		"shopee_bridge.jobs.finance.sync_shop_finance",
		"auto_sync_finance",
		"sync_finance",
	),
	"stock_push": ShopJob(
		"shopee_bridge.jobs.stock.push_stock",
		"push_stock",
		"push_stock",
		queue="default",
		timeout=600,
		due="shopee_bridge.services.stock_push.due_rows_exist",
	),
	"stock_reconcile": ShopJob(
		"shopee_bridge.jobs.stock.reconcile_stock",
		"push_stock",
		"reconcile_stock",
		due="shopee_bridge.jobs.stock.reconcile_due",
	),
	"integrity": ShopJob(
		"shopee_bridge.services.integrity.report_job",
		"auto_integrity_report",
		"integrity_report",
		queue="long",
	),
}


def schedule(kind: str) -> list[str]:
	"""Queue the kind's job for each shop it is due for; returns the job ids."""
	try:
		if not get_settings().enabled:
			return []
		return [enqueue_shop_job(kind, shop) for shop in due_shops(kind)]
	except Exception:
		log_error(f"Shopee {kind} scheduling failed")
		raise


def due_shops(kind: str) -> list[str]:
	"""Enabled, connected shops with the kind's toggle on whose last run is older than its interval."""
	job = SHOP_JOBS[kind]
	shops = frappe.get_all(SHOP, filters={"enabled": 1, "status": "Connected", job.toggle: 1}, pluck="name")
	if job.due:
		shops = [shop for shop in shops if frappe.get_attr(job.due)(shop)]
	minutes = job.interval_field and (get_settings().get(job.interval_field) or 0)
	if not minutes:
		return shops
	cutoff = add_to_date(now_datetime(), minutes=-minutes)
	recent = frappe.get_all(
		SYNC_LOG,
		filters={"job": job.sync_log_job, "shop": ["in", shops or [""]], "started_at": [">", cutoff]},
		pluck="shop",
	)
	return [shop for shop in shops if shop not in set(recent)]


def enqueue_shop_job(kind: str, shop: str, **kwargs) -> str:
	"""Queue one run of the kind for the shop, unless one is queued or running."""
	job = SHOP_JOBS[kind]
	job_id = f"shopee_{kind}::{shop}"
	frappe.enqueue(
		"shopee_bridge.jobs.schedule.run_shop_job",
		queue=job.queue,
		timeout=job.timeout,
		job_id=job_id,
		deduplicate=True,
		enqueue_after_commit=True,
		kind=kind,
		shop=shop,
		triggered_by=frappe.session.user,
		**kwargs,
	)
	return job_id


def run_shop_job(kind: str, shop: str, triggered_by: str | None = None, **kwargs):
	"""One run of the kind for the shop, as Administrator, never two at once for the same shop."""
	frappe.set_user("Administrator")
	try:
		with advisory_lock(f"shopee_job:{kind}:{shop}"):
			return frappe.get_attr(SHOP_JOBS[kind].method)(shop, triggered_by=triggered_by, **kwargs)
	except LockNotAcquired:
		return None


def orders() -> list[str]:
	return schedule("orders")


def integrity() -> list[str]:
	return schedule("integrity")


def returns() -> list[str]:
	return schedule("returns")


def tracking() -> list[str]:
	return schedule("tracking")


def shipped_orders() -> list[str]:
	return schedule("shipped_orders")


def finance() -> list[str]:
	return schedule("finance")


def stock_push() -> list[str]:
	return schedule("stock_push")


def stock_reconcile() -> list[str]:
	return schedule("stock_reconcile")
