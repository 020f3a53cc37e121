"""Which ERPNext documents a Shopee order status calls for, and which of them are still to do."""

SKIP, DRAFT, ORDER = "skip", "draft", "order"
DELIVERED, COMPLETED, CANCELLED = "delivered", "completed", "cancelled"
SALES_ORDER, DELIVERY_NOTE, SALES_INVOICE, CANCEL = "sales_order", "delivery_note", "sales_invoice", "cancel"
# not a step to take: a Sales Order booked while unpaid exists as a draft, waiting for the payment
SALES_ORDER_DRAFT = "sales_order_draft"
TRANSITIONS = (SALES_ORDER_DRAFT, SALES_ORDER, DELIVERY_NOTE, SALES_INVOICE, CANCEL)

STATUS_STAGES = {
	"UNPAID": SKIP,
	"INVOICE_PENDING": SKIP,
	"PENDING": SKIP,
	"READY_TO_SHIP": ORDER,
	"PROCESSED": ORDER,
	"RETRY_SHIP": ORDER,
	"SHIPPED": DELIVERED,
	"TO_CONFIRM_RECEIVE": DELIVERED,
	"COMPLETED": COMPLETED,
	"TO_RETURN": COMPLETED,
	"IN_CANCEL": CANCELLED,
	"CANCELLED": CANCELLED,
}


def order_stage(status: str | None, book_unpaid: bool = False) -> str:
	"""Target stage of a Shopee order status: skip, draft, order, delivered, completed or cancelled.

	An unpaid order, when booked at all, is a draft: what Shopee funds is only known once it is paid.
	"""
	if status == "UNPAID" and book_unpaid:
		return DRAFT
	return STATUS_STAGES.get(status or "", SKIP)


def is_active(target: str) -> bool:
	"""A stage of an order that goes on: it needs a live Sales Order."""
	return target in (ORDER, DELIVERED, COMPLETED)


def stages_to_apply(done: list[str], target: str, invoice_at_shipment: bool = False) -> list[str]:
	"""Transitions still to make, in order, to bring an order whose `done` transitions exist to `target`.

	Nothing is repeated or undone: a cancelled order stays cancelled, and an order that never got a
	Sales Order needs no cancel.
	"""
	unknown = set(done) - set(TRANSITIONS)
	if unknown:
		raise ValueError(f"Unknown transitions: {sorted(unknown)}")
	if CANCEL in done:
		return []
	if target == CANCELLED:
		return [CANCEL] if SALES_ORDER in done or SALES_ORDER_DRAFT in done else []
	return [step for step in _plan(target, invoice_at_shipment) if step not in done]


def _plan(target: str, invoice_at_shipment: bool) -> list[str]:
	"""All transitions that make up `target`, in the order they must happen."""
	if target in (SKIP, DRAFT):
		return []
	if target == ORDER:
		return [SALES_ORDER]
	if target == DELIVERED:
		return [SALES_ORDER, DELIVERY_NOTE] + ([SALES_INVOICE] if invoice_at_shipment else [])
	if target == COMPLETED:
		return [SALES_ORDER, DELIVERY_NOTE, SALES_INVOICE]
	raise ValueError(f"Unknown target stage: {target!r}")
