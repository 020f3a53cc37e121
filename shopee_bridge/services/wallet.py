"""The Shopee seller wallet in ERPNext: transactions, withdrawals, transfers and Bank Transactions.

Wallet transactions are pulled by create time in 15-day windows (page_no from 0) from the shop's
checkpoint (less Shopee Settings' overlap) into Shopee Wallet Transaction rows unique by transaction_id.
A withdrawal (keyed by withdrawal_id; the parts of a split one share root_withdrawal_id) becomes:
- once created: the transfer, a Journal Entry (Bank Entry) from the Shopee Wallet account to the payout
  bank's account for what reaches the bank (any withdrawal fee on the Withdrawal Fees account), dated
  at creation with the withdrawal id as its reference number;
- once completed: a Bank Transaction on the payout Bank Account for what reached the bank, dated at
  completion (one already imported from the bank with the withdrawal id as reference is used instead),
  which services/reconciliation.py matches to the transfer;
- once cancelled: its transfer is cancelled, and no Bank Transaction is made.
"""

import frappe
from frappe import _
from frappe.utils import getdate

from shopee_bridge.client_endpoints import time_windows
from shopee_bridge.constants import ENTRY_KEY_FIELD, SHOP, SHOP_FIELD, WALLET_TRANSACTION, WITHDRAWAL
from shopee_bridge.mappers import finance as terms
from shopee_bridge.mappers.money import to_decimal
from shopee_bridge.mappers.wallet import (
	ADJUSTMENT_TYPES,
	ORDER_TYPES,
	WITHDRAWAL_TYPES,
	normalize_transaction,
	summarize_withdrawal,
)
from shopee_bridge.services.finance_accounts import fee_account, payout_bank, wallet_account
from shopee_bridge.services.settlement_entries import entry_for_key, erpnext_base, submit_once
from shopee_bridge.services.sync_log import sync_start
from shopee_bridge.utils import epoch_to_datetime, savepoint, truncate

HANDLED_TYPES = (*ORDER_TYPES, *WITHDRAWAL_TYPES, *ADJUSTMENT_TYPES)
MUTABLE_FIELDS = ("status", "amount", "current_balance", "transaction_fee", "description", "reason")
WITHDRAWAL_FIELDS = (
	"root_withdrawal_id",
	"status",
	"currency",
	"amount",
	"transaction_fee",
	"bank_amount",
	"created_at",
	"completed_at",
	"cancelled_at",
)


# -- wallet transactions -------------------------------------------------------------------------


def sync_wallet(ctx, now: int) -> None:
	"""Pull the wallet since the checkpoint, window by window, then refresh the withdrawals it touched."""
	touched = set()
	checkpoint = frappe.db.get_value(SHOP, ctx.shop.name, "wallet_synced_until")
	for window_from, window_to in time_windows(sync_start(checkpoint, ctx.settings, now), now):
		touched |= pull_window(ctx, window_from, window_to)[1]
		frappe.db.set_value(SHOP, ctx.shop.name, "wallet_synced_until", window_to, update_modified=False)
		frappe.db.commit()  # nosemgrep: the window's rows and the checkpoint are the run's progress
	update_withdrawals(ctx, touched)


def pull_window(ctx, window_from: int, window_to: int) -> tuple[set[str], set[str]]:
	"""Store the wallet rows created in one window; returns (their order_sns, their withdrawal ids)."""
	order_sns, touched = set(), set()
	for raw in ctx.client.iter_wallet_transactions(window_from, window_to):
		ctx.run.add("fetched")
		row = normalize_transaction(raw, ctx.shop.currency)
		upsert_transaction(ctx, row)
		if row["withdrawal_id"]:
			touched.add(row["withdrawal_id"])
		if row.get("order_sn"):
			order_sns.add(row["order_sn"])
	return order_sns, touched


def update_withdrawals(ctx, withdrawal_ids) -> None:
	for withdrawal_id in sorted(withdrawal_ids):
		update_withdrawal(ctx, withdrawal_id)
	frappe.db.commit()  # nosemgrep: withdrawals follow their wallet rows


def upsert_transaction(ctx, row: dict) -> None:
	"""Insert a new transaction; an existing one is only updated when Shopee changed one of its figures."""
	name = row["transaction_id"]
	current = frappe.db.get_value(WALLET_TRANSACTION, name, list(MUTABLE_FIELDS), as_dict=True)
	if current:
		changed = {key: row[key] for key in MUTABLE_FIELDS if _differs(current[key], row[key])}
		if changed:
			frappe.db.set_value(WALLET_TRANSACTION, name, {k: _db(v) for k, v in changed.items()})
			ctx.run.add("updated")
		return
	handled = row["transaction_type"] in HANDLED_TYPES
	doc = frappe.get_doc(
		{
			"doctype": WALLET_TRANSACTION,
			**{key: _db(value) for key, value in row.items()},
			"shop": ctx.shop.name,
			"created_at": epoch_to_datetime(row["create_time"]),
			"booking_status": "Pending" if handled else "Unhandled",
			"booking_message": None
			if handled
			else _("{0} is not booked automatically: book it by hand").format(row["transaction_type"]),
		}
	)
	try:
		with savepoint("shopee_wallet_row"):
			doc.insert(ignore_permissions=True)
	except (frappe.DuplicateEntryError, frappe.UniqueValidationError):
		return  # a concurrent run stored it
	ctx.run.add("created_count")


def mark_row(name: str, status: str, doctype: str | None = None, docname: str | None = None, message=None):
	"""Record how a wallet row was booked (written only when it changes)."""
	values = {
		"booking_status": status,
		"reference_doctype": doctype,
		"reference_name": docname,
		"booking_message": truncate(message, 1000) if message else None,
	}
	current = frappe.db.get_value(WALLET_TRANSACTION, name, list(values), as_dict=True)
	if any((current[key] or None) != (value or None) for key, value in values.items()):
		frappe.db.set_value(WALLET_TRANSACTION, name, values)


def _differs(current, new) -> bool:
	if hasattr(new, "as_tuple"):
		return to_decimal(current or 0) != new
	return (current or "") != (new or "")


def _db(value):
	return float(value) if hasattr(value, "as_tuple") else value


# -- withdrawals ---------------------------------------------------------------------------------


def update_withdrawal(ctx, withdrawal_id: str) -> None:
	"""Bring the Shopee Withdrawal in line with its wallet rows (written only when something changed)."""
	rows = frappe.get_all(
		WALLET_TRANSACTION,
		filters={"shop": ctx.shop.name, "withdrawal_id": withdrawal_id},
		fields=["transaction_type", "amount", "transaction_fee", "create_time", "root_withdrawal_id"],
	)
	summary = summarize_withdrawal(withdrawal_id, rows)
	if summary is None:
		return
	values = {
		"root_withdrawal_id": summary.root_withdrawal_id,
		"status": summary.status,
		"currency": ctx.shop.currency,
		"amount": float(summary.amount),
		"transaction_fee": float(summary.transaction_fee),
		"bank_amount": float(summary.bank_amount),
		"created_at": epoch_to_datetime(summary.created),
		"completed_at": epoch_to_datetime(summary.completed),
		"cancelled_at": epoch_to_datetime(summary.cancelled),
	}
	if not frappe.db.exists(WITHDRAWAL, withdrawal_id):
		doc = frappe.get_doc(
			{"doctype": WITHDRAWAL, "withdrawal_id": withdrawal_id, "shop": ctx.shop.name, **values}
		)
		try:
			with savepoint("shopee_withdrawal"):
				doc.insert(ignore_permissions=True)
		except (frappe.DuplicateEntryError, frappe.UniqueValidationError):
			pass
		return
	doc = frappe.get_doc(WITHDRAWAL, withdrawal_id)
	if any(str(doc.get(key) or "") != str(value or "") for key, value in values.items()):
		doc.update(values)
		doc.save(ignore_permissions=True)


def book_withdrawals(ctx) -> None:
	"""Transfers, Bank Transactions and cancellations still to book, each withdrawal on its own."""
	for withdrawal in frappe.get_all(
		WITHDRAWAL, filters={"shop": ctx.shop.name}, fields=["name", "status", "transfer", "bank_transaction"]
	):
		if not needs_booking(withdrawal):
			continue
		try:
			book_withdrawal(ctx, frappe.get_doc(WITHDRAWAL, withdrawal.name, for_update=True))
			frappe.db.commit()  # nosemgrep: each withdrawal is its own unit of work
		except Exception as e:
			frappe.db.rollback()
			frappe.clear_messages()
			ctx.run.add_error(withdrawal.name, e)
			wait_withdrawal(withdrawal.name, str(e))
			frappe.db.commit()  # nosemgrep: the reason stays on the withdrawal until a run succeeds


def wait_withdrawal(name: str, message: str) -> None:
	"""The withdrawal and its unbooked wallet rows wait, each saying why, until a run books them."""
	frappe.db.set_value(WITHDRAWAL, name, "waiting_for", truncate(message, 1000))
	for row in frappe.get_all(
		WALLET_TRANSACTION, filters={"withdrawal_id": name, "booking_status": ["!=", "Booked"]}, pluck="name"
	):
		mark_row(row, "Waiting", message=message)


def needs_booking(withdrawal) -> bool:
	"""A transfer or Bank Transaction is missing, a cancelled transfer stands, or a wallet row waits."""
	if frappe.db.exists(
		WALLET_TRANSACTION, {"withdrawal_id": withdrawal.name, "booking_status": ["!=", "Booked"]}
	):
		return True
	if withdrawal.status == "Cancelled":
		return bool(withdrawal.transfer) and transfer_submitted(withdrawal.transfer)
	return not withdrawal.transfer or (withdrawal.status == "Completed" and not withdrawal.bank_transaction)


def transfer_submitted(journal_entry: str) -> bool:
	return frappe.db.get_value("Journal Entry", journal_entry, "docstatus") == 1


def book_withdrawal(ctx, withdrawal) -> None:
	"""Book what the withdrawal's state calls for, then mark its wallet rows as booked by it."""
	if withdrawal.status == "Cancelled":
		if withdrawal.transfer and transfer_submitted(withdrawal.transfer):
			transfer = frappe.get_doc("Journal Entry", withdrawal.transfer)
			transfer.flags.ignore_permissions = True
			transfer.cancel()
			ctx.run.add("updated")
	else:
		if not withdrawal.transfer:
			withdrawal.db_set("transfer", book_transfer(ctx, withdrawal))
		if withdrawal.status == "Completed" and not withdrawal.bank_transaction:
			withdrawal.db_set("bank_transaction", bank_transaction(ctx, withdrawal))
	for row in frappe.get_all(WALLET_TRANSACTION, filters={"withdrawal_id": withdrawal.name}, pluck="name"):
		mark_row(row, "Booked", WITHDRAWAL, withdrawal.name)
	if withdrawal.waiting_for:
		withdrawal.db_set("waiting_for", None)


def book_transfer(ctx, withdrawal) -> str:
	"""The Bank Entry moving the withdrawal from the wallet to the payout bank (fee on its own account)."""
	key = f"withdrawal:{withdrawal.name}"
	existing = entry_for_key("Journal Entry", key)
	if existing:
		return existing
	_bank_account, bank_gl = payout_bank(ctx.shop)
	date = getdate(withdrawal.created_at or withdrawal.completed_at)
	rate = exchange_rate(withdrawal.currency, ctx.company_currency, date)
	amount, bank_amount = to_decimal(withdrawal.amount), to_decimal(withdrawal.bank_amount)
	je = frappe.new_doc("Journal Entry")
	je.update(
		{
			"voucher_type": "Bank Entry",
			"company": ctx.shop.company,
			"posting_date": date,
			"cheque_no": withdrawal.name,
			"cheque_date": date,
			"multi_currency": int(withdrawal.currency != ctx.company_currency),
			"user_remark": _("Shopee withdrawal {0} (root {1}) to the bank").format(
				withdrawal.name, withdrawal.root_withdrawal_id
			),
			SHOP_FIELD: ctx.shop.name,
			ENTRY_KEY_FIELD: key,
		}
	)
	je.append(
		"accounts",
		{"account": bank_gl, "debit_in_account_currency": float(bank_amount), "exchange_rate": rate},
	)
	fee_base = erpnext_base(amount, rate) - erpnext_base(bank_amount, rate)
	if fee_base:
		fees = fee_account(ctx.shop, terms.WITHDRAWAL_FEES)
		je.append(
			"accounts",
			{
				"account": fees,
				"debit_in_account_currency": float(fee_base),
				"exchange_rate": 1,
				"cost_center": ctx.cost_center,
			},
		)
	je.append(
		"accounts",
		{
			"account": wallet_account(ctx.shop),
			"credit_in_account_currency": float(amount),
			"exchange_rate": rate,
		},
	)
	return submit_once(ctx, je)


def bank_transaction(ctx, withdrawal) -> str:
	"""The deposit on the payout Bank Account: one imported with this withdrawal id, or a new one."""
	bank_account, _bank_gl = payout_bank(ctx.shop)
	transaction_id = f"shopee-withdrawal-{withdrawal.name}"
	existing = frappe.db.get_value(
		"Bank Transaction",
		{"bank_account": bank_account, "reference_number": withdrawal.name, "docstatus": 1},
		"name",
	) or frappe.db.get_value("Bank Transaction", {"transaction_id": transaction_id}, "name")
	if existing:
		return existing
	bt = frappe.get_doc(
		{
			"doctype": "Bank Transaction",
			"date": getdate(withdrawal.completed_at),
			"bank_account": bank_account,
			"deposit": float(withdrawal.bank_amount),
			"currency": withdrawal.currency,
			"reference_number": withdrawal.name,
			"transaction_id": transaction_id,
			"description": _("Shopee withdrawal {0} (root {1})").format(
				withdrawal.name, withdrawal.root_withdrawal_id
			),
		}
	)
	try:
		with savepoint("shopee_bank_transaction"):
			bt.insert(ignore_permissions=True)
			bt.submit()
	except (frappe.UniqueValidationError, frappe.DuplicateEntryError):
		return frappe.db.get_value("Bank Transaction", {"transaction_id": transaction_id}, "name")
	ctx.run.add("created_count")
	return bt.name


def exchange_rate(currency: str, company_currency: str, date) -> float:
	"""The Currency Exchange rate on a date (1 in the company's own currency); missing is an error."""
	if currency == company_currency:
		return 1.0
	from erpnext.setup.utils import get_exchange_rate

	rate = get_exchange_rate(currency, company_currency, date)
	if not rate:
		frappe.throw(
			_("No exchange rate from {0} to {1} on {2}: add a Currency Exchange record.").format(
				currency, company_currency, date
			)
		)
	return rate
