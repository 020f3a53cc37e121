"""The Journal Entries that explain an invoice down to its escrow, and what they booked so far.

One entry per change (an escrow version, a credit note, an adjustment): voucher type "Credit Note",
each escrow term on its own account (debit for a fee, credit for a rebate), and the receivable
credited against the Sales Invoice with the customer as party. Each term row carries its Shopee
component and its amount in the order's currency, so what was booked is read back from the ledger
itself; the entry's unique key makes a second insert for the same change fail in the database.

Multi-currency: the receivable is in the shop's currency at the invoice's exchange rate (ERPNext takes
the invoice's rate for a row that references it), and each term row is converted at the same rate on
its own, so a later reversal of a term takes exactly the same amount off its account; the cents the
rows' rounding loses against the receivable's converted amount go to the company's Round Off account.
A stand-alone credit note (Update Outstanding for Self) is allocated to its invoice in the same
entry, with the exchange difference on the company's Exchange Gain/Loss account if its rate differs.
"""

import hashlib
import json
from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import flt

from shopee_bridge.constants import (
	COMPONENT_AMOUNT_FIELD,
	COMPONENT_FIELD,
	ENTRY_KEY_FIELD,
	ORDER_SN_FIELD,
	SHOP_FIELD,
)
from shopee_bridge.mappers.finance import COMPONENT_FEE_TYPES, base_amounts
from shopee_bridge.mappers.money import ZERO, quantize, to_decimal
from shopee_bridge.services.finance_accounts import fee_account
from shopee_bridge.services.order_errors import ShopSetupError
from shopee_bridge.utils import savepoint

COMPONENT_LABELS = {
	"shopee_rebate_taken_back": "Shopee rebate taken back after a refund",
	"seller_return_refund": "Refund not covered by a credit note",
	"order_adjustment": "Shopee order adjustment",
	"remainder": "Unexplained remainder (Shopee difference)",
}


def booked_rows(order_sn: str, currency: str) -> list[dict]:
	"""What the order's submitted settlement entries booked, per (component, account), in the order's currency."""
	rows = frappe.db.sql(
		f"""select jea.{COMPONENT_FIELD} as component, jea.account, sum(jea.{COMPONENT_AMOUNT_FIELD}) as amount
		from `tabJournal Entry Account` jea join `tabJournal Entry` je on je.name = jea.parent
		where je.docstatus = 1 and je.{ORDER_SN_FIELD} = %s and ifnull(jea.{COMPONENT_FIELD}, '') != ''
		group by jea.{COMPONENT_FIELD}, jea.account order by jea.{COMPONENT_FIELD}, jea.account""",
		order_sn,
		as_dict=True,
	)
	booked = [
		{
			"component": row.component,
			"fee_type": COMPONENT_FEE_TYPES.get(row.component, ""),
			"account": row.account,
			"amount": quantize(to_decimal(round(row.amount or 0, 6)), currency),
		}
		for row in rows
	]
	return [row for row in booked if row["amount"]]


def booked_terms(order_sn: str, currency: str) -> dict[str, Decimal]:
	"""{component: amount} booked so far by the order's settlement entries (non-zero only)."""
	totals: dict[str, Decimal] = {}
	for row in booked_rows(order_sn, currency):
		totals[row["component"]] = totals.get(row["component"], ZERO) + row["amount"]
	return {component: amount for component, amount in totals.items() if amount}


def settlement_entries(order_sn: str) -> list[str]:
	return frappe.get_all(
		"Journal Entry",
		filters={ORDER_SN_FIELD: order_sn, "docstatus": 1, ENTRY_KEY_FIELD: ["like", "settle:%"]},
		pluck="name",
		order_by="posting_date asc, creation asc",
	)


def entry_key(order_sn: str, version: str, changes: dict, moves: list[dict]) -> str:
	"""settle:<order_sn>:<digest of what the entry books>: the same change can only be booked once."""
	payload = json.dumps(
		[version, {k: str(v) for k, v in changes.items()}, [[m["name"], str(m["amount"])] for m in moves]],
		sort_keys=True,
	)
	return f"settle:{order_sn}:{hashlib.sha1(payload.encode(), usedforsecurity=False).hexdigest()[:16]}"


def book_settlement(
	ctx, order, changes: dict[str, Decimal], moves: list[dict], key: str, posting_date
) -> str:
	"""Insert and submit the entry; when a concurrent run booked the same key first, return its entry."""
	return entry_for_key("Journal Entry", key) or submit_once(
		ctx, build_entry(ctx, order, changes, moves, key, posting_date)
	)


def entry_for_key(doctype: str, key: str) -> str | None:
	"""The Journal or Payment Entry that booked the Shopee event `key`, if any."""
	return frappe.db.get_value(doctype, {ENTRY_KEY_FIELD: key}, "name")


def submit_once(ctx, doc) -> str:
	"""Insert and submit a keyed entry; when a concurrent run booked the same key first, return its entry."""
	try:
		with savepoint("shopee_keyed_entry"):
			doc.insert(ignore_permissions=True)
			doc.submit()
	except frappe.UniqueValidationError:
		return entry_for_key(doc.doctype, doc.get(ENTRY_KEY_FIELD))
	ctx.run.add("created_count")
	return doc.name


def build_entry(ctx, order, changes: dict[str, Decimal], moves: list[dict], key: str, posting_date):
	"""The unsaved Journal Entry: a row per changed term, the receivable, and any credit note allocations."""
	rate = to_decimal(order.conversion_rate or 1)
	components = list(changes)
	total = sum(changes.values(), ZERO)
	rows, _total, rounding = base_amounts(
		[changes[c] for c in components], rate, total=erpnext_base(total, rate)
	)
	je = frappe.new_doc("Journal Entry")
	je.update(
		{
			"voucher_type": "Credit Note",
			"company": order.company,
			"posting_date": posting_date,
			"multi_currency": int(order.currency != ctx.company_currency),
			"user_remark": _("Shopee order {0}: invoice {1} explained down to the escrow amount").format(
				order.order_sn, order.sales_invoice
			),
			ORDER_SN_FIELD: order.order_sn,
			SHOP_FIELD: ctx.shop.name,
			ENTRY_KEY_FIELD: key,
		}
	)
	for component, base in zip(components, rows, strict=True):
		je.append("accounts", term_row(ctx, order, component, changes[component], base, rate))
	if total:
		je.append("accounts", receivable_row(order, "Sales Invoice", order.sales_invoice, -total, rate))
	if rounding:
		je.append("accounts", round_off_row(ctx, order.company, rounding))
	for move in moves:
		add_credit_note_allocation(ctx, je, order, move)
	return je


def term_row(ctx, order, component: str, amount: Decimal, base: Decimal, rate: Decimal) -> dict:
	"""A term's row: company-currency accounts take the converted amount, shop-currency ones the amount."""
	account = fee_account(ctx.shop, COMPONENT_FEE_TYPES[component])
	side = "debit" if amount > 0 else "credit"
	row = {
		"account": account,
		"cost_center": ctx.cost_center,
		"user_remark": COMPONENT_LABELS.get(component, component),
		COMPONENT_FIELD: component,
		COMPONENT_AMOUNT_FIELD: float(amount),
	}
	currency = frappe.get_cached_value("Account", account, "account_currency")
	if currency == ctx.company_currency:
		row.update({f"{side}_in_account_currency": float(abs(base)), "exchange_rate": 1})
	elif currency == order.currency:
		exact_rate = base / amount if base else rate
		row.update({f"{side}_in_account_currency": float(abs(amount)), "exchange_rate": float(exact_rate)})
	else:
		frappe.throw(
			_("Account {0} is in {1}: Shopee fee accounts must be in {2} or {3}").format(
				account, currency, ctx.company_currency, order.currency
			),
			ShopSetupError,
		)
	return row


def round_off_row(ctx, company: str, rounding: Decimal) -> dict:
	"""The cents the conversion of the terms lost against the receivable's, on the company's Round Off account."""
	account, cost_center = frappe.get_cached_value(
		"Company", company, ["round_off_account", "round_off_cost_center"]
	)
	if not account:
		frappe.throw(_("Set the Round Off Account of Company {0}").format(company), ShopSetupError)
	side = "debit" if rounding > 0 else "credit"
	return {
		"account": account,
		"cost_center": cost_center or ctx.cost_center,
		f"{side}_in_account_currency": float(abs(rounding)),
		"exchange_rate": 1,
		"user_remark": _("Rounding of the terms converted to the company currency"),
	}


def receivable_row(order, reference_type: str, reference_name: str, amount: Decimal, rate) -> dict:
	"""The customer's receivable against one invoice: positive amount debits it, negative credits it."""
	side = "debit" if amount > 0 else "credit"
	return {
		"account": order.debit_to,
		"party_type": "Customer",
		"party": order.customer,
		"reference_type": reference_type,
		"reference_name": reference_name,
		f"{side}_in_account_currency": float(abs(amount)),
		"exchange_rate": float(rate),
	}


def add_credit_note_allocation(ctx, je, order, move: dict) -> None:
	"""Allocate a stand-alone credit note's outstanding to the invoice (ERPNext's Credit Note allocation)."""
	amount, cn_rate, si_rate = (
		move["amount"],
		to_decimal(move["conversion_rate"]),
		to_decimal(order.conversion_rate),
	)
	je.append("accounts", receivable_row(order, "Sales Invoice", move["name"], amount, cn_rate))
	je.append("accounts", receivable_row(order, "Sales Invoice", order.sales_invoice, -amount, si_rate))
	difference = erpnext_base(amount, cn_rate) - erpnext_base(amount, si_rate)
	if difference:
		account = frappe.get_cached_value("Company", order.company, "exchange_gain_loss_account")
		side = "credit" if difference > 0 else "debit"
		je.append(
			"accounts",
			{
				"account": account,
				"cost_center": ctx.cost_center,
				f"{side}_in_account_currency": float(abs(difference)),
				"exchange_rate": 1,
				"user_remark": _("Exchange difference on credit note {0}").format(move["name"]),
			},
		)


def erpnext_base(amount: Decimal, rate) -> Decimal:
	"""amount x rate in the company currency, rounded exactly as ERPNext rounds a Journal Entry row."""
	return to_decimal(flt(float(amount) * flt(rate), 2)).quantize(Decimal("0.01"))


def standalone_credit_notes(credit_notes: list[dict]) -> list[dict]:
	"""Submitted credit notes keeping their own outstanding: what is still to allocate to the invoice."""
	return [
		{
			"name": cn.name,
			"amount": to_decimal(-flt(cn.outstanding_amount)),
			"conversion_rate": cn.conversion_rate,
		}
		for cn in credit_notes
		if cn.update_outstanding_for_self and flt(cn.outstanding_amount) < 0
	]
