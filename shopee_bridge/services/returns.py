"""Shopee returns into ERPNext: an incremental pull by update time, one Shopee Return per return_sn, and
the documents each return calls for.

- A return is stored from its detail (get_return_detail; the list row alone while the detail cannot
  be read, marked to fetch again). A state older than the stored one is ignored; an unchanged one is
  not saved again.
- Refund: once Shopee settles the return as ACCEPTED with a refund, a credit note against the order's
  invoice for exactly the returned items and the refund (return_documents.make_credit_note); an order
  not invoiced yet is invoiced first.
- Goods back: when the return ships goods back (needs_logistics) and the parcel is delivered to the
  seller (reverse_logistics_status LOGISTICS_DELIVERY_DONE), a return Delivery Note into the shop's
  returns warehouse. A refund-only return keeps the goods with the buyer: no stock moves.
Each document is its own unit of work; one that cannot be made leaves the return "Waiting" with the
reason, and every later sync run retries it (without calling Shopee).
"""

import hashlib
import time

import frappe
from frappe import _
from frappe.utils import flt, now_datetime

from shopee_bridge.client_endpoints import time_windows
from shopee_bridge.clients import ShopeeError
from shopee_bridge.constants import RETURN, SHOP
from shopee_bridge.mappers.returns import goods_are_back, map_return, refund_is_final
from shopee_bridge.services import items, return_documents
from shopee_bridge.services import order_documents as docs
from shopee_bridge.services.sync_log import SyncRun, sync_start
from shopee_bridge.shop_client import get_settings, make_client
from shopee_bridge.utils import epoch_to_datetime, savepoint

OPEN_STATES = frozenset({"REQUESTED", "PROCESSING", "JUDGING", "SELLER_DISPUTE"})
PARCEL_ON_ITS_WAY = frozenset(
	{
		"LOGISTICS_PENDING_ARRANGE",
		"LOGISTICS_READY",
		"LOGISTICS_REQUEST_CREATED",
		"LOGISTICS_PICKUP_RETRY",
		"LOGISTICS_PICKUP_DONE",
	}
)
DATETIME_FIELDS = (
	"offer_due_date",
	"return_ship_due_date",
	"return_seller_due_date",
	"due_date",
	"create_time",
	"update_time",
)


def sync_incremental_returns(shop: str, now: int | None = None, triggered_by: str | None = None) -> str:
	"""Pull every return updated since the shop's checkpoint (15-day windows, page_no); returns the Sync Log."""
	run = SyncRun("sync_incremental_returns", shop, triggered_by)
	shop_doc = frappe.get_doc(SHOP, shop)
	client = make_client(shop, on_call=run.count_call)
	now = int(now or time.time())
	start = sync_start(shop_doc.returns_synced_until, get_settings(), now)
	try:
		for window_from, window_to in time_windows(start, now):
			rows = list(client.iter_returns(update_time_from=window_from, update_time_to=window_to))
			run.add("fetched", len(rows))
			for row in rows:
				count_result(run, row["return_sn"], sync_row(client, shop_doc, row))
			advance_checkpoint(shop, window_to)
		for name in pending_returns(shop):
			count_result(run, name, sync_row(client, shop_doc, None, name))
	except Exception as e:
		frappe.db.rollback()
		run.finish(e, window_from=epoch_to_datetime(start), window_to=epoch_to_datetime(now))
		raise
	run.finish(window_from=epoch_to_datetime(start), window_to=epoch_to_datetime(now))
	return run.name


def advance_checkpoint(shop: str, window_to: int) -> None:
	frappe.db.set_value(SHOP, shop, {"returns_synced_until": window_to, "last_return_sync": now_datetime()})
	frappe.db.commit()  # nosemgrep: the checkpoint is the run's progress


def count_result(run: SyncRun, reference: str, result: dict) -> None:
	run.add({"created": "created_count", "updated": "updated"}.get(result["action"], "skipped"))
	if result.get("error"):
		run.add_error(reference, result["error"])


def pending_returns(shop: str) -> list[str]:
	"""Returns to try again: a document is waiting, or only the list row could be stored."""
	return frappe.get_all(
		RETURN,
		filters={"shop": shop},
		or_filters={"document_status": "Waiting", "detail_pending": 1},
		pluck="name",
	)


def sync_row(client, shop_doc, row: dict | None, name: str | None = None) -> dict:
	"""Fetch one return's detail, store it and make its documents; never raises (the result says)."""
	return_sn = row["return_sn"] if row else name
	error = None
	try:
		detail, pending = client.get_return_detail(return_sn), False
	except ShopeeError as e:
		detail, pending, error = row, True, _("detail not read: {0}").format(e)
	try:
		action = "skipped"
		if detail:
			action = store_return(shop_doc, detail, pending)
		outcome = process_return(return_sn)
	except Exception as e:
		frappe.db.rollback()
		frappe.clear_messages()
		return {"action": "skipped", "error": str(e)}
	return {"action": action, "error": error or outcome.get("waiting")}


def sync_return(shop: str, return_sn: str) -> dict:
	"""Bring one return up to date now (push 29, Desk, after a seller action); raises Shopee's errors."""
	shop_doc = frappe.get_doc(SHOP, shop)
	detail = make_client(shop).get_return_detail(return_sn)
	action = store_return(shop_doc, detail)
	return {"action": action, **process_return(return_sn)}


def store_return(shop_doc, detail: dict, detail_pending: bool = False) -> str:
	"""Upsert the Shopee Return (created, updated, unchanged or stale); committed."""
	mapped = map_return(detail, shop_doc.currency)
	stored = frappe.db.get_value(
		RETURN, mapped["return_sn"], ["shopee_update_time", "sync_hash", "detail_pending"], as_dict=True
	)
	if stored and int(stored.shopee_update_time or 0) > mapped["update_time"]:
		return "stale"
	if stored and detail_pending and not stored.detail_pending:
		return "unchanged"  # a list row never replaces a stored detail
	values = return_values(shop_doc, mapped, detail_pending)
	digest = hashlib.sha1(frappe.as_json(values).encode()).hexdigest()
	if stored and stored.sync_hash == digest:
		return "unchanged"
	action = _write(mapped["return_sn"], values, digest, bool(stored))
	frappe.db.commit()  # nosemgrep: each return is its own unit of work
	return action


def _write(return_sn: str, values: dict, digest: str, exists: bool) -> str:
	if not exists:
		doc = frappe.new_doc(RETURN)
		doc.update({**values, "sync_hash": digest, "last_synced": now_datetime()})
		try:
			with savepoint("shopee_return"):
				doc.insert(ignore_permissions=True)
			return "created"
		except frappe.DuplicateEntryError:  # a push and the sync stored it at the same time
			frappe.clear_messages()
	doc = frappe.get_doc(RETURN, return_sn, for_update=True)
	previous = doc.status
	doc.update({**values, "sync_hash": digest, "last_synced": now_datetime()})
	doc.save(ignore_permissions=True)
	if previous != doc.status:
		doc.add_comment("Info", _("Shopee status {0} → {1}").format(previous or "-", doc.status))
	return "updated"


def return_values(shop_doc, mapped: dict, detail_pending: bool) -> dict:
	"""The Shopee Return's fields from a mapped return, with the order's documents linked."""
	values = {
		key: value
		for key, value in mapped.items()
		if key not in ("items", "buyer_evidence", *DATETIME_FIELDS)
	}
	values.update({key: epoch_to_datetime(mapped[key]) for key in DATETIME_FIELDS})
	values.update(
		shop=shop_doc.name,
		currency=mapped["currency"] or shop_doc.currency,
		refund_amount=flt(mapped["refund_amount"]),
		amount_before_discount=flt(mapped["amount_before_discount"]),
		latest_offer_amount=flt(mapped["latest_offer_amount"]),
		needs_logistics=int(mapped["needs_logistics"]),
		buyer_evidence="\n".join(mapped["buyer_evidence"]),
		shopee_update_time=mapped["update_time"],
		detail_pending=int(detail_pending),
		sales_order=docs.find_sales_order(mapped["order_sn"]),
		sales_invoice=return_documents.order_invoice(mapped["order_sn"]),
		items=[_item_row(shop_doc.name, item) for item in mapped["items"]],
	)
	return values


def _item_row(shop: str, item: dict) -> dict:
	item_code = items.mapped_item(shop, item["item_id"], item["model_id"]) or items.item_by_sku(
		shop, item["variation_sku"] or item["item_sku"]
	)
	return {
		**{key: value for key, value in item.items() if key not in ("item_price", "refund_amount")},
		"item_code": item_code,
		"item_price": flt(item["item_price"]),
		"refund_amount": flt(item["refund_amount"]),
	}


def process_return(name: str) -> dict:
	"""Make the documents the return calls for (each committed alone) and set its booking status."""
	doc = frappe.get_doc(RETURN, name)
	state = _state(doc)
	failures = []
	steps = (
		(refund_is_final(state) and not doc.credit_note, "credit_note", return_documents.make_credit_note),
		(
			goods_are_back(state) and not doc.return_delivery_note,
			"return_delivery_note",
			return_documents.make_return_delivery_note,
		),
	)
	for due, field, make in steps:
		if not due:
			continue
		try:
			made = make(frappe.get_doc(RETURN, name))
			frappe.db.set_value(RETURN, name, field, made, update_modified=False)
			frappe.db.commit()  # nosemgrep: each document of a return is its own unit of work
		except Exception as e:
			frappe.db.rollback()
			frappe.clear_messages()
			failures.append(f"{_(doc.meta.get_label(field))}: {e}")
	return _set_booking_status(name, failures)


def _state(doc) -> dict:
	return {
		"status": doc.status,
		"refund_amount": flt(doc.refund_amount),
		"needs_logistics": bool(doc.needs_logistics),
		"reverse_logistics_status": doc.reverse_logistics_status or "",
	}


def booking_status(doc, failures: list[str]) -> str:
	"""Waiting (a document failed), Open (Shopee is not done), Done, or Nothing to Book."""
	state = _state(doc)
	if failures:
		return "Waiting"
	parcel_coming = state["needs_logistics"] and state["reverse_logistics_status"] in PARCEL_ON_ITS_WAY
	if state["status"] in OPEN_STATES or (state["status"] == "ACCEPTED" and parcel_coming):
		return "Open"
	return "Done" if refund_is_final(state) or goods_are_back(state) else "Nothing to Book"


def open_reason(doc, status: str) -> str | None:
	"""What an Open return waits for on Shopee's side (nothing to do in ERPNext meanwhile)."""
	if status != "Open":
		return None
	if doc.status in OPEN_STATES:
		return _("Shopee's decision on the return (now {0}): answer it on Shopee or from this form").format(
			doc.status
		)
	return _(
		"The parcel on its way back ({0}): the goods are received when Shopee reports it delivered"
	).format(doc.reverse_logistics_status)


def _set_booking_status(name: str, failures: list[str]) -> dict:
	doc = frappe.get_doc(RETURN, name)
	status = booking_status(doc, failures)
	values = {
		"document_status": status,
		"waiting_reason": "\n".join(failures) or open_reason(doc, status),
		"sales_invoice": return_documents.order_invoice(doc.order_sn),
		"sales_order": docs.find_sales_order(doc.order_sn),
	}
	if any(doc.get(key) != value for key, value in values.items()):
		frappe.db.set_value(RETURN, name, values, update_modified=False)
		frappe.db.commit()  # nosemgrep: the booking status is the outcome of this unit of work
	return {"document_status": status, "waiting": "; ".join(failures) or None}
