"""What waits after a finance run, and why: on each record, and in the run's Shopee Sync Log.

The steps write their own reasons (a wallet row whose invoice does not cover it, a withdrawal that
cannot be booked, a deposit that does not match). This sweep covers the rest: a wallet row no step
picked up, and a settlement still quoting its wallet row's state from before the payments ran. The
run's first line names what the shop still lacks for finance (services/finance_readiness.py); its last
one counts what waits, with the commonest reason.
"""

from collections import Counter

import frappe
from frappe import _

from shopee_bridge.constants import SETTLEMENT, WALLET_TRANSACTION, WITHDRAWAL
from shopee_bridge.mappers.wallet import ORDER_TYPES, WITHDRAWAL_TYPES
from shopee_bridge.services.finance_readiness import finance_gaps
from shopee_bridge.services.wallet import mark_row
from shopee_bridge.utils import truncate

UNBOOKED = ("Pending", "Waiting")


def report_gaps(ctx) -> None:
	"""The run's first line and first rows: each gap the automatic set-up could not fill."""
	gaps = finance_gaps(ctx.shop)
	if not gaps:
		return
	messages = [gap["message"] for gap in gaps]
	add_summary(ctx, _("Finance setup incomplete: {0}").format(" | ".join(messages)), first=True)
	for message in messages:
		ctx.run.add_note(_("Finance setup"), message)


def explain_waiting(ctx) -> None:
	"""Every wallet row and settlement still waiting says why; the run's summary counts them."""
	for row in frappe.get_all(
		WALLET_TRANSACTION,
		filters={"shop": ctx.shop.name, "booking_status": "Pending"},
		fields=["name", "transaction_type", "order_sn", "withdrawal_id"],
	):
		mark_row(row.name, "Waiting", message=unbooked_reason(row))
	quote_wallet_reasons(ctx)
	frappe.db.commit()  # nosemgrep: the reasons are the records' state until a run books them
	summarize_waiting(ctx)


def unbooked_reason(row) -> str:
	"""Why no step of the run booked a handled wallet row."""
	if row.transaction_type in WITHDRAWAL_TYPES and not row.withdrawal_id:
		return _("Shopee sent this {0} without a withdrawal id: book it by hand").format(row.transaction_type)
	if row.transaction_type in WITHDRAWAL_TYPES and not frappe.db.exists(WITHDRAWAL, row.withdrawal_id):
		return _("Withdrawal {0} is not stored yet: the next finance run stores and books it").format(
			row.withdrawal_id
		)
	if row.transaction_type in ORDER_TYPES and not row.order_sn:
		return _("Shopee sent this {0} without an order number: book it by hand").format(row.transaction_type)
	return _("Not reached by this finance run: the next run books it")


def quote_wallet_reasons(ctx) -> None:
	"""A settlement waiting for its wallet row shows the row's reason as it stands after the payments."""
	reasons = {}
	for row in frappe.get_all(
		WALLET_TRANSACTION,
		filters={"shop": ctx.shop.name, "booking_status": ["in", UNBOOKED], "order_sn": ["is", "set"]},
		fields=["order_sn", "booking_message"],
		order_by="create_time asc, name asc",
	):
		reasons.setdefault(row.order_sn, row.booking_message)
	if not reasons:
		return
	for settlement in frappe.get_all(
		SETTLEMENT,
		filters={"name": ["in", list(reasons)], "status": "Booked"},
		fields=["name", "message"],
	):
		reason = truncate(reasons[settlement.name] or "", 1000)
		if reason and settlement.message != reason:
			frappe.db.set_value(SETTLEMENT, settlement.name, "message", reason, update_modified=False)


def summarize_waiting(ctx) -> None:
	"""The run's last line: how many wallet rows and withdrawals wait, and the commonest reason."""
	rows = frappe.get_all(
		WALLET_TRANSACTION,
		filters={"shop": ctx.shop.name, "booking_status": ["in", UNBOOKED]},
		pluck="booking_message",
	)
	withdrawals = frappe.get_all(
		WITHDRAWAL, filters={"shop": ctx.shop.name, "waiting_for": ["is", "set"]}, pluck="waiting_for"
	)
	if not rows and not withdrawals:
		return
	line = _("Waiting: {0} wallet rows, {1} withdrawals").format(len(rows), len(withdrawals))
	commonest = Counter(filter(None, rows + withdrawals)).most_common(1)
	if commonest:
		line += _("; {0} of them: {1}").format(commonest[0][1], commonest[0][0])
	add_summary(ctx, line)


def add_summary(ctx, line: str, first: bool = False) -> None:
	lines = [line, ctx.run.log.message] if first else [ctx.run.log.message, line]
	ctx.run.log.message = truncate("\n".join(filter(None, lines)), 1000)
