"""Shopee Waiting Order: orders, or steps of orders, that wait for something a user can act on.

One row per order, named by its order_sn: the first waiting step and its reason, every waiting step
in `details`, and when it is retried next (the webhook backoff schedule, never given up). The row is
deleted once the order has every document its status calls for, or turned into a "Review Amounts"
row when its Sales Order carries a Shopee difference; users delete those once reviewed.
"""

from dataclasses import dataclass

import frappe
from frappe import _
from frappe.utils import add_to_date, now_datetime, strip_html

from shopee_bridge.clients import ShopeeError
from shopee_bridge.constants import RESIDUAL_FIELD, WAITING_ORDER, WAITING_REASON_FIELD
from shopee_bridge.mappers.orders import UnmappedSKUError
from shopee_bridge.mappers.shape import MalformedShopeeData
from shopee_bridge.mappers.stages import CANCEL, DELIVERY_NOTE, SALES_INVOICE, SALES_ORDER
from shopee_bridge.services.order_errors import (
	MissingEscrowError,
	MissingOrderDetailError,
	NoStockError,
	ShopSetupError,
)
from shopee_bridge.utils import truncate
from shopee_bridge.webhooks import retry_delay

STEP_LABELS = {
	SALES_ORDER: "Sales Order",
	DELIVERY_NOTE: "Delivery Note",
	SALES_INVOICE: "Sales Invoice",
	CANCEL: "Cancel",
}
REVIEW = "Review Amounts"
RESIDUAL = "Amount Residual"

# (reason code, words in ERPNext's message or the exception's class name, what the user can do)
REASONS = (
	("No Stock", ("NegativeStockError", "needed in Warehouse", "Insufficient Stock"), "Receive stock into the warehouse (or allow negative stock), then press Retry."),
	("No Valuation Rate", ("Valuation Rate",), "Set a valuation rate on the Item or receive stock with a cost, then press Retry."),
	("Closed Period", ("ClosedAccountingPeriod", "Accounting Period", "FiscalYearError", "Fiscal Year", "frozen", "not authorized to add or update entries"), "Reopen the period or add the Fiscal Year for the order's date, then press Retry."),
)  # fmt: skip


@dataclass(frozen=True)
class StepFailure:
	step: str
	reason_code: str
	message: str

	@property
	def label(self) -> str:
		return f"{STEP_LABELS.get(self.step, self.step)}: {self.message}"


def step_failure(step: str, error: Exception) -> StepFailure:
	"""A failed step with a reason code and a message a user can act on."""
	message = " ".join(strip_html(str(error)).split()) or type(error).__name__
	if isinstance(error, UnmappedSKUError):
		hint = _("Map them in Shopee Item Map (or turn on Auto-create Items), then press Retry.")
		return StepFailure(step, "Unmapped Item", f"{message}. {hint}")
	if isinstance(error, MissingEscrowError):
		return StepFailure(step, "Missing Escrow", message)
	if isinstance(error, MissingOrderDetailError):
		return StepFailure(step, "Missing Order Detail", message)
	if isinstance(error, ShopSetupError):
		return StepFailure(step, "Shop Setup", message)
	if isinstance(error, NoStockError):
		return StepFailure(step, "No Stock", f"{message}. {_(REASONS[0][2])}")
	if isinstance(error, ShopeeError | MalformedShopeeData):
		return StepFailure(step, "Shopee Error", message)
	haystack = f"{type(error).__name__} {message}"
	for code, words, hint in REASONS:
		if any(word.lower() in haystack.lower() for word in words):
			return StepFailure(step, code, f"{message}. {_(hint)}")
	return StepFailure(step, "Other", f"{type(error).__name__}: {message}")


def update(
	shop: str, order_sn: str, sales_order: str | None, failures: list[StepFailure], new_residual=0
) -> None:
	"""Record the order's waiting steps, or resolve its row when nothing waits any more.

	new_residual is the Shopee difference of a Sales Order this run booked: it is listed for review.
	"""
	if failures:
		record(shop, order_sn, sales_order, failures)
	elif new_residual:
		flag_residual(shop, order_sn, sales_order, new_residual)
		set_reason_on_order(sales_order, None)
	elif frappe.db.exists(WAITING_ORDER, order_sn):
		resolve(order_sn, sales_order)


def record(shop: str, order_sn: str, sales_order: str | None, failures: list[StepFailure]) -> None:
	first = failures[0]
	row = frappe.db.get_value(WAITING_ORDER, order_sn, ["attempts", "first_seen"], as_dict=True)
	attempts = (row.attempts if row else 0) + 1
	values = {
		"shop": shop,
		"sales_order": sales_order,
		"step": STEP_LABELS.get(first.step, first.step),
		"reason_code": first.reason_code,
		"reason": truncate(first.message, 2000),
		"details": truncate("\n".join(failure.label for failure in failures), 4000),
		"attempts": attempts,
		"last_tried": now_datetime(),
		"next_retry_at": add_to_date(now_datetime(), seconds=retry_delay(attempts)),
	}
	if row:
		frappe.db.set_value(WAITING_ORDER, order_sn, values)
	else:
		_insert(order_sn, values)
	if sales_order:
		set_reason_on_order(sales_order, "\n".join(failure.label for failure in failures))


def _insert(order_sn: str, values: dict) -> None:
	doc = frappe.get_doc(
		{"doctype": WAITING_ORDER, "order_sn": order_sn, "first_seen": now_datetime(), **values}
	)
	doc.insert(ignore_permissions=True)


def resolve(order_sn: str, sales_order: str | None) -> None:
	"""Nothing waits: delete the row, or keep it for review when the order carries a Shopee difference."""
	if sales_order:
		set_reason_on_order(sales_order, None)
	residual = sales_order and frappe.db.get_value("Sales Order", sales_order, RESIDUAL_FIELD)
	if residual:
		flag_residual(frappe.db.get_value(WAITING_ORDER, order_sn, "shop"), order_sn, sales_order, residual)
	else:
		frappe.delete_doc(WAITING_ORDER, order_sn, ignore_permissions=True, force=True)


def flag_residual(shop: str, order_sn: str, sales_order: str, residual) -> None:
	"""A booked order whose identity did not close: list it for review (never retried)."""
	values = {
		"shop": shop,
		"sales_order": sales_order,
		"step": REVIEW,
		"reason_code": RESIDUAL,
		"reason": _(
			"Shopee's buyer-side figures differ from what the seller sold for by {0}; it is booked on the"
			" shop's Shopee Difference Account. Check the order on Shopee, then delete this row."
		).format(residual),
		"details": "",
		"next_retry_at": None,
		"last_tried": now_datetime(),
	}
	if frappe.db.exists(WAITING_ORDER, order_sn):
		frappe.db.set_value(WAITING_ORDER, order_sn, values)
	else:
		_insert(order_sn, {**values, "attempts": 0})


def set_reason_on_order(sales_order: str, reason: str | None) -> None:
	if frappe.db.get_value("Sales Order", sales_order, WAITING_REASON_FIELD) != reason:
		frappe.db.set_value(
			"Sales Order", sales_order, WAITING_REASON_FIELD, truncate(reason, 2000) if reason else None
		)


def due_order_sns(shop: str, limit: int = 1000) -> list[str]:
	"""The shop's waiting orders whose next retry has come (review rows are never due)."""
	return frappe.get_all(
		WAITING_ORDER,
		filters={"shop": shop, "next_retry_at": ["<=", now_datetime()]},
		pluck="name",
		order_by="next_retry_at asc",
		limit=limit,
	)


def make_due(order_sns: list[str]) -> list[str]:
	"""Desk "Retry": the rows are due now; returns those that can be retried."""
	due = []
	for order_sn in order_sns:
		if frappe.db.get_value(WAITING_ORDER, order_sn, "step") not in (None, REVIEW):
			frappe.db.set_value(WAITING_ORDER, order_sn, "next_retry_at", now_datetime())
			due.append(order_sn)
	return due


def make_reason_due(shop: str, reason_code: str) -> None:
	"""What blocked these orders was just fixed (e.g. a listing was mapped): retry them on the next run."""
	for order_sn in frappe.get_all(
		WAITING_ORDER, filters={"shop": shop, "reason_code": reason_code}, pluck="name"
	):
		frappe.db.set_value(WAITING_ORDER, order_sn, "next_retry_at", now_datetime(), update_modified=False)
