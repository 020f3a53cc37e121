"""The data of the "Shopee Payout Reconciliation" report: one shop, one period, down to the bank.

Rows, in the shop's currency:
- one per order invoiced in the period: buyer paid, Shopee-funded, what the seller sold for (the
  invoice), credit notes, each fee type booked by the settlement entries (read from the ledger), the
  remainder, the escrow they come down to, what the wallet released and when, and the withdrawal
  that took the money to the bank (the first one after the release) with its reconciliation;
- one per withdrawal created in the period: withdrawn, fee, deposit, Bank Transaction, match;
- one per wallet transaction of the period that is not booked: the unmatched items, with their reason.
The chart shows, week by week, escrow released, withdrawn and deposited in the bank.
"""

from collections import defaultdict
from datetime import timedelta

import frappe
from frappe import _
from frappe.utils import flt, getdate

from shopee_bridge.constants import (
	BUYER_PAID_FIELD,
	ORDER_SN_FIELD,
	SETTLEMENT,
	SHOP_FIELD,
	SHOPEE_FUNDED_FIELD,
	WALLET_TRANSACTION,
	WITHDRAWAL,
)
from shopee_bridge.mappers import finance as terms
from shopee_bridge.mappers.wallet import ORDER_TYPES

FEE_COLUMNS = {
	terms.COMMISSION: "commission",
	terms.SERVICE_FEE: "service_fee",
	terms.TRANSACTION_FEE: "transaction_fee",
	terms.CAMPAIGN_AMS: "campaign_ams",
	terms.ORDER_PROCESSING: "order_processing",
	terms.SHIPPING: "shipping",
	terms.COIN_CASH_BACK: "coin_cash_back",
	terms.REBATE_TAKEN_BACK: "rebate_taken_back",
	terms.TAXES: "taxes",
	terms.OTHER_FEES: "other_fees",
	terms.REFUNDS: "refunds",
	terms.ADJUSTMENTS: "adjustments",
	terms.DIFFERENCE: "remainder",
}


def columns() -> list[dict]:
	def money(fieldname, label, width=110):
		return {
			"fieldname": fieldname,
			"label": label,
			"fieldtype": "Currency",
			"options": "currency",
			"width": width,
		}

	return [
		{"fieldname": "row_type", "label": _("Row"), "fieldtype": "Data", "width": 90},
		{"fieldname": "order_sn", "label": _("Shopee Order / Withdrawal"), "fieldtype": "Data", "width": 160},
		{
			"fieldname": "sales_invoice",
			"label": _("Sales Invoice"),
			"fieldtype": "Link",
			"options": "Sales Invoice",
			"width": 150,
		},
		{"fieldname": "status", "label": _("Status"), "fieldtype": "Data", "width": 90},
		{
			"fieldname": "currency",
			"label": _("Currency"),
			"fieldtype": "Link",
			"options": "Currency",
			"hidden": 1,
		},
		money("buyer_paid", _("Buyer Paid")),
		money("shopee_funded", _("Shopee-funded")),
		money("invoice_total", _("Sold For (Invoice)")),
		money("credited", _("Credit Notes")),
		money("commission", _("Commission")),
		money("service_fee", _("Service Fee")),
		money("transaction_fee", _("Transaction Fee")),
		money("campaign_ams", _("Campaign / Affiliate")),
		money("order_processing", _("Order Processing")),
		money("shipping", _("Shipping")),
		money("coin_cash_back", _("Coin Cash Back")),
		money("rebate_taken_back", _("Rebate Taken Back")),
		money("taxes", _("Taxes / Withholdings")),
		money("other_fees", _("Other Fees")),
		money("refunds", _("Refunds (no credit note)")),
		money("adjustments", _("Adjustments")),
		money("remainder", _("Remainder")),
		money("escrow", _("Escrow (after adjustments)"), 130),
		money("released", _("Released to Wallet"), 130),
		{"fieldname": "released_on", "label": _("Released On"), "fieldtype": "Date", "width": 100},
		{"fieldname": "withdrawal", "label": _("Withdrawal"), "fieldtype": "Data", "width": 150},
		money("withdrawn", _("Withdrawn")),
		money("deposited", _("Deposited in Bank")),
		{
			"fieldname": "bank_transaction",
			"label": _("Bank Transaction"),
			"fieldtype": "Link",
			"options": "Bank Transaction",
			"width": 150,
		},
		{"fieldname": "reconciled", "label": _("Reconciled"), "fieldtype": "Check", "width": 80},
		{"fieldname": "unmatched", "label": _("Unmatched"), "fieldtype": "Check", "width": 80},
		{"fieldname": "note", "label": _("Note"), "fieldtype": "Data", "width": 260},
	]


def build(filters) -> tuple:
	"""(columns, data, message, chart, summary) for the report."""
	shop = frappe.get_doc("Shopee Shop", filters.shop)
	period = (getdate(filters.from_date), getdate(filters.to_date))
	withdrawals = withdrawals_of(shop.name)
	orders = order_rows(shop, period, withdrawals)
	data = orders + withdrawal_rows(shop, period, withdrawals) + unbooked_rows(shop, period)
	return columns(), data, None, chart(data), summary(orders, data, shop.currency)


def order_rows(shop, period, withdrawals: list) -> list[dict]:
	invoices = frappe.get_all(
		"Sales Invoice",
		filters={SHOP_FIELD: shop.name, "docstatus": 1, "is_return": 0, "posting_date": ["between", period]},
		fields=["name", ORDER_SN_FIELD, "grand_total", "rounded_total", "currency", "posting_date"],
		order_by="posting_date asc, name asc",
	)
	order_sns = [invoice[ORDER_SN_FIELD] for invoice in invoices]
	booked = booked_by_fee_type(order_sns)
	released = releases(shop.name, order_sns)
	rows = []
	for invoice in invoices:
		order_sn = invoice[ORDER_SN_FIELD]
		row = order_row(order_sn, invoice, booked.get(order_sn, {}), released.get(order_sn))
		sweep = first_withdrawal_after(withdrawals, released.get(order_sn))
		if sweep:
			row.update(withdrawal=sweep.root_withdrawal_id, reconciled=int(sweep.all_matched))
		rows.append(row)
	return rows


def order_row(order_sn: str, invoice, fees: dict, release) -> dict:
	so = (
		frappe.db.get_value(
			"Sales Order", {ORDER_SN_FIELD: order_sn}, [BUYER_PAID_FIELD, SHOPEE_FUNDED_FIELD], as_dict=True
		)
		or {}
	)
	settlement = (
		frappe.db.get_value(SETTLEMENT, order_sn, ["status", "credited", "message"], as_dict=True) or {}
	)
	total = flt(invoice.rounded_total) or flt(invoice.grand_total)
	row = {
		"row_type": "Order",
		"order_sn": order_sn,
		"sales_invoice": invoice.name,
		"status": settlement.get("status") or _("Not final"),
		"currency": invoice.currency,
		"buyer_paid": flt(so.get(BUYER_PAID_FIELD)),
		"shopee_funded": flt(so.get(SHOPEE_FUNDED_FIELD)),
		"invoice_total": total,
		"credited": flt(settlement.get("credited")),
		"note": settlement.get("message") or "",
	}
	for fee_type, amount in fees.items():
		key = FEE_COLUMNS.get(fee_type)
		if key:
			row[key] = flt(row.get(key)) + amount
	if settlement:
		row["escrow"] = flt(total - row["credited"] - sum(fees.values()), 6)
	if release:
		row.update(released=release["amount"], released_on=release["date"])
	return row


def booked_by_fee_type(order_sns: list[str]) -> dict[str, dict[str, float]]:
	"""{order_sn: {fee type: amount}} booked by the submitted settlement entries."""
	if not order_sns:
		return {}
	rows = frappe.db.sql(
		"""select je.shopee_order_sn as order_sn, jea.shopee_component as component,
			sum(jea.shopee_component_amount) as amount
		from `tabJournal Entry Account` jea join `tabJournal Entry` je on je.name = jea.parent
		where je.docstatus = 1 and je.shopee_order_sn in %(order_sns)s and ifnull(jea.shopee_component, '') != ''
		group by je.shopee_order_sn, jea.shopee_component""",
		{"order_sns": order_sns},
		as_dict=True,
	)
	found: dict[str, dict[str, float]] = defaultdict(dict)
	for row in rows:
		fee_type = terms.COMPONENT_FEE_TYPES.get(row.component, terms.OTHER_FEES)
		found[row.order_sn][fee_type] = flt(found[row.order_sn].get(fee_type)) + flt(row.amount, 6)
	return found


def releases(shop: str, order_sns: list[str]) -> dict[str, dict]:
	"""{order_sn: {amount, date, time}} of what the wallet released (escrow and adjustments).

	Dated at the first row: the release, or the first adjustment of an escrow of zero (no release row).
	"""
	found: dict[str, dict] = {}
	for row in frappe.get_all(
		WALLET_TRANSACTION,
		filters={
			"shop": shop,
			"order_sn": ["in", order_sns or [""]],
			"transaction_type": ["in", ORDER_TYPES],
		},
		fields=["order_sn", "amount", "created_at", "create_time"],
		order_by="create_time asc, name asc",
	):
		entry = found.setdefault(
			row.order_sn, {"amount": 0.0, "date": getdate(row.created_at), "time": row.create_time}
		)
		entry["amount"] += flt(row.amount)
	return found


class Sweep:
	"""One withdrawal (all parts of a root) as the report needs it."""

	def __init__(self, root: str, created, parts: list):
		self.root_withdrawal_id = root
		self.created = created
		self.parts = parts

	@property
	def all_matched(self) -> bool:
		return all(part.reconciliation == "Matched" for part in self.parts if part.status == "Completed")


def withdrawals_of(shop: str) -> list[Sweep]:
	parts = frappe.get_all(
		WITHDRAWAL,
		filters={"shop": shop},
		fields=["name", "root_withdrawal_id", "status", "created_at", "reconciliation"],
		order_by="created_at asc",
	)
	roots: dict[str, list] = defaultdict(list)
	for part in parts:
		roots[part.root_withdrawal_id or part.name].append(part)
	sweeps = [
		Sweep(root, min(p.created_at for p in rows if p.created_at), rows)
		for root, rows in roots.items()
		if any(p.created_at for p in rows)
	]
	return sorted(sweeps, key=lambda sweep: sweep.created)


def first_withdrawal_after(sweeps: list[Sweep], release) -> Sweep | None:
	"""The withdrawal that took a release to the bank: the first not wholly cancelled one after it."""
	if not release:
		return None
	moment = getdate(release["date"])
	return next(
		(s for s in sweeps if getdate(s.created) >= moment and any(p.status != "Cancelled" for p in s.parts)),
		None,
	)


def withdrawal_rows(shop, period, sweeps: list[Sweep]) -> list[dict]:
	rows = []
	for part in frappe.get_all(
		WITHDRAWAL,
		filters={"shop": shop.name, "created_at": ["between", [period[0], period[1] + timedelta(days=1)]]},
		fields=["*"],
		order_by="created_at asc, name asc",
	):
		deposit = (
			flt(frappe.db.get_value("Bank Transaction", part.bank_transaction, "deposit"))
			if part.bank_transaction
			else 0
		)
		unmatched = part.status == "Completed" and part.reconciliation != "Matched"
		rows.append(
			{
				"row_type": "Withdrawal",
				"order_sn": part.name,
				"status": part.status,
				"currency": part.currency,
				"withdrawal": part.root_withdrawal_id,
				"withdrawn": flt(part.amount) if part.status != "Cancelled" else 0,
				"other_fees": flt(part.transaction_fee),
				"deposited": deposit,
				"bank_transaction": part.bank_transaction,
				"released_on": getdate(part.completed_at) if part.completed_at else None,
				"reconciled": int(part.reconciliation == "Matched"),
				"unmatched": int(unmatched),
				"note": part.reconciliation_message or (_("in transit") if part.status == "Created" else ""),
			}
		)
	return rows


def unbooked_rows(shop, period) -> list[dict]:
	return [
		{
			"row_type": "Wallet",
			"order_sn": row.order_sn or row.name,
			"status": row.booking_status,
			"currency": row.currency,
			"released": flt(row.amount),
			"released_on": getdate(row.created_at),
			"unmatched": 1,
			"note": f"{row.transaction_type} {row.name}: {row.booking_message or ''}",
		}
		for row in frappe.get_all(
			WALLET_TRANSACTION,
			filters={
				"shop": shop.name,
				"booking_status": ["!=", "Booked"],
				"created_at": ["between", [period[0], period[1] + timedelta(days=1)]],
			},
			fields=[
				"name",
				"order_sn",
				"transaction_type",
				"amount",
				"created_at",
				"currency",
				"booking_status",
				"booking_message",
			],
		)
	]


def chart(data: list[dict]) -> dict:
	"""Week by week: escrow released, withdrawn, deposited in the bank."""
	weeks: dict = defaultdict(lambda: [0.0, 0.0, 0.0])
	for row in data:
		if not row.get("released_on"):
			continue
		week = row["released_on"] - timedelta(days=row["released_on"].weekday())
		if row["row_type"] == "Order":
			weeks[week][0] += flt(row.get("released"))
		elif row["row_type"] == "Withdrawal":
			weeks[week][1] += flt(row.get("withdrawn"))
			weeks[week][2] += flt(row.get("deposited"))
	labels = sorted(weeks)
	names = (_("Escrow released"), _("Withdrawn"), _("Deposited in bank"))
	return {
		"data": {
			"labels": [str(week) for week in labels],
			"datasets": [
				{"name": name, "values": [weeks[week][i] for week in labels]} for i, name in enumerate(names)
			],
		},
		"type": "bar",
	}


def summary(orders: list[dict], data: list[dict], currency: str) -> list[dict]:
	def total(rows, key):
		return sum(flt(row.get(key)) for row in rows)

	withdrawals = [row for row in data if row["row_type"] == "Withdrawal"]
	completed = [row for row in withdrawals if row["status"] == "Completed"]
	unmatched = [row for row in data if row.get("unmatched")]
	remainder = total(orders, "remainder")
	return [
		{"label": _("Orders"), "value": len(orders), "datatype": "Int"},
		{
			"label": _("Escrow"),
			"value": total(orders, "escrow"),
			"datatype": "Currency",
			"currency": currency,
		},
		{
			"label": _("Released"),
			"value": total(orders, "released"),
			"datatype": "Currency",
			"currency": currency,
		},
		{
			"label": _("Withdrawn"),
			"value": total(completed, "withdrawn"),
			"datatype": "Currency",
			"currency": currency,
		},
		{
			"label": _("Deposited"),
			"value": total(completed, "deposited"),
			"datatype": "Currency",
			"currency": currency,
		},
		{
			"label": _("Reconciled"),
			"value": f"{sum(r['reconciled'] for r in completed)} / {len(completed)}",
			"datatype": "Data",
		},
		{
			"label": _("Remainder"),
			"value": remainder,
			"datatype": "Currency",
			"currency": currency,
			"indicator": "Red" if remainder else "Green",
		},
		{
			"label": _("Unmatched items"),
			"value": len(unmatched),
			"datatype": "Int",
			"indicator": "Red" if unmatched else "Green",
		},
	]
