"""Finance for one shop: each invoice explained down to Shopee's escrow, paid from the wallet, reconciled.

sync_finance(shop) is what the scheduler and the Desk button run:
1. wallet transactions since the checkpoint (services/wallet.py);
2. every invoiced order whose escrow is final (COMPLETED, or already released to the wallet) gets its
   escrow re-fetched (get_escrow_detail_batch, 50 per call, stored as a new Shopee Order Income version
   when a figure changed) and is settled: the terms of Shopee's formula (mappers/finance.py) are
   compared with what its settlement Journal Entries booked, read back from the ledger, and only the
   difference is booked (services/settlement_entries.py), so the invoice's receivable becomes exactly
   what Shopee pays. A re-run books nothing; a later credit note or adjustment is booked once;
3. escrow releases and adjustments in the wallet become Payment Entries (services/escrow_payments.py);
   a release booked now unlocks its order's adjustments, so steps 2-3 run once more for those orders;
4. withdrawals become transfers and Bank Transactions (services/wallet.py), matched by ERPNext's bank
   reconciliation (services/reconciliation.py);
5. what still waits says why (services/finance_waiting.py). The run's Sync Log opens with what the shop
   lacks for finance (services/finance_readiness.py) and ends with what waits.
Each order, wallet row and withdrawal is its own unit of work: one that fails is rolled back, recorded
with its reason on its Shopee Escrow Settlement / Wallet Transaction / Withdrawal, and retried later.
"""

import json
import time
from dataclasses import dataclass
from decimal import Decimal

import frappe
from frappe import _
from frappe.query_builder import DocType
from frappe.utils import flt, getdate, now_datetime, nowdate

from shopee_bridge.client_endpoints import MAX_BATCH, chunked
from shopee_bridge.constants import (
	LAST_PUSH_FIELD,
	ORDER_INCOME,
	ORDER_SN_FIELD,
	ORDER_STATUS_FIELD,
	SETTLEMENT,
	SHOP,
	SHOP_FIELD,
	WALLET_TRANSACTION,
)
from shopee_bridge.mappers import finance as terms
from shopee_bridge.mappers.money import ZERO, quantize, to_decimal
from shopee_bridge.services import escrow_payments, finance_waiting, reconciliation, wallet
from shopee_bridge.services import settlement_entries as entries
from shopee_bridge.services.finance_accounts import setup_finance_accounts
from shopee_bridge.services.order_income import store_order_income
from shopee_bridge.services.sync_log import SyncRun
from shopee_bridge.shop_client import get_settings, make_client
from shopee_bridge.utils import epoch_to_datetime, savepoint, truncate

ORDER_WALLET_TYPES = ("ESCROW_VERIFIED_ADD", "ESCROW_VERIFIED_MINUS", "ADJUSTMENT_ADD", "ADJUSTMENT_MINUS")


@dataclass
class FinanceRun:
	"""What every step of one shop's finance run needs."""

	shop: object
	run: SyncRun
	client: object
	settings: object
	company_currency: str
	cost_center: str


def sync_finance(shop: str, now: int | None = None, triggered_by: str | None = None) -> str:
	"""One finance run over one shop; returns the Shopee Sync Log name."""
	run = SyncRun("sync_finance", shop, triggered_by)
	now = int(now or time.time())
	try:
		ctx = open_run(shop, run)
		finance_waiting.report_gaps(ctx)
		wallet.sync_wallet(ctx, now)
		book(ctx)
		finance_waiting.explain_waiting(ctx)
		frappe.db.set_value(SHOP, shop, "last_finance_sync", now_datetime(), update_modified=False)
		frappe.db.commit()  # nosemgrep: the run's end marker
	except Exception as e:
		frappe.db.rollback()
		run.finish(e)
		raise
	run.finish()
	return run.name


def book(ctx: FinanceRun) -> None:
	"""Steps 2-5 over the stored wallet: settle, pay, adjust, transfer, reconcile."""
	book_orders(ctx)
	book_shop_events(ctx)


def book_orders(ctx: FinanceRun, only: set[str] | None = None) -> None:
	"""Settle and pay the invoiced orders (`only`: those orders)."""
	settle_orders(ctx, only=only)
	paid = escrow_payments.pay_orders(ctx, only=only)
	if paid:  # releases booked now unlock their orders' adjustments
		settle_orders(ctx, only=paid)
		paid = escrow_payments.pay_orders(ctx, only=paid)
		if paid:
			settle_orders(ctx, only=paid)


def book_shop_events(ctx: FinanceRun) -> None:
	"""Adjustments naming no order, withdrawals and their bank matches."""
	escrow_payments.book_shop_adjustments(ctx)
	wallet.book_withdrawals(ctx)
	reconciliation.reconcile_withdrawals(ctx)


def open_run(shop: str, run: SyncRun) -> FinanceRun:
	"""The run's context; missing wallet and fee accounts are created or selected first (committed)."""
	setup_finance_accounts(shop)
	frappe.db.commit()  # nosemgrep: the accounts exist whatever the run does next
	doc = frappe.get_doc(SHOP, shop)
	settings = get_settings()
	return FinanceRun(
		shop=doc,
		run=run,
		client=make_client(shop, on_call=run.count_call, settings=settings),
		settings=settings,
		company_currency=frappe.get_cached_value("Company", doc.company, "default_currency"),
		cost_center=doc.cost_center or frappe.get_cached_value("Company", doc.company, "cost_center"),
	)


# -- which orders --------------------------------------------------------------------------------


def settle_orders(ctx: FinanceRun, only: set[str] | None = None) -> None:
	"""Settle every invoiced order whose escrow is final and whose settlement is not done (or `only`)."""
	orders = invoiced_orders(ctx.shop.name, only)
	if not orders:
		return
	credit_notes = credit_notes_by_invoice([order.sales_invoice for order in orders])
	rows = order_wallet_rows(ctx.shop.name, [order.order_sn for order in orders])
	done = settlements_done(orders, credit_notes, rows)
	due = [
		order
		for order in orders
		if is_final(order, rows.get(order.order_sn, [])) and (only or order.order_sn not in done)
	]
	stale = [order for order in due if escrow_is_stale(order, rows.get(order.order_sn, []))]
	missing = {order.order_sn for order in stale} - refresh_escrows(ctx, stale)
	for order in due:
		if order.order_sn in missing and not income_after_completion(order.order_sn):
			# never book on a breakdown fetched before the order completed: wait for Shopee's final one
			wait_for_escrow(ctx, order, rows.get(order.order_sn, []))
			continue
		settle_one(ctx, order, credit_notes.get(order.sales_invoice, []), rows.get(order.order_sn, []))


def invoiced_orders(shop: str, only: set[str] | None = None) -> list:
	"""The shop's submitted Sales Invoices with their Sales Order's Shopee status."""
	si, so = DocType("Sales Invoice"), DocType("Sales Order")
	query = (
		frappe.qb.from_(si)
		.join(so)
		.on(so[ORDER_SN_FIELD] == si[ORDER_SN_FIELD])
		.select(
			si.name.as_("sales_invoice"),
			si[ORDER_SN_FIELD].as_("order_sn"),
			si.customer,
			si.company,
			si.currency,
			si.conversion_rate,
			si.debit_to,
			si.grand_total,
			si.rounded_total,
			si.posting_date,
			so.name.as_("sales_order"),
			so[ORDER_STATUS_FIELD].as_("status"),
			so[LAST_PUSH_FIELD].as_("update_time"),
		)
		.where((si[SHOP_FIELD] == shop) & (si.docstatus == 1) & (si.is_return == 0))
		.orderby(si.posting_date)
	)
	if only:
		query = query.where(si[ORDER_SN_FIELD].isin(list(only)))
	return query.run(as_dict=True)


def credit_notes_by_invoice(invoices: list[str]) -> dict[str, list]:
	"""Submitted credit notes (returns) against each invoice."""
	found: dict[str, list] = {}
	for note in frappe.get_all(
		"Sales Invoice",
		filters={"return_against": ["in", invoices], "docstatus": 1, "is_return": 1},
		fields=[
			"name",
			"return_against",
			"grand_total",
			"rounded_total",
			"outstanding_amount",
			"update_outstanding_for_self",
			"conversion_rate",
			"posting_date",
		],
	):
		found.setdefault(note.return_against, []).append(note)
	return found


def order_wallet_rows(shop: str, order_sns: list[str]) -> dict[str, list]:
	"""The wallet's escrow and adjustment rows of each order, oldest first."""
	found: dict[str, list] = {}
	for row in frappe.get_all(
		WALLET_TRANSACTION,
		filters={"shop": shop, "order_sn": ["in", order_sns], "transaction_type": ["in", ORDER_WALLET_TYPES]},
		fields=["name", "order_sn", "transaction_type", "amount", "booking_status", "created_at"],
		order_by="create_time asc, name asc",
	):
		found.setdefault(row.order_sn, []).append(row)
	return found


def settlements_done(orders: list, credit_notes: dict, rows: dict) -> set[str]:
	"""Orders whose settlement is Released, with the same credit notes and no wallet row left to book."""
	names = [order.order_sn for order in orders]
	credited = {order.order_sn: credited_total(credit_notes.get(order.sales_invoice, [])) for order in orders}
	return {
		settlement.name
		for settlement in frappe.get_all(
			SETTLEMENT,
			filters={"name": ["in", names], "status": "Released"},
			fields=["name", "credited"],
		)
		if flt(settlement.credited, 2) == flt(credited[settlement.name], 2)
		and all(row.booking_status == "Booked" for row in rows.get(settlement.name, []))
	}


def is_final(order, rows: list) -> bool:
	"""Escrow is final once the order is COMPLETED, or when the wallet already shows its release."""
	return order.status == "COMPLETED" or any(row.transaction_type.startswith("ESCROW_") for row in rows)


def escrow_is_stale(order, rows: list) -> bool:
	"""Fetch again when the stored escrow predates completion or the wallet shows figures it lacks."""
	income = frappe.db.get_value(
		ORDER_INCOME, order.order_sn, ["order_status", "escrow_amount"], as_dict=True
	)
	if not income or income.order_status != "COMPLETED":
		return True
	pending = [row for row in rows if row.booking_status != "Booked"]
	return any(row.transaction_type.startswith("ADJUSTMENT_") for row in pending) or any(
		row.transaction_type.startswith("ESCROW_") and flt(row.amount, 2) != flt(income.escrow_amount, 2)
		for row in pending
	)


def refresh_escrows(ctx: FinanceRun, orders: list) -> set[str]:
	"""Re-fetch escrow detail (50 per call), keep each changed breakdown as a new version; returns those fetched."""
	fetched = set()
	for batch in chunked(orders, MAX_BATCH):
		details = {}
		for row in ctx.client.get_escrow_detail_batch([order.order_sn for order in batch]):
			detail = row.get("escrow_detail", row)
			details[detail.get("order_sn")] = detail
		for order in batch:
			if order.order_sn in details:
				facts = {"order_sn": order.order_sn, "order_status": order.status, "currency": order.currency}
				store_order_income(ctx.shop, facts, details[order.order_sn], order.sales_order)
				fetched.add(order.order_sn)
		frappe.db.commit()  # nosemgrep: Shopee's figures are kept whatever the booking does next
	return fetched


def income_after_completion(order_sn: str) -> bool:
	return frappe.db.get_value(ORDER_INCOME, order_sn, "order_status") == "COMPLETED"


def wait_for_escrow(ctx: FinanceRun, order, rows: list) -> None:
	"""Shopee sent no final escrow detail for the order in this run: it waits, with the reason."""
	lock_settlement(ctx, order)
	record(ctx, order, None, {}, rows, _("Shopee sent no escrow detail for this order since it completed"))
	frappe.db.commit()  # nosemgrep: the waiting reason is the order's record


# -- one order -----------------------------------------------------------------------------------


def settle_one(ctx: FinanceRun, order, credit_notes: list, rows: list) -> None:
	"""Settle one order in its own transaction; a failure is recorded on its settlement and retried."""
	try:
		lock_settlement(ctx, order)
		settle(ctx, order, credit_notes, rows)
		frappe.db.commit()  # nosemgrep: each order is its own unit of work
	except Exception as e:
		frappe.db.rollback()
		frappe.clear_messages()
		ctx.run.add_error(order.order_sn, e)
		lock_settlement(ctx, order)
		frappe.db.set_value(
			SETTLEMENT, order.order_sn, {"status": "Failed", "message": truncate(str(e), 1000)}
		)
		frappe.db.commit()  # nosemgrep: the failure is the order's record until a later run succeeds


def lock_settlement(ctx: FinanceRun, order) -> None:
	"""Create the order's settlement row once (unique name) and lock it for this transaction."""
	if not frappe.db.exists(SETTLEMENT, order.order_sn):
		doc = frappe.get_doc(
			{
				"doctype": SETTLEMENT,
				"order_sn": order.order_sn,
				"shop": ctx.shop.name,
				"sales_invoice": order.sales_invoice,
				"customer": order.customer,
				"currency": order.currency,
				"status": "Waiting",
			}
		)
		try:
			with savepoint("shopee_settlement_row"):
				doc.insert(ignore_permissions=True)
		except (frappe.DuplicateEntryError, frappe.UniqueValidationError):
			pass  # a concurrent run created it; the lock below waits for that run's transaction
	frappe.db.get_value(SETTLEMENT, order.order_sn, "name", for_update=True)


def settle(ctx: FinanceRun, order, credit_notes: list, rows: list) -> None:
	"""Book what the ledger lacks to explain the invoice down to escrow, then record the outcome."""
	income = load_income(order.order_sn)
	if income is None:
		return record(ctx, order, None, {}, rows, _("Shopee sent no escrow detail for this order yet"))
	credited = credited_total(credit_notes)
	adjustments = terms.adjustments_due(income["income"], order.currency, release_booked(rows))
	explanation = terms.explain(
		income["income"], invoice_total(order), credited, order.currency, adjustments=adjustments
	)
	booked = entries.booked_terms(order.order_sn, order.currency)
	changes = terms.delta(explanation.amounts(), booked)
	moves = entries.standalone_credit_notes(credit_notes)
	if changes or moves:
		key = entries.entry_key(order.order_sn, income["version"], changes, moves)
		date = posting_date(order, credit_notes, rows, income["income"], bool(booked))
		entries.book_settlement(ctx, order, changes, moves, key, date)
		if changes.get(terms.REMAINDER_COMPONENT):
			ctx.run.add_note(
				order.order_sn,
				_("remainder {0} booked on the Shopee Difference Account").format(
					changes[terms.REMAINDER_COMPONENT]
				),
			)
		booked = entries.booked_terms(order.order_sn, order.currency)
	record(ctx, order, explanation, booked, rows, None, income["version"], credited)


def load_income(order_sn: str) -> dict | None:
	"""The stored escrow breakdown as an order_income dict (numbers and adjustment list), with its version."""
	stored = frappe.db.get_value(ORDER_INCOME, order_sn, ["version", "lists_json"], as_dict=True)
	if not stored:
		return None
	income = {
		row.component: row.amount
		for row in frappe.get_all(
			"Shopee Order Income Component",
			filters={"parent": order_sn, "parenttype": ORDER_INCOME},
			fields=["component", "amount"],
		)
	}
	lists = json.loads(stored.lists_json or "{}")
	income["order_adjustment"] = lists.get("order_adjustment") or []
	return {"income": income, "version": stored.version}


def invoice_total(order) -> Decimal:
	return to_decimal(flt(order.rounded_total) or flt(order.grand_total))


def credited_total(credit_notes: list) -> Decimal:
	"""What the credit notes took off the invoice: their (rounded) grand totals."""
	return sum((to_decimal(abs(flt(cn.rounded_total) or flt(cn.grand_total))) for cn in credit_notes), ZERO)


def release_booked(rows: list) -> bool:
	"""Whether the wallet's release (ESCROW_VERIFIED_ADD or _MINUS) of the order is paid."""
	return any(row.transaction_type.startswith("ESCROW_") and row.booking_status == "Booked" for row in rows)


def posting_date(order, credit_notes: list, rows: list, income: dict, later: bool):
	"""When the change happened: the release (or completion); later changes at their credit note or adjustment."""
	releases = [row.created_at for row in rows if row.transaction_type.startswith("ESCROW_")]
	dates = [getdate(order.posting_date)]
	event = min(releases) if releases else epoch_to_datetime(order.update_time)
	if event:
		dates.append(getdate(event))
	if later:
		dates += [getdate(cn.posting_date) for cn in credit_notes]
		dates += [
			getdate(epoch_to_datetime(a.get("date"))) for a in income["order_adjustment"] if a.get("date")
		]
	return min(max(dates), getdate(nowdate()))


# -- the settlement record -----------------------------------------------------------------------


def record(
	ctx: FinanceRun, order, explanation, booked: dict, rows: list, message=None, version=None, credited=ZERO
):
	"""Write the order's Shopee Escrow Settlement: amounts, terms booked, documents, status (only on change)."""
	currency = order.currency
	released = sum((quantize(row.amount, currency) for row in rows if row.booking_status == "Booked"), ZERO)
	adjustment = -booked.get(terms.ADJUSTMENT_COMPONENT, ZERO)
	escrow = explanation.escrow_amount if explanation else ZERO
	status, message = settlement_status(order, explanation, rows, escrow + adjustment, released, message)
	values = {
		"status": status,
		"message": message,
		"sales_invoice": order.sales_invoice,
		"customer": order.customer,
		"currency": currency,
		"invoice_total": invoice_total(order),
		"credited": credited,
		"escrow_amount": escrow,
		"adjustment_amount": adjustment,
		"target_amount": escrow + adjustment,
		"released_amount": released,
		"remainder": booked.get(terms.REMAINDER_COMPONENT, ZERO),
		"escrow_version": version,
		"journal_entries": "\n".join(entries.settlement_entries(order.order_sn)),
		"payment_entries": "\n".join(escrow_payments.order_payments(order.order_sn)),
	}
	term_rows = entries.booked_rows(order.order_sn, currency)
	doc = frappe.get_doc(SETTLEMENT, order.order_sn)
	old_rows = [(row.component, row.account, flt(row.amount, 6)) for row in doc.terms]
	new_rows = [(row["component"], row["account"], flt(row["amount"], 6)) for row in term_rows]
	if new_rows == old_rows and all(_same(doc.get(key), value) for key, value in values.items()):
		return
	if values["journal_entries"] != (doc.journal_entries or ""):
		values["settled_at"] = now_datetime()
	doc.update({**values, "last_run": ctx.run.name})
	doc.set("terms", term_rows)
	doc.save(ignore_permissions=True)
	ctx.run.add("updated")


def settlement_status(order, explanation, rows: list, target: Decimal, released: Decimal, message) -> tuple:
	"""Released when the wallet paid the whole target and nothing is outstanding; Booked while it waits.

	An escrow of zero is released with no wallet row at all: Shopee writes none for it.
	"""
	if explanation is None:
		return "Waiting", message
	pending = [row for row in rows if row.booking_status != "Booked"]
	outstanding = flt(frappe.db.get_value("Sales Invoice", order.sales_invoice, "outstanding_amount"), 2)
	if (rows or not target) and not pending and released == target and not outstanding:
		return "Released", None
	if pending:
		waiting = frappe.db.get_value(WALLET_TRANSACTION, pending[0].name, "booking_message")
		return "Booked", waiting or _("Wallet row {0} is not booked yet").format(pending[0].name)
	return "Booked", _("Waiting for Shopee to release {0} {1} to the wallet").format(
		order.currency, target - released
	)


def _same(current, new) -> bool:
	if isinstance(new, Decimal | float | int) and not isinstance(new, bool):
		return flt(current, 6) == flt(new, 6)
	return (current or "") == (new or "")
