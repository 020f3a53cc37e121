"""Shopee orders into ERPNext: incremental pull, and each order's stages as separate units of work.

A paid order's Customer, Address and Sales Order are booked (and committed) first; its Delivery Note
and Sales Invoice are each their own step, committed on its own. A step that fails is rolled back
alone, the steps after it still run where they can, and the order goes to Shopee Waiting Order with
the reason; later runs retry it until it succeeds. One order never blocks another.
"""

import time
from dataclasses import dataclass, field

import frappe
from frappe import _
from frappe.utils import get_system_timezone, now_datetime

from shopee_bridge.client_endpoints import MAX_BATCH, time_windows
from shopee_bridge.constants import ORDER_STATUS_FIELD, SHOP
from shopee_bridge.mappers import orders as mapper
from shopee_bridge.mappers.order_batches import OrderBatcher
from shopee_bridge.mappers.stages import (
	CANCEL,
	DELIVERY_NOTE,
	DRAFT,
	SALES_INVOICE,
	SALES_ORDER,
	is_active,
)
from shopee_bridge.services import items, waiting_orders
from shopee_bridge.services import order_documents as docs
from shopee_bridge.services.order_errors import MissingEscrowError, MissingOrderDetailError
from shopee_bridge.services.order_income import link_sales_order, store_order_income
from shopee_bridge.services.sync_log import SyncRun, sync_start
from shopee_bridge.services.waiting_orders import StepFailure, step_failure
from shopee_bridge.shop_client import get_settings, make_client
from shopee_bridge.utils import LockNotAcquired, advisory_lock, as_administrator, epoch_to_datetime

NO_ESCROW_STATUSES = {"UNPAID", "INVOICE_PENDING", "PENDING", "IN_CANCEL", "CANCELLED"}
ORDER_LOCK_SECONDS = 120  # how long to wait for another worker writing the same order


@dataclass
class OrderResult:
	action: str  # created, updated, unchanged, skipped; "waiting" when not even the booking could be made
	summary: str
	reference_doctype: str | None = None
	reference_name: str | None = None
	failures: list[StepFailure] = field(default_factory=list)
	residual: float = 0  # the Shopee difference of a Sales Order booked (or priced) by this run

	@property
	def waiting(self) -> bool:
		return bool(self.failures)


class OrderSync:
	"""One run over one shop: fetch orders in batches of 50 and write each on its own."""

	def __init__(self, shop: str, run: SyncRun | None = None):
		self.shop = frappe.get_doc(SHOP, shop)
		self.settings = get_settings()
		self.run = run
		self.client = make_client(shop, on_call=run.count_call if run else None, settings=self.settings)

	def context(self, currency: str | None = None) -> mapper.ShopContext:
		return mapper.ShopContext(
			shop_id=int(self.shop.shop_id),
			currency=currency or self.shop.currency or "",
			region=self.shop.region or "",
			customer_group=self.shop.customer_group,
			territory=self.shop.territory,
			time_zone=get_system_timezone(),
			company=self.shop.company,
			warehouse=self.shop.warehouse,
		)

	def sync_order_sns(self, order_sns: list[str]) -> dict[str, OrderResult]:
		"""Fetch and write the given orders; what cannot be written waits in Shopee Waiting Order."""
		results = {}
		batcher = self.batcher(results.__setitem__)
		batcher.add_all(order_sns)
		batcher.flush()
		return results

	def batcher(self, on_result, window_done=lambda window: None) -> OrderBatcher:
		"""Orders fetched 50 per detail call and booked with escrow 50 per call, whatever window they are in."""

		def write(order_sn: str, order: dict | None, escrow: dict | None) -> None:
			on_result(order_sn, self.write_order(order_sn, order, escrow))

		return OrderBatcher(
			fetch_details=lambda batch: self.client.get_order_detail(batch).get("order_list") or [],
			needs_escrow=lambda details: {o["order_sn"] for o in self.orders_to_book(details)},
			fetch_escrows=self.fetch_escrows,
			write=write,
			window_done=window_done,
			size=MAX_BATCH,
		)

	def write_order(self, order_sn: str, order: dict | None, escrow: dict | None) -> OrderResult:
		if order is None:  # listed, but Shopee sent no detail: it waits for the next run
			return self.waiting(order_sn, None, MissingOrderDetailError(order_sn))
		return self.sync_one(order, escrow)

	def orders_to_book(self, details: list[dict]) -> list[dict]:
		"""Paid orders with no booked Sales Order yet whose lines all map to Items.

		Order detail carries no voucher or coin split, so booking needs escrow detail. An order already
		booked only moves through its transitions, and one with an unmapped SKU fails before pricing:
		neither needs an escrow call.
		"""
		paid = [o for o in details if o.get("order_status") not in NO_ESCROW_STATUSES]
		booked = set(docs.booked_order_sns([o["order_sn"] for o in paid]))
		return [o for o in paid if o["order_sn"] not in booked and self.lines_map(o)]

	def lines_map(self, order: dict) -> bool:
		try:
			return items.can_map_lines(self.shop.name, order, bool(self.settings.auto_create_items))
		except Exception:  # a malformed order: its own unit of work reports what is wrong
			return True

	def fetch_escrows(self, order_sns: list[str]) -> dict[str, dict]:
		"""Escrow detail (vouchers, coins, bundle prices) for up to 50 orders to book, by order_sn."""
		if not order_sns:
			return {}
		rows = self.client.get_escrow_detail_batch(order_sns)
		escrows = {}
		for row in rows:
			detail = row.get("escrow_detail", row)
			if detail.get("order_sn"):
				escrows[detail["order_sn"]] = detail
		return escrows

	def sync_one(self, order: dict, escrow: dict | None) -> OrderResult:
		"""Write one order, never at the same time as another worker (a sync, a push, a backfill)."""
		try:
			with advisory_lock(f"shopee_order:{order['order_sn']}", timeout=ORDER_LOCK_SECONDS):
				# a fresh snapshot: what another worker committed while we waited must be seen
				frappe.db.commit()  # nosemgrep: nothing is pending between orders; this only ends the snapshot
				return self._write_one(order, escrow)
		except LockNotAcquired:
			return OrderResult("skipped", f"{order['order_sn']}: another worker is writing it")

	def _write_one(self, order: dict, escrow: dict | None) -> OrderResult:
		"""Write one order; its escrow breakdown is kept even when the booking has to wait."""
		stale = stale_detail(order)
		if stale:
			return OrderResult("skipped", stale, "Sales Order", docs.find_sales_order(order["order_sn"]))
		try:
			if escrow:
				store_order_income(self.shop, order, escrow)
				frappe.db.commit()  # nosemgrep: finance needs the breakdown whatever happens to the booking
			result = apply_order(order, escrow, self.shop, self.settings, self.context(order.get("currency")))
		except Exception as e:
			frappe.db.rollback()
			frappe.clear_messages()
			return self.waiting(order["order_sn"], order, e)
		waiting_orders.update(
			self.shop.name, order["order_sn"], result.reference_name, result.failures, result.residual
		)
		frappe.db.commit()  # nosemgrep: the waiting list is part of the order's outcome
		return result

	def waiting(self, order_sn: str, order: dict | None, error: Exception) -> OrderResult:
		"""The booking itself failed: record why, with the listings to map when that is the reason."""
		failure = step_failure(SALES_ORDER, error)
		if order and isinstance(error, mapper.UnmappedSKUError):
			items.record_unmapped(self.shop.name, order, error.skus)
		so_name = docs.find_sales_order(order_sn)
		waiting_orders.record(self.shop.name, order_sn, so_name, [failure])
		frappe.db.commit()  # nosemgrep: the waiting row must survive whatever the run does next
		return OrderResult("waiting", f"{order_sn}: {failure.label}", "Sales Order", so_name, [failure])


def stale_detail(order: dict) -> str | None:
	"""Why a detail must not be applied: it is older than what a push or another run already applied
	(a detail held back for its escrow batch can be overtaken)."""
	update_time, applied = int(order.get("update_time") or 0), docs.applied_update_time(order["order_sn"])
	if update_time and update_time < applied:
		return f"{order['order_sn']}: Shopee's detail of update_time {update_time} is older than the applied {applied}"
	return None


def apply_order(order: dict, escrow: dict | None, shop, settings, ctx: mapper.ShopContext) -> OrderResult:
	"""Bring one Shopee order's ERPNext documents to its current status, each transition once.

	The booking (Customer, Address, Sales Order) is committed before the steps; each step commits on
	its own, so a failing Delivery Note never takes the Sales Order or the Sales Invoice with it.
	"""
	order_sn = order["order_sn"]
	target = mapper.order_stage(order.get("order_status"), book_unpaid=bool(settings.book_unpaid_orders))
	so_name = docs.find_sales_order(order_sn)
	reinstated = bool(so_name) and is_active(target) and docs.docstatus(so_name) == 2
	if reinstated:  # the buyer's cancellation was rejected: the order goes on
		so_name = docs.reinstate_sales_order(so_name, order.get("order_status"))
	todo = remaining_steps(so_name, target, settings)
	if not so_name and target != DRAFT and (not todo or todo == [CANCEL]):
		return OrderResult("skipped", f"{order_sn}: {order.get('order_status')} needs no document")
	created, residual = False, 0
	if not so_name:
		so_name, created, residual = create_sales_order(order, escrow, target, shop, settings, ctx)
		if not created:  # a concurrent run booked it first: redo the plan against its documents
			todo = remaining_steps(so_name, target, settings)
	elif SALES_ORDER in todo and not reinstated and docs.docstatus(so_name) == 0:  # booked unpaid, paid now
		residual = reprice_draft(so_name, order, escrow, target, shop, settings, ctx)
	record_order_state(so_name, order, escrow)
	frappe.db.commit()  # nosemgrep: the booking stands on its own; the steps below commit one by one
	failures = run_steps(todo, so_name, order, shop)
	done = [step for step in todo if step not in {failure.step for failure in failures}]
	return OrderResult(
		"created" if created else ("updated" if done or reinstated else "unchanged"),
		_summary(order, reinstated, done, failures),
		"Sales Order",
		so_name,
		failures,
		residual,
	)


def _summary(order: dict, reinstated: bool, done: list[str], failures: list[StepFailure]) -> str:
	steps = (["reinstated"] if reinstated else []) + done
	summary = f"{order['order_sn']}: {order.get('order_status')}; " + (", ".join(steps) or "no change")
	return summary + "".join(f"; waiting: {failure.label}" for failure in failures)


def run_steps(todo: list[str], so_name: str, order: dict, shop) -> list[StepFailure]:
	"""Apply each transition in its own transaction; a failed one is rolled back and reported."""
	failures = []
	for step in todo:
		try:
			apply_step(step, so_name, order, shop)
			frappe.db.commit()  # nosemgrep: each step is its own unit of work
		except Exception as e:
			frappe.db.rollback()
			frappe.clear_messages()
			failures.append(step_failure(step, e))
			if step == SALES_ORDER:  # nothing else can happen before the order is submitted
				break
	return failures


def remaining_steps(so_name: str | None, target: str, settings) -> list[str]:
	"""Transitions still to make for the order's documents to reach the target stage."""
	return mapper.stages_to_apply(
		docs.transitions_done(so_name), target, invoice_at_shipment=bool(settings.invoice_at_shipment)
	)


def record_order_state(so_name: str, order: dict, escrow: dict | None) -> None:
	"""Shopee's status and newest update_time on the order; its escrow breakdown linked to it."""
	status = order.get("order_status")
	if status and frappe.db.get_value("Sales Order", so_name, ORDER_STATUS_FIELD) != status:
		frappe.db.set_value("Sales Order", so_name, ORDER_STATUS_FIELD, status, update_modified=False)
	docs.record_pushed_update_time(so_name, order.get("update_time"))
	if escrow:
		link_sales_order(order["order_sn"], so_name)


def create_sales_order(
	order: dict, escrow: dict | None, target: str, shop, settings, ctx
) -> tuple[str, bool, float]:
	"""Insert the Sales Order; when a concurrent run won the unique index, use its order."""
	mapped, customer, address = prepare_booking(order, escrow, target, shop, settings, ctx)
	so = docs.build_sales_order(mapped, shop, settings, customer, address, order.get("buyer_username") or "")
	try:
		with docs.savepoint("shopee_sales_order"):
			so.insert(ignore_permissions=True)
	except frappe.UniqueValidationError:
		return docs.find_sales_order(order["order_sn"]), False, 0
	docs.check_grand_total(so, mapped)
	return so.name, True, float(mapped["amount_residual"])


def reprice_draft(so_name: str, order: dict, escrow: dict | None, target: str, shop, settings, ctx) -> float:
	"""An order booked unpaid is paid now: refill its draft from escrow figures, keeping its name."""
	mapped, customer, address = prepare_booking(order, escrow, target, shop, settings, ctx)
	draft = frappe.get_doc("Sales Order", so_name)
	docs.fill_sales_order(draft, mapped, shop, settings, customer, address, order.get("buyer_username") or "")
	draft.save(ignore_permissions=True)
	docs.check_grand_total(draft, mapped)
	return float(mapped["amount_residual"])


def prepare_booking(order: dict, escrow: dict | None, target: str, shop, settings, ctx):
	"""(mapped Sales Order, Customer, Address) for an order; a paid order needs its escrow detail."""
	lookup = items.item_lookup(shop, order, settings)
	if escrow is None and target != DRAFT:
		mapper.check_lines_mapped(order, lookup)  # an unmapped SKU is the reason to give, if there is one
		raise MissingEscrowError(order["order_sn"])
	mapped = mapper.map_sales_order(order, escrow, ctx, lookup)
	customer = docs.ensure_customer(mapper.map_customer(order, ctx), shop)
	address = docs.ensure_address(mapper.map_address(order, ctx), customer)
	return mapped, customer, address


def apply_step(step: str, so_name: str, order: dict, shop) -> None:
	when = epoch_to_datetime(order.get("update_time") or order.get("create_time"))
	shipped = epoch_to_datetime(order.get("pickup_done_time")) or when
	if step == SALES_ORDER:
		so = frappe.get_doc("Sales Order", so_name)
		if so.docstatus == 0:
			so.submit()
	elif step == DELIVERY_NOTE:
		docs.make_delivery_note(so_name, shipped)
	elif step == SALES_INVOICE:
		docs.make_sales_invoice(so_name, when, shop.shopee_receivable_account)
	elif step == CANCEL:
		reason = order.get("cancel_reason") or order.get("buyer_cancel_reason") or order.get("order_status")
		docs.cancel_or_close(so_name, f"{reason} (by {order.get('cancel_by') or 'unknown'})")


def sync_incremental_orders(
	shop: str, now: int | None = None, triggered_by: str | None = None, progress=None
) -> str:
	"""Pull every order updated since the shop's checkpoint; returns the Shopee Sync Log name.

	Detail and escrow calls are filled to 50 orders across the ≤15-day list windows. The checkpoint
	moves to a window's end once all its orders are committed, and `progress(percent)` is called then
	(the bench command draws a bar with it).
	"""
	run = SyncRun("sync_incremental_orders", shop, triggered_by)
	sync = OrderSync(shop, run)
	now = int(now or time.time())
	start = sync_start(sync.shop.orders_synced_until, sync.settings, now)
	windows = time_windows(start, now)

	def window_done(index: int) -> None:
		advance_checkpoint(shop, windows[index][1])
		percent = publish_progress(run.log.triggered_by, shop, windows[index][1], start, now)
		if progress:
			progress(percent)

	batcher = sync.batcher(lambda order_sn, result: record_result(run, order_sn, result), window_done)
	try:
		batcher.add_all(waiting_orders.due_order_sns(shop), 0)  # retried in the first batch: no extra call
		for index, (window_from, window_to) in enumerate(windows):
			list_window(sync, run, batcher, index, window_from, window_to)
		batcher.flush()
	except Exception as e:
		frappe.db.rollback()
		run.finish(e, window_from=epoch_to_datetime(start), window_to=epoch_to_datetime(now))
		raise
	run.finish(window_from=epoch_to_datetime(start), window_to=epoch_to_datetime(now))
	return run.name


def sync_window(
	sync: OrderSync, run: SyncRun, window_from: int, window_to: int, field: str = "update_time"
) -> int:
	"""Sync the orders of one ≤15-day window 50 at a time, as the list pages arrive; returns how many."""
	batcher = sync.batcher(lambda order_sn, result: record_result(run, order_sn, result))
	listed = list_window(sync, run, batcher, 0, window_from, window_to, field)
	batcher.flush()
	return listed


def list_window(
	sync: OrderSync,
	run: SyncRun,
	batcher: OrderBatcher,
	index: int,
	window_from: int,
	window_to: int,
	field: str = "update_time",
) -> int:
	"""Queue every order of one window as its list pages arrive; returns how many were listed."""
	listed = 0
	for row in sync.client.iter_order_list(window_from, window_to, time_range_field=field):
		listed += 1
		batcher.add(row["order_sn"], index)
	run.add("fetched", listed)
	batcher.end_window(index)
	return listed


def advance_checkpoint(shop: str, window_to: int) -> None:
	"""Move the checkpoint only after the window's orders are committed."""
	frappe.db.set_value(SHOP, shop, {"orders_synced_until": window_to, "last_order_sync": now_datetime()})
	frappe.db.commit()  # nosemgrep: the checkpoint is the run's progress


def record_results(run: SyncRun, results: dict[str, OrderResult]) -> None:
	for order_sn, result in results.items():
		record_result(run, order_sn, result)


def record_result(run: SyncRun, order_sn: str, result: OrderResult) -> None:
	"""Count an outcome; a waiting order is listed with its reasons (and retried by later runs)."""
	if result.failures:
		run.add_error(order_sn, "; ".join(failure.label for failure in result.failures))
	elif result.residual:
		run.add_note(order_sn, _("booked with a Shopee difference of {0}").format(result.residual))
	if result.action != "waiting":
		run.add({"created": "created_count", "updated": "updated"}.get(result.action, "skipped"))


def publish_progress(user: str, shop: str, done_to: int, start: int, end: int) -> int:
	"""Realtime progress for the user who started the sync (Desk shows it as a progress bar)."""
	percent = 100 if end <= start else int(100 * (done_to - start) / (end - start))
	message = {"percent": percent, "title": _("Shopee order sync"), "description": _("Shop {0}").format(shop)}
	frappe.publish_realtime("progress", message, user=user, after_commit=True)
	return percent


def sync_order(shop: str, order_sn: str) -> OrderResult:
	"""Re-sync one order now (webhook handler, Sales Order button, Retry); what waits is on the list."""
	return sync_orders(shop, [order_sn])[order_sn]


def sync_orders(shop: str, order_sns: list[str]) -> dict[str, OrderResult]:
	"""Fetch and write the given orders now; Shopee errors raise, everything else is in the results."""
	with as_administrator():  # documents are written by the integration, not the clicking user
		return OrderSync(shop).sync_order_sns(order_sns)
