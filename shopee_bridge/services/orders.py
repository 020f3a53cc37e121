"""Shopee orders into ERPNext: incremental pull, one transaction per order, status transitions."""

import json
import time
from dataclasses import dataclass

import frappe
from frappe import _
from frappe.utils import get_system_timezone, now_datetime

from shopee_bridge.client_endpoints import MAX_BATCH, chunked, time_windows
from shopee_bridge.constants import ITEM_MAP, ORDER_STATUS_FIELD, SHOP
from shopee_bridge.mappers import orders as mapper
from shopee_bridge.mappers.stages import (
	CANCEL,
	DELIVERY_NOTE,
	DRAFT,
	SALES_INVOICE,
	SALES_ORDER,
	is_active,
)
from shopee_bridge.services import order_documents as docs
from shopee_bridge.services.sync_log import SyncRun
from shopee_bridge.shop_client import get_settings, make_client
from shopee_bridge.utils import epoch_to_datetime

NO_ESCROW_STATUSES = {"UNPAID", "INVOICE_PENDING", "PENDING", "IN_CANCEL", "CANCELLED"}


class MissingEscrowError(frappe.ValidationError):
	"""A paid order came without escrow detail: its Shopee-funded amounts are unknown, so it waits."""

	def __init__(self, order_sn: str):
		super().__init__(
			_(
				"Shopee sent no escrow detail for paid order {0}, so its Shopee-funded amounts are unknown;"
				" it is not booked yet and is retried on the next run"
			).format(order_sn)
		)


@dataclass
class OrderResult:
	action: str  # created, updated, unchanged, skipped
	summary: str
	reference_doctype: str | None = None
	reference_name: str | None = None


class OrderSync:
	"""One run over one shop: fetch orders in batches of 50 and write each in its own transaction."""

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

	def sync_order_sns(self, order_sns: list[str]) -> dict[str, OrderResult | Exception]:
		"""Fetch and write the given orders; a failing order is returned as its exception."""
		results = {}
		for batch in chunked(dict.fromkeys(order_sns), MAX_BATCH):
			details = self.client.get_order_detail(batch).get("order_list") or []
			escrows = self.fetch_escrows(self.orders_to_book(details))
			for order in details:
				results[order["order_sn"]] = self.sync_one(order, escrows.get(order["order_sn"]))
			for order_sn in batch:
				if order_sn not in results:  # listed, but Shopee sent no detail: keep it for the next run
					results[order_sn] = frappe.DoesNotExistError(
						f"Shopee returned no detail for order {order_sn}"
					)
		return results

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
			return can_map_lines(self.shop.name, order, bool(self.settings.auto_create_items))
		except Exception:  # a malformed order: its own transaction reports what is wrong
			return True

	def fetch_escrows(self, orders: list[dict]) -> dict[str, dict]:
		"""Escrow detail (vouchers, coins, bundle prices) for the orders to book, 50 per call."""
		if not orders:
			return {}
		rows = self.client.get_escrow_detail_batch([o["order_sn"] for o in orders])
		escrows = {}
		for row in rows:
			detail = row.get("escrow_detail", row)
			if detail.get("order_sn"):
				escrows[detail["order_sn"]] = detail
		return escrows

	def sync_one(self, order: dict, escrow: dict | None) -> OrderResult | Exception:
		"""Write one order in its own transaction; roll it back alone on any error."""
		try:
			result = apply_order(order, escrow, self.shop, self.settings, self.context(order.get("currency")))
			frappe.db.commit()  # nosemgrep: each order is its own unit of work
			return result
		except Exception as e:
			frappe.db.rollback()
			frappe.clear_messages()
			return e


def apply_order(order: dict, escrow: dict | None, shop, settings, ctx: mapper.ShopContext) -> OrderResult:
	"""Bring one Shopee order's ERPNext documents to its current status, each transition once."""
	order_sn = order["order_sn"]
	target = mapper.order_stage(order.get("order_status"), book_unpaid=bool(settings.book_unpaid_orders))
	so_name = docs.find_sales_order(order_sn)
	reinstated = bool(so_name) and is_active(target) and docs.docstatus(so_name) == 2
	if reinstated:  # the buyer's cancellation was rejected: the order goes on
		so_name = docs.reinstate_sales_order(so_name, order.get("order_status"))
	todo = remaining_steps(so_name, target, settings)
	if not so_name and target != DRAFT and (not todo or todo == [CANCEL]):
		return OrderResult("skipped", f"{order_sn}: {order.get('order_status')} needs no document")
	created = False
	if not so_name:
		so_name, created = create_sales_order(order, escrow, target, shop, settings, ctx)
		if not created:  # a concurrent run booked it first: redo the plan against its documents
			todo = remaining_steps(so_name, target, settings)
	elif SALES_ORDER in todo and not reinstated and docs.docstatus(so_name) == 0:  # booked unpaid, paid now
		reprice_draft(so_name, order, escrow, target, shop, settings, ctx)
	for step in todo:
		apply_step(step, so_name, order, shop)
	docs.record_pushed_update_time(so_name, order.get("update_time"))
	_record_status(so_name, order.get("order_status"))
	action = "created" if created else ("updated" if todo or reinstated else "unchanged")
	steps = (["reinstated"] if reinstated else []) + todo
	summary = f"{order_sn}: {order.get('order_status')}; " + (", ".join(steps) if steps else "no change")
	return OrderResult(action, summary, "Sales Order", so_name)


def remaining_steps(so_name: str | None, target: str, settings) -> list[str]:
	"""Transitions still to make for the order's documents to reach the target stage."""
	return mapper.stages_to_apply(
		docs.transitions_done(so_name), target, invoice_at_shipment=bool(settings.invoice_at_shipment)
	)


def _record_status(so_name: str, status: str | None) -> None:
	if status and frappe.db.get_value("Sales Order", so_name, ORDER_STATUS_FIELD) != status:
		frappe.db.set_value("Sales Order", so_name, ORDER_STATUS_FIELD, status, update_modified=False)


def create_sales_order(
	order: dict, escrow: dict | None, target: str, shop, settings, ctx
) -> tuple[str, bool]:
	"""Insert the Sales Order; when a concurrent run won the unique index, use its order."""
	mapped, customer, address = prepare_booking(order, escrow, target, shop, settings, ctx)
	so = docs.build_sales_order(mapped, shop, settings, customer, address, order.get("buyer_username") or "")
	try:
		with docs.savepoint("shopee_sales_order"):
			so.insert(ignore_permissions=True)
	except frappe.UniqueValidationError:
		return docs.find_sales_order(order["order_sn"]), False
	docs.check_grand_total(so, mapped)
	return so.name, True


def reprice_draft(so_name: str, order: dict, escrow: dict | None, target: str, shop, settings, ctx) -> None:
	"""An order booked unpaid is paid now: refill its draft from escrow figures, keeping its name."""
	mapped, customer, address = prepare_booking(order, escrow, target, shop, settings, ctx)
	draft = frappe.get_doc("Sales Order", so_name)
	docs.fill_sales_order(draft, mapped, shop, settings, customer, address, order.get("buyer_username") or "")
	draft.save(ignore_permissions=True)
	docs.check_grand_total(draft, mapped)


def prepare_booking(order: dict, escrow: dict | None, target: str, shop, settings, ctx):
	"""(mapped Sales Order, Customer, Address) for an order; a paid order needs its escrow detail."""
	lookup = item_lookup(shop, order, bool(settings.auto_create_items))
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


def item_lookup(shop, order: dict, auto_create: bool):
	"""(item_id, model_id, sku) → Item by ids, then by SKU, else created when allowed; SKU hits are remembered."""
	names = {
		(str(line.get("item_id")), str(line.get("model_id") or 0)): line.get("item_name")
		for line in order.get("item_list") or []
	}

	def lookup(item_id: str, model_id: str, sku: str | None) -> str | None:
		model_id = model_id or "0"
		mapped = mapped_item(shop.name, item_id, model_id)
		if mapped:
			return mapped
		item_code = item_by_sku(shop.name, sku)
		if not item_code and auto_create and sku:
			item_code = create_item(sku, names.get((item_id, model_id)) or sku)
		if item_code:
			remember_item(shop.name, item_id, model_id, sku, item_code, names.get((item_id, model_id)))
		return item_code

	return lookup


def can_map_lines(shop: str, order: dict, auto_create: bool) -> bool:
	"""Whether every line of the order resolves to an Item (read-only: creates and remembers nothing)."""

	def find(item_id: str, model_id: str, sku: str | None) -> bool:
		return bool(
			mapped_item(shop, item_id, model_id or "0") or item_by_sku(shop, sku) or (auto_create and sku)
		)

	return not mapper.unmapped_lines(order, find)


def mapped_item(shop: str, item_id: str, model_id: str) -> str | None:
	return frappe.db.get_value(
		ITEM_MAP, {"shop": shop, "item_id": item_id, "model_id": model_id}, "item_code"
	)


def item_by_sku(shop: str, sku: str | None) -> str | None:
	"""A Shopee Item Map row with the SKU, else an Item named by the SKU."""
	if not sku:
		return None
	return frappe.db.get_value(ITEM_MAP, {"shop": shop, "sku": sku}, "item_code") or (
		sku if frappe.db.exists("Item", sku) else None
	)


def create_item(sku: str, item_name: str) -> str:
	doc = frappe.get_doc(
		{
			"doctype": "Item",
			"item_code": sku,
			"item_name": (item_name or sku)[:140],
			"item_group": frappe.db.get_single_value("Stock Settings", "item_group") or "All Item Groups",
			"stock_uom": frappe.db.get_single_value("Stock Settings", "stock_uom") or "Nos",
			"is_stock_item": 1,
		}
	).insert(ignore_permissions=True)
	return doc.name


def remember_item(shop: str, item_id: str, model_id: str, sku: str | None, item_code: str, name: str | None):
	"""Write the resolved mapping down so users can see and edit it."""
	try:
		with docs.savepoint("shopee_item_map"):
			frappe.get_doc(
				{
					"doctype": ITEM_MAP,
					"shop": shop,
					"item_id": item_id,
					"model_id": model_id,
					"sku": sku,
					"item_code": item_code,
					"shopee_item_name": (name or "")[:140],
				}
			).insert(ignore_permissions=True)
	except frappe.UniqueValidationError:
		pass


def sync_incremental_orders(shop: str, now: int | None = None, triggered_by: str | None = None) -> str:
	"""Pull every order updated since the shop's checkpoint; returns the Shopee Sync Log name."""
	run = SyncRun("sync_incremental_orders", shop, triggered_by)
	sync = OrderSync(shop, run)
	now = int(now or time.time())
	start = checkpoint_start(sync.shop, sync.settings, now)
	retry = pending_orders(shop)  # batched with the first window's orders: no extra detail call
	try:
		for window_from, window_to in time_windows(start, now):
			order_sns = [row["order_sn"] for row in sync.client.iter_order_list(window_from, window_to)]
			run.add("fetched", len(order_sns))
			record_results(sync, run, sync.sync_order_sns(retry + order_sns))
			retry = []
			advance_checkpoint(shop, window_to)
			publish_progress(run.log.triggered_by, shop, window_to, start, now)
		if retry:
			record_results(sync, run, sync.sync_order_sns(retry))
	except Exception as e:
		frappe.db.rollback()
		run.finish(e, window_from=epoch_to_datetime(start), window_to=epoch_to_datetime(now))
		raise
	run.finish(window_from=epoch_to_datetime(start), window_to=epoch_to_datetime(now))
	return run.name


def checkpoint_start(shop, settings, now: int) -> int:
	"""Where the next window starts: the checkpoint minus an overlap, or N days back on the first run."""
	if shop.orders_synced_until:
		return max(0, int(shop.orders_synced_until) - int(settings.sync_overlap_seconds or 0))
	return now - int(settings.initial_sync_days or 14) * 86400


def advance_checkpoint(shop: str, window_to: int) -> None:
	"""Move the checkpoint only after the window's orders are committed."""
	frappe.db.set_value(SHOP, shop, {"orders_synced_until": window_to, "last_order_sync": now_datetime()})
	frappe.db.commit()  # nosemgrep: the checkpoint is the run's progress


def record_results(sync: OrderSync, run: SyncRun, results: dict) -> None:
	"""Count outcomes; failed orders go to the shop's pending list and are retried by the next run."""
	pending = set(pending_orders(sync.shop.name))
	for order_sn, result in results.items():
		if isinstance(result, Exception):
			run.add_error(order_sn, f"{type(result).__name__}: {result}")
			pending.add(order_sn)
			continue
		pending.discard(order_sn)
		run.add({"created": "created_count", "updated": "updated"}.get(result.action, "skipped"))
	save_pending_orders(sync.shop.name, pending)


def pending_orders(shop: str) -> list[str]:
	return json.loads(frappe.db.get_value(SHOP, shop, "pending_order_sns") or "[]")


def save_pending_orders(shop: str, order_sns: set[str]) -> None:
	frappe.db.set_value(SHOP, shop, "pending_order_sns", json.dumps(sorted(order_sns)), update_modified=False)
	frappe.db.commit()  # nosemgrep: the retry list must survive a crash of the run


def publish_progress(user: str, shop: str, done_to: int, start: int, end: int) -> None:
	"""Realtime progress for the user who started the sync (Desk shows it as a progress bar)."""
	percent = 100 if end <= start else int(100 * (done_to - start) / (end - start))
	message = {"percent": percent, "title": _("Shopee order sync"), "description": _("Shop {0}").format(shop)}
	frappe.publish_realtime("progress", message, user=user, after_commit=True)


def sync_order(shop: str, order_sn: str) -> OrderResult:
	"""Re-sync one order now (webhook handler, Sales Order button); raises when it cannot be written."""
	user = frappe.session.user
	frappe.set_user("Administrator")  # documents are written by the integration, not the clicking user
	try:
		result = OrderSync(shop).sync_order_sns([order_sn]).get(order_sn)
	finally:
		frappe.set_user(user)
	if result is None:
		raise frappe.DoesNotExistError(_("Shopee has no order {0} for shop {1}").format(order_sn, shop))
	if isinstance(result, Exception):
		raise result
	return result
