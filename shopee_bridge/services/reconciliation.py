"""Each withdrawal's Bank Transaction matched to its transfer with ERPNext's own bank reconciliation.

Strict: the deposit must equal, to the cent, what the transfer put on the payout bank's account, and the
Bank Transaction must not be allocated to anything else; then ERPNext's reconcile_vouchers allocates it
(and clears the transfer). Anything else is left unmatched on the Shopee Withdrawal with the reason,
never forced. Every match is kept in Shopee Payout Match: which Bank Transaction, which voucher, how
much, when, and by which run (one row per Bank Transaction, unique).
"""

import json

import frappe
from frappe import _
from frappe.utils import flt, now_datetime

from shopee_bridge.constants import PAYOUT_MATCH, WITHDRAWAL
from shopee_bridge.services.finance_accounts import payout_bank
from shopee_bridge.utils import savepoint, truncate


def reconcile_withdrawals(ctx) -> None:
	"""Match every completed withdrawal that is not matched yet, each on its own."""
	for name in frappe.get_all(
		WITHDRAWAL,
		filters={"shop": ctx.shop.name, "status": "Completed", "reconciliation": ["!=", "Matched"]},
		pluck="name",
	):
		try:
			reconcile_one(ctx, frappe.get_doc(WITHDRAWAL, name, for_update=True))
			frappe.db.commit()  # nosemgrep: each withdrawal is its own unit of work
		except Exception as e:
			frappe.db.rollback()
			frappe.clear_messages()
			ctx.run.add_error(name, e)
			set_unmatched(name, str(e))
			frappe.db.commit()  # nosemgrep: the reason stays on the withdrawal


def reconcile_one(ctx, withdrawal) -> None:
	problem = mismatch(ctx, withdrawal)
	if problem:
		set_unmatched(withdrawal.name, problem)
		return
	bt = frappe.get_doc("Bank Transaction", withdrawal.bank_transaction)
	if not any(row.payment_entry == withdrawal.transfer for row in bt.payment_entries):
		from erpnext.accounts.doctype.bank_reconciliation_tool.bank_reconciliation_tool import (
			reconcile_vouchers,
		)

		voucher = {
			"payment_doctype": "Journal Entry",
			"payment_name": withdrawal.transfer,
			"amount": flt(withdrawal.bank_amount),
		}
		reconcile_vouchers(bt.name, json.dumps([voucher]))
	record_match(ctx, withdrawal)
	withdrawal.update(
		{"reconciliation": "Matched", "reconciliation_message": None, "matched_at": now_datetime()}
	)
	withdrawal.save(ignore_permissions=True)
	ctx.run.add("updated")


def mismatch(ctx, withdrawal) -> str | None:
	"""Why the withdrawal's Bank Transaction and transfer cannot be matched exactly, or None."""
	if not withdrawal.transfer or frappe.db.get_value("Journal Entry", withdrawal.transfer, "docstatus") != 1:
		why = _("The transfer of withdrawal {0} is not booked").format(withdrawal.name)
		return f"{why}: {withdrawal.waiting_for}" if withdrawal.waiting_for else why
	if not withdrawal.bank_transaction:
		return _("No Bank Transaction for withdrawal {0} yet").format(withdrawal.name)
	bt = frappe.db.get_value(
		"Bank Transaction",
		withdrawal.bank_transaction,
		["docstatus", "deposit", "unallocated_amount", "bank_account"],
		as_dict=True,
	)
	_bank_account, bank_gl = payout_bank(ctx.shop)
	booked = transfer_amount(withdrawal.transfer, bank_gl)
	if bt.docstatus != 1:
		return _("Bank Transaction {0} is not submitted").format(withdrawal.bank_transaction)
	if flt(bt.deposit, 2) != flt(withdrawal.bank_amount, 2) or flt(booked, 2) != flt(bt.deposit, 2):
		return _("Bank Transaction {0} deposits {1}, the transfer {2} puts {3} in the bank").format(
			withdrawal.bank_transaction, bt.deposit, withdrawal.transfer, booked
		)
	already = frappe.db.exists(
		"Bank Transaction Payments",
		{"parent": withdrawal.bank_transaction, "payment_entry": withdrawal.transfer},
	)
	if flt(bt.unallocated_amount, 2) != flt(bt.deposit, 2) and not already:
		return _("Bank Transaction {0} is already allocated to other vouchers").format(
			withdrawal.bank_transaction
		)
	return None


def transfer_amount(journal_entry: str, bank_gl: str) -> float:
	"""What a transfer put on the bank's account, in the account's currency."""
	return flt(
		frappe.db.sql(
			"""select sum(debit_in_account_currency - credit_in_account_currency) from `tabGL Entry`
			where voucher_type = 'Journal Entry' and voucher_no = %s and account = %s and is_cancelled = 0""",
			(journal_entry, bank_gl),
		)[0][0]
	)


def record_match(ctx, withdrawal) -> None:
	"""The audit row of one match (its Bank Transaction is unique: a second run adds nothing)."""
	if frappe.db.exists(PAYOUT_MATCH, withdrawal.bank_transaction):
		return
	doc = frappe.get_doc(
		{
			"doctype": PAYOUT_MATCH,
			"bank_transaction": withdrawal.bank_transaction,
			"withdrawal": withdrawal.name,
			"shop": ctx.shop.name,
			"voucher_type": "Journal Entry",
			"voucher_no": withdrawal.transfer,
			"currency": withdrawal.currency,
			"amount": withdrawal.bank_amount,
			"matched_at": now_datetime(),
			"matched_by": ctx.run.log.triggered_by,
			"run": ctx.run.name,
		}
	)
	try:
		with savepoint("shopee_payout_match"):
			doc.insert(ignore_permissions=True)
	except (frappe.DuplicateEntryError, frappe.UniqueValidationError):
		return
	ctx.run.add("created_count")


def set_unmatched(name: str, message: str) -> None:
	"""Leave the withdrawal unmatched with its reason (written only when the reason changes)."""
	values = {"reconciliation": "Unmatched", "reconciliation_message": truncate(message, 1000)}
	current = frappe.db.get_value(WITHDRAWAL, name, list(values), as_dict=True)
	if any(current[key] != value for key, value in values.items()):
		frappe.db.set_value(WITHDRAWAL, name, values)
