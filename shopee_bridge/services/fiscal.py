"""Backfills: any date range of a shop, in Shopee-sized windows, run by the same syncs as the scheduler.

A Shopee Backfill lists its windows (kind x ≤15 days) up front; the job runs them in order and marks
each one done as it commits, so a crashed, killed or cancelled run resumes at the first window not
done. Re-running a window writes nothing twice: every sync is idempotent. Within a window the syncs
stream (50 records at a time), so memory stays flat whatever the range.
"""

import time
from datetime import timedelta

import frappe
from frappe import _
from frappe.utils import add_to_date, get_datetime, getdate, now_datetime

from shopee_bridge.client_endpoints import MAX_WINDOW, time_windows
from shopee_bridge.constants import BACKFILL, ORDER_SN_FIELD, SHOP, SHOP_FIELD
from shopee_bridge.services.sync_log import SyncRun
from shopee_bridge.utils import (
	LockNotAcquired,
	advisory_lock,
	datetime_to_epoch,
	epoch_to_datetime,
	log_error,
)

# kind -> "module.function(shop, window_from, window_to, run) -> records"; run in this order per range
KINDS = {
	"orders": "shopee_bridge.services.fiscal.backfill_orders",
	"returns": "shopee_bridge.services.fiscal.backfill_returns",
	"escrow": "shopee_bridge.services.fiscal.backfill_escrow",
	"wallet": "shopee_bridge.services.fiscal.backfill_wallet",
}
STALLED_MINUTES = 15


def backfill(
	shop: str,
	date_from,
	date_to,
	what: list[str] | None = None,
	fiscal_year: str | None = None,
	inline: bool = False,
) -> str:
	"""Create a Shopee Backfill of the shop over [date_from, date_to], queued unless inline; its name."""
	doc = frappe.get_doc(
		{
			"doctype": BACKFILL,
			"shop": shop,
			"from_date": getdate(date_from),
			"to_date": getdate(date_to),
			"kinds": ",".join(what or KINDS),
			"fiscal_year": fiscal_year,
		}
	)
	doc.flags.run_inline = inline
	doc.insert(ignore_permissions=True)  # after_insert queues it unless inline
	return doc.name


def run_fiscal_year_full_sync(shop: str, fiscal_year: str) -> str:
	"""Backfill everything (orders, returns, escrow, wallet) of the shop over an ERPNext Fiscal Year."""
	start, end = frappe.db.get_value("Fiscal Year", fiscal_year, ["year_start_date", "year_end_date"])
	return backfill(shop, start, end, fiscal_year=fiscal_year)


def validate_backfill(doc) -> None:
	if getdate(doc.to_date) < getdate(doc.from_date):
		frappe.throw(_("The backfill's To Date is before its From Date"))
	unknown = [kind for kind in kinds_of(doc) if kind not in KINDS]
	if unknown:
		frappe.throw(
			_("Unknown backfill kinds: {0}; known: {1}").format(", ".join(unknown), ", ".join(KINDS))
		)


def kinds_of(doc) -> list[str]:
	return [kind.strip() for kind in (doc.kinds or ",".join(KINDS)).split(",") if kind.strip()]


def plan_windows(doc) -> None:
	"""One row per kind and ≤15-day window of [from_date 00:00, to_date 24:00)."""
	start = datetime_to_epoch(get_datetime(doc.from_date))
	end = datetime_to_epoch(get_datetime(doc.to_date) + timedelta(days=1)) - 1
	doc.kinds = ",".join(kinds_of(doc))
	doc.set("windows", [])
	for kind in kinds_of(doc):
		for window_from, window_to in time_windows(start, end, MAX_WINDOW):
			doc.append(
				"windows",
				{
					"kind": kind,
					"window_from": epoch_to_datetime(window_from),
					"window_to": epoch_to_datetime(window_to),
				},
			)
	doc.windows_total = len(doc.windows)
	doc.status = "Queued"


def enqueue_backfill(name: str) -> None:
	frappe.enqueue(
		"shopee_bridge.services.fiscal.run_backfill",
		queue="long",
		timeout=6 * 3600,
		job_id=f"shopee_backfill::{name}",
		deduplicate=True,
		enqueue_after_commit=True,
		name=name,
	)


def run_backfill(name: str, progress=None) -> str:
	"""The job: run the backfill's pending windows in order; returns its final status.

	`progress(done, total, records)` is called after each window (the bench command draws a bar).
	"""
	frappe.set_user("Administrator")
	try:
		with advisory_lock(f"shopee_backfill:{name}"):
			return _run_windows(name, progress)
	except LockNotAcquired:
		return "Running"  # another worker has it


def _run_windows(name: str, progress) -> str:
	doc = frappe.get_doc(BACKFILL, name)
	if doc.status in ("Done", "Cancelled"):
		return doc.status
	_update(name, status="Running", started_at=doc.started_at or now_datetime(), error=None)
	run = SyncRun("backfill", doc.shop, doc.triggered_by)
	began = time.monotonic()
	done_now = 0
	try:
		for window in [row for row in doc.windows if row.status != "Done"]:
			if frappe.db.get_value(BACKFILL, name, "status") == "Cancelled":
				run.finish(window_from=doc.from_date, window_to=doc.to_date)
				return "Cancelled"
			records = run_window(doc.shop, window, run)
			done_now += 1
			totals = _finish_window(name, window, records)
			_report(doc, totals, began, done_now, progress)
	except Exception as e:
		frappe.db.rollback()
		_update(name, status="Failed", error=str(e)[:1000], ended_at=now_datetime())
		run.finish(e, window_from=doc.from_date, window_to=doc.to_date)
		log_error(f"Shopee backfill {name} failed", reference_doctype=BACKFILL, reference_name=name)
		raise
	_update(name, status="Done", ended_at=now_datetime())
	run.finish(window_from=doc.from_date, window_to=doc.to_date)
	return "Done"


def run_window(shop: str, window, run: SyncRun) -> int:
	"""One window of one kind through its sync function."""
	sync = frappe.get_attr(KINDS[window.kind])
	return sync(shop, datetime_to_epoch(window.window_from), datetime_to_epoch(window.window_to), run)


def _finish_window(name: str, window, records: int) -> dict:
	frappe.db.set_value(
		"Shopee Backfill Window",
		window.name,
		{"status": "Done", "records": records, "finished_at": now_datetime()},
	)
	totals = frappe.db.get_value(
		BACKFILL, name, ["windows_done", "records_done", "windows_total"], as_dict=True
	)
	totals.windows_done += 1
	totals.records_done += records
	_update(name, windows_done=totals.windows_done, records_done=totals.records_done)
	return totals


def _update(name: str, **values) -> None:
	frappe.db.set_value(BACKFILL, name, {**values, "last_heartbeat": now_datetime()}, update_modified=False)
	frappe.db.commit()  # nosemgrep: a backfill's progress must survive a killed worker


def _report(doc, totals: dict, began: float, done_now: int, progress) -> None:
	"""Realtime progress on the backfill's form (window i of n, records so far, ETA), and the terminal bar."""
	left = totals.windows_total - totals.windows_done
	eta = (time.monotonic() - began) / done_now * left
	message = {
		"windows_done": totals.windows_done,
		"windows_total": totals.windows_total,
		"records": totals.records_done,
		"eta_seconds": round(eta),
	}
	frappe.publish_realtime(
		"shopee_backfill_progress", message, doctype=BACKFILL, docname=doc.name, after_commit=True
	)
	frappe.db.commit()  # nosemgrep: sends the realtime message
	if progress:
		progress(totals.windows_done, totals.windows_total, totals.records_done)


def resume_stalled() -> list[str]:
	"""Scheduler: queue again the backfills whose worker died (Running, no heartbeat for 15 minutes)."""
	cutoff = add_to_date(now_datetime(), minutes=-STALLED_MINUTES)
	stalled = frappe.get_all(
		BACKFILL,
		filters={"status": ["in", ("Running", "Queued")], "last_heartbeat": ["<", cutoff]},
		pluck="name",
	)
	for name in stalled:
		enqueue_backfill(name)
	return stalled


def cancel(name: str) -> None:
	"""Stop a backfill after its current window; Resume picks it up later."""
	frappe.db.set_value(BACKFILL, name, "status", "Cancelled")


def resume(name: str) -> None:
	frappe.db.set_value(BACKFILL, name, {"status": "Queued", "last_heartbeat": now_datetime()})
	enqueue_backfill(name)


def backfill_orders(shop: str, window_from: int, window_to: int, run: SyncRun) -> int:
	"""Every order created in the window, through the order sync (orders already booked only move on)."""
	from shopee_bridge.services.orders import OrderSync, sync_window

	return sync_window(OrderSync(shop, run), run, window_from, window_to, field="create_time")


def backfill_returns(shop: str, window_from: int, window_to: int, run: SyncRun) -> int:
	"""Every return created in the window, stored and booked like the incremental returns sync."""
	from shopee_bridge.services import returns
	from shopee_bridge.shop_client import make_client

	shop_doc = frappe.get_doc(SHOP, shop)
	client = make_client(shop, on_call=run.count_call)
	records = 0
	for row in client.iter_returns(create_time_from=window_from, create_time_to=window_to):
		run.add("fetched")
		returns.count_result(run, row["return_sn"], returns.sync_row(client, shop_doc, row))
		records += 1
	return records


def backfill_escrow(shop: str, window_from: int, window_to: int, run: SyncRun) -> int:
	"""The escrow of every invoiced order created in the window: fetched, explained term by term, booked."""
	from shopee_bridge.services import finance

	order_sns = set(
		frappe.get_all(
			"Sales Order",
			filters={
				SHOP_FIELD: shop,
				"docstatus": 1,
				"transaction_date": ["between", [_date(window_from), _date(window_to)]],
			},
			pluck=ORDER_SN_FIELD,
		)
	)
	if order_sns:
		finance.settle_orders(finance.open_run(shop, run), only=order_sns)
	return len(order_sns)


def backfill_wallet(shop: str, window_from: int, window_to: int, run: SyncRun) -> int:
	"""Wallet rows created in the window, then what they book: payments, withdrawals, bank matches."""
	from shopee_bridge.services import finance, wallet

	ctx = finance.open_run(shop, run)
	order_sns, withdrawals = wallet.pull_window(ctx, window_from, window_to)
	frappe.db.commit()  # nosemgrep: the window's rows are kept whatever the booking does next
	wallet.update_withdrawals(ctx, withdrawals)
	if order_sns:
		finance.book_orders(ctx, only=order_sns)
	finance.book_shop_events(ctx)
	return len(order_sns) + len(withdrawals)


def _date(epoch: int):
	return getdate(epoch_to_datetime(epoch))
