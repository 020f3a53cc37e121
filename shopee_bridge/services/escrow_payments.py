"""Escrow releases and order adjustments in the wallet, as Payment Entries against the order's invoice.

ESCROW_VERIFIED_ADD and ADJUSTMENT_ADD become a Receive entry from the order's customer into the
Shopee Wallet account; ESCROW_VERIFIED_MINUS and ADJUSTMENT_MINUS (Shopee takes money back, e.g. a
refund larger than the escrow) a Pay entry. Each is dated at the wallet row, for its amount, against
the Sales Invoice whose receivable the settlement brought down to what Shopee pays: the wallet is
valued at the release date's rate and the invoice at its own, and ERPNext books the exchange difference.
One entry per transaction_id (unique key). A row waits, with its reason, while the invoice's
receivable does not cover it (escrow not settled yet, or a figure that differs).

Shop-level adjustments (no order) are a Journal Entry between the wallet and the Order Adjustments account.
"""

import frappe
from frappe import _
from frappe.utils import flt, getdate

from shopee_bridge.constants import (
	ENTRY_KEY_FIELD,
	ORDER_SN_FIELD,
	SETTLEMENT,
	SHOP_FIELD,
	WALLET_TRANSACTION,
)
from shopee_bridge.mappers import finance as terms
from shopee_bridge.mappers.money import quantize, to_decimal
from shopee_bridge.mappers.wallet import ADJUSTMENT_TYPES, ORDER_TYPES
from shopee_bridge.services.finance_accounts import fee_account, wallet_account
from shopee_bridge.services.settlement_entries import entry_for_key, erpnext_base, submit_once
from shopee_bridge.services.wallet import exchange_rate, mark_row

WAITING = ("Pending", "Waiting")


def pay_orders(ctx, only: set[str] | None = None) -> set[str]:
	"""Book the wallet's pending order rows, oldest first; returns the orders paid now."""
	filters = {
		"shop": ctx.shop.name,
		"booking_status": ["in", WAITING],
		"transaction_type": ["in", ORDER_TYPES],
		"order_sn": ["in", list(only)] if only else ["is", "set"],
	}
	paid = set()
	for row in frappe.get_all(
		WALLET_TRANSACTION,
		filters=filters,
		fields=["name", "order_sn", "transaction_type", "amount", "created_at", "currency"],
		order_by="create_time asc, name asc",
	):
		if pay_one(ctx, row):
			paid.add(row.order_sn)
	return paid


def pay_one(ctx, row) -> bool:
	"""One wallet row in its own transaction; True when it was booked now."""
	try:
		booked = book_payment(ctx, row)
		frappe.db.commit()  # nosemgrep: each wallet row is its own unit of work
		return booked
	except Exception as e:
		frappe.db.rollback()
		frappe.clear_messages()
		ctx.run.add_error(row.name, e)
		mark_row(row.name, "Waiting", message=str(e))
		frappe.db.commit()  # nosemgrep: the reason stays on the row until a run books it
		return False


def book_payment(ctx, row) -> bool:
	"""The Payment Entry of one escrow or adjustment row, when the invoice's receivable covers it."""
	invoice = frappe.db.get_value(
		"Sales Invoice",
		{ORDER_SN_FIELD: row.order_sn, "docstatus": 1, "is_return": 0},
		["name", "outstanding_amount", "currency"],
		as_dict=True,
	)
	if not invoice:
		return wait(
			row,
			_("Order {0} has no submitted Sales Invoice yet: it is paid once the order is invoiced").format(
				row.order_sn
			),
		)
	settlement = frappe.db.get_value(SETTLEMENT, row.order_sn, ["status", "escrow_amount"], as_dict=True)
	if not settlement or settlement.status not in ("Booked", "Released"):
		return wait(
			row,
			_("The escrow of order {0} is not settled yet: see its Shopee Escrow Settlement").format(
				row.order_sn
			),
		)
	amount = quantize(row.amount, invoice.currency)
	if not amount:
		mark_row(row.name, "Booked", message=_("Nothing to pay"))
		return True
	if row.transaction_type.startswith("ESCROW_") and amount != quantize(
		settlement.escrow_amount, invoice.currency
	):
		return wait(
			row,
			_(
				"The wallet released {0} but Shopee's escrow for the order says {1}: the next run fetches it again"
			).format(amount, settlement.escrow_amount),
		)
	outstanding = to_decimal(flt(invoice.outstanding_amount, 6))
	if (amount > 0 and outstanding < amount) or (amount < 0 and outstanding > amount):
		return wait(
			row,
			_(
				"Invoice {0} has {1} outstanding, which does not cover the wallet's {2}: check its payments and credit notes"
			).format(invoice.name, outstanding, amount),
		)
	mark_row(row.name, "Booked", "Payment Entry", payment_entry(ctx, row, invoice.name, amount))
	return True


def wait(row, message: str) -> bool:
	mark_row(row.name, "Waiting", message=message)
	return False


def payment_entry(ctx, row, invoice: str, amount) -> str:
	"""Receive (or Pay, for a negative amount) against the invoice into the wallet, dated at the row."""
	from erpnext.accounts.doctype.payment_entry.payment_entry import get_payment_entry

	key = f"wallet:{row.name}"
	existing = entry_for_key("Payment Entry", key)
	if existing:
		return existing
	date = getdate(row.created_at)
	pe = get_payment_entry(
		"Sales Invoice", invoice, bank_account=wallet_account(ctx.shop), reference_date=date
	)
	rate = exchange_rate(row.currency or ctx.shop.currency, ctx.company_currency, date)
	pe.update(
		{
			"posting_date": date,
			"reference_no": row.name,
			"reference_date": date,
			"bank_account": None,
			"source_exchange_rate": rate,
			"target_exchange_rate": rate,
			"paid_amount": float(abs(amount)),
			"received_amount": float(abs(amount)),
			"remarks": _("Shopee wallet {0} {1} for order {2}").format(
				row.transaction_type, row.name, row.order_sn
			),
			ORDER_SN_FIELD: row.order_sn,
			SHOP_FIELD: ctx.shop.name,
			ENTRY_KEY_FIELD: key,
		}
	)
	pe.set("references", pe.references[:1])
	pe.references[0].allocated_amount = float(amount)
	return submit_once(ctx, pe)


def order_payments(order_sn: str) -> list[str]:
	return frappe.get_all(
		"Payment Entry",
		filters={ORDER_SN_FIELD: order_sn, "docstatus": 1, ENTRY_KEY_FIELD: ["like", "wallet:%"]},
		pluck="name",
		order_by="posting_date asc, creation asc",
	)


def book_shop_adjustments(ctx) -> None:
	"""Adjustments that name no order: a Journal Entry between the wallet and the Order Adjustments account."""
	for row in frappe.get_all(
		WALLET_TRANSACTION,
		filters={
			"shop": ctx.shop.name,
			"booking_status": ["in", WAITING],
			"transaction_type": ["in", ADJUSTMENT_TYPES],
			"order_sn": ["in", ["", None]],
		},
		fields=["name", "transaction_type", "amount", "created_at", "currency", "reason"],
	):
		try:
			mark_row(row.name, "Booked", "Journal Entry", adjustment_entry(ctx, row))
			frappe.db.commit()  # nosemgrep: each wallet row is its own unit of work
		except Exception as e:
			frappe.db.rollback()
			frappe.clear_messages()
			ctx.run.add_error(row.name, e)
			mark_row(row.name, "Waiting", message=str(e))
			frappe.db.commit()  # nosemgrep: the reason stays on the row


def adjustment_entry(ctx, row) -> str:
	key = f"wallet:{row.name}"
	existing = entry_for_key("Journal Entry", key)
	if existing:
		return existing
	date = getdate(row.created_at)
	amount = to_decimal(flt(row.amount, 6))
	rate = exchange_rate(row.currency or ctx.shop.currency, ctx.company_currency, date)
	wallet_side, other_side = ("debit", "credit") if amount > 0 else ("credit", "debit")
	je = frappe.new_doc("Journal Entry")
	je.update(
		{
			"voucher_type": "Journal Entry",
			"company": ctx.shop.company,
			"posting_date": date,
			"multi_currency": int((row.currency or ctx.shop.currency) != ctx.company_currency),
			"user_remark": _("Shopee wallet adjustment {0}: {1}").format(row.name, row.reason or ""),
			SHOP_FIELD: ctx.shop.name,
			ENTRY_KEY_FIELD: key,
		}
	)
	je.append(
		"accounts",
		{
			"account": wallet_account(ctx.shop),
			f"{wallet_side}_in_account_currency": float(abs(amount)),
			"exchange_rate": rate,
		},
	)
	je.append(
		"accounts",
		{
			"account": fee_account(ctx.shop, terms.ADJUSTMENTS),
			f"{other_side}_in_account_currency": float(abs(erpnext_base(amount, rate))),
			"exchange_rate": 1,
			"cost_center": ctx.cost_center,
		},
	)
	return submit_once(ctx, je)
