"""Integrity report: Shopee compared with ERPNext for a shop and period, saved with SHA-256 digests.

Each section asks Shopee for the period (orders by status, and what other sections add), reads the
ERPNext side in bulk, 50 records at a time, and lists every mismatch with a link to the document.
Orders that wait in Shopee Waiting Order are counted as waiting, not as mismatches: their reason is
already on record. The report is saved as two private Files (canonical JSON and a readable HTML
summary) whose SHA-256 digests are stored on the Shopee Integrity Report, so a later change to
either file is detectable (`verify`).
"""

import hashlib
import json
from collections import Counter
from datetime import timedelta

import frappe
from frappe.utils import escape_html, get_absolute_url, get_datetime, getdate, now_datetime

from shopee_bridge.client_endpoints import MAX_BATCH, chunked, time_windows
from shopee_bridge.constants import (
	INTEGRITY_REPORT,
	ORDER_SN_FIELD,
	ORDER_STATUS_FIELD,
	RETURN,
	RETURN_SN_FIELD,
	SETTLEMENT,
	SHOP,
	WAITING_ORDER,
	WALLET_TRANSACTION,
	WITHDRAWAL,
)
from shopee_bridge.mappers import orders as mapper
from shopee_bridge.mappers.money import quantize
from shopee_bridge.mappers.stages import CANCEL, SALES_ORDER, SALES_ORDER_DRAFT
from shopee_bridge.services import order_documents as docs
from shopee_bridge.shop_client import get_settings, make_client
from shopee_bridge.utils import datetime_to_epoch

# name -> "module.function(shop, client, start, end) -> (counts, mismatches)"; run in this order
SECTIONS = {
	"orders": "shopee_bridge.services.integrity.orders_section",
	"returns": "shopee_bridge.services.integrity.returns_section",
	"escrow": "shopee_bridge.services.integrity.escrow_section",
	"wallet": "shopee_bridge.services.integrity.wallet_section",
}
DAILY_PERIOD_DAYS = 30


def report_job(shop: str, triggered_by: str | None = None, date_from=None, date_to=None) -> str:
	"""The job (daily, or from Desk): the shop's report over the period, by default the last 30 days."""
	date_to = getdate(date_to) if date_to else getdate() - timedelta(days=1)
	date_from = getdate(date_from) if date_from else date_to - timedelta(days=DAILY_PERIOD_DAYS - 1)
	return make_report(shop, date_from, date_to)


def make_report(shop: str, date_from, date_to) -> str:
	"""Build, save and digest the report; returns the Shopee Integrity Report's name."""
	report = build_report(shop, getdate(date_from), getdate(date_to))
	doc = frappe.get_doc(
		{
			"doctype": INTEGRITY_REPORT,
			"shop": shop,
			"date_from": getdate(date_from),
			"date_to": getdate(date_to),
			"generated_at": now_datetime(),
			"mismatch_count": len(report["mismatches"]),
			"status": "Mismatches" if report["mismatches"] else "Clean",
			"summary": summary_line(report),
		}
	).insert(ignore_permissions=True)
	attach_files(doc, report)
	frappe.db.commit()  # nosemgrep: the report and its files are the job's result
	return doc.name


def build_report(shop: str, date_from, date_to, sections: list[str] | None = None) -> dict:
	"""{shop, period, sections: {name: counts}, mismatches: [...]} over whole days [date_from, date_to].

	`sections`: the names of SECTIONS to run (default all)."""
	start = datetime_to_epoch(get_datetime(date_from))
	end = datetime_to_epoch(get_datetime(date_to) + timedelta(days=1)) - 1
	client = make_client(shop)
	report = {"shop": shop, "from": str(date_from), "to": str(date_to), "sections": {}, "mismatches": []}
	for name, path in SECTIONS.items():
		if sections and name not in sections:
			continue
		counts, mismatches = frappe.get_attr(path)(shop, client, start, end)
		report["sections"][name] = counts
		report["mismatches"] += mismatches
	return report


# -- orders --------------------------------------------------------------------------------------------


def orders_section(shop: str, client, start: int, end: int) -> tuple[dict, list]:
	"""Orders created in the period: Shopee's status against the documents it calls for, and totals."""
	counts, mismatches = Counter(), []
	for window_from, window_to in time_windows(start, end):
		rows = client.iter_order_list(
			window_from, window_to, time_range_field="create_time", with_status=True
		)
		for batch in chunked(rows, MAX_BATCH):
			statuses = {row["order_sn"]: row.get("order_status") for row in batch}
			counts.update(f"shopee {status}" for status in statuses.values())
			mismatches += _compare_orders(shop, client, statuses, counts)
	return dict(sorted(counts.items())), mismatches


def _compare_orders(shop: str, client, statuses: dict[str, str], counts: Counter) -> list:
	mismatches, settings = [], get_settings()
	waiting = set(frappe.get_all(WAITING_ORDER, filters={"name": ["in", list(statuses)]}, pluck="name"))
	booked = []
	for order_sn, status in statuses.items():
		so = docs.find_sales_order(order_sn)
		target = mapper.order_stage(status, book_unpaid=bool(settings.book_unpaid_orders))
		expected = set(mapper.stages_to_apply([], target, bool(settings.invoice_at_shipment)))
		done = set(docs.transitions_done(so)) - {SALES_ORDER_DRAFT}
		if order_sn in waiting:
			counts["waiting"] += 1
			continue
		mismatches += _document_mismatches(order_sn, status, so, expected, done)
		if so and SALES_ORDER in done and CANCEL not in done:
			counts["booked"] += 1
			booked.append((order_sn, so))
	return mismatches + _amount_mismatches(shop, client, booked)


def _document_mismatches(order_sn: str, status: str, so: str | None, expected: set, done: set) -> list:
	mismatches = []
	missing, extra = expected - done, (done - expected) if CANCEL not in expected else set()
	if CANCEL in expected and so and CANCEL not in done:
		extra = {SALES_ORDER}
	if missing:
		mismatches.append(
			_mismatch("missing_documents", order_sn, "Sales Order", so, sorted(expected), sorted(done))
		)
	if extra - {CANCEL}:
		mismatches.append(
			_mismatch("unexpected_documents", order_sn, "Sales Order", so, sorted(expected), sorted(done))
		)
	shown = so and frappe.db.get_value("Sales Order", so, ORDER_STATUS_FIELD)
	if so and shown != status:
		mismatches.append(_mismatch("status_differs", order_sn, "Sales Order", so, status, shown))
	return mismatches


def _amount_mismatches(shop: str, client, booked: list[tuple[str, str]]) -> list:
	"""Each booked order's Sales Order and Sales Invoice totals against Shopee's figures, to the cent."""
	if not booked:
		return []
	order_sns = [order_sn for order_sn, _so in booked]
	details = {o["order_sn"]: o for o in client.get_order_detail(order_sns).get("order_list") or []}
	escrows = {}
	for row in client.get_escrow_detail_batch(order_sns):
		detail = row.get("escrow_detail", row)
		escrows[detail.get("order_sn")] = detail
	mismatches = []
	for order_sn, so in booked:
		if order_sn not in details or order_sn not in escrows:
			mismatches.append(
				_mismatch("shopee_figures_missing", order_sn, "Sales Order", so, "detail and escrow", None)
			)
			continue
		mismatches += _total_mismatches(order_sn, so, details[order_sn], escrows[order_sn])
	return mismatches


def _total_mismatches(order_sn: str, so: str, order: dict, escrow: dict) -> list:
	from shopee_bridge.mappers.pricing import price_order

	currency = order.get("currency") or frappe.db.get_value("Sales Order", so, "currency")
	expected = price_order(order, escrow, currency).grand_total
	booked = quantize(frappe.db.get_value("Sales Order", so, "grand_total"), currency)
	mismatches = []
	if booked != expected:
		mismatches.append(
			_mismatch("order_total_differs", order_sn, "Sales Order", so, str(expected), str(booked))
		)
	for invoice, total in frappe.get_all(
		"Sales Invoice",
		filters={ORDER_SN_FIELD: order_sn, "docstatus": 1, "is_return": 0},
		fields=["name", "grand_total"],
		as_list=True,
	):
		if quantize(total, currency) != expected:
			mismatches.append(
				_mismatch(
					"invoice_total_differs", order_sn, "Sales Invoice", invoice, str(expected), str(total)
				)
			)
	return mismatches


# -- returns -------------------------------------------------------------------------------------------


def returns_section(shop: str, client, start: int, end: int) -> tuple[dict, list]:
	"""Returns created in the period: stored, same status, and the credit note / return note they call for."""
	from shopee_bridge.mappers.returns import goods_are_back, map_return, refund_is_final

	if not frappe.db.get_value(SHOP, shop, "returns_synced_until"):
		return {"skipped: returns never synced for the shop": 1}, []
	counts, mismatches = Counter(), []
	currency = frappe.db.get_value(SHOP, shop, "currency")
	for window_from, window_to in time_windows(start, end):
		for row in client.iter_returns(create_time_from=window_from, create_time_to=window_to):
			mapped = map_return(client.get_return_detail(row["return_sn"]), currency)
			counts[f"shopee {mapped['status']}"] += 1
			stored = frappe.db.get_value(
				RETURN,
				{"return_sn": mapped["return_sn"]},
				["name", "status", "document_status"],
				as_dict=True,
			)
			if not stored:
				mismatches.append(
					_mismatch("return_missing", mapped["return_sn"], None, None, "stored", None)
				)
				continue
			if stored.status != mapped["status"]:
				mismatches.append(
					_mismatch(
						"return_status_differs",
						mapped["return_sn"],
						RETURN,
						stored.name,
						mapped["status"],
						stored.status,
					)
				)
			if stored.document_status == "Waiting":
				counts["waiting"] += 1
				continue
			mismatches += _return_document_mismatches(
				mapped, stored.name, refund_is_final(mapped), goods_are_back(mapped), currency, counts
			)
	return dict(sorted(counts.items())), mismatches


def _return_document_mismatches(
	mapped: dict, name: str, refunded: bool, back: bool, currency, counts
) -> list:
	return_sn, mismatches = mapped["return_sn"], []
	credit_note = frappe.db.get_value(
		"Sales Invoice", {RETURN_SN_FIELD: return_sn, "docstatus": 1}, ["name", "grand_total"], as_dict=True
	)
	if refunded and not credit_note:
		mismatches.append(_mismatch("credit_note_missing", return_sn, RETURN, name, "credit note", None))
	elif credit_note and not refunded:
		mismatches.append(
			_mismatch(
				"unexpected_credit_note", return_sn, "Sales Invoice", credit_note.name, None, "credit note"
			)
		)
	elif credit_note:
		counts["credited"] += 1
		refund, credited = (
			quantize(mapped["refund_amount"], currency),
			-quantize(credit_note.grand_total, currency),
		)
		if refund != credited:
			mismatches.append(
				_mismatch(
					"credit_note_differs",
					return_sn,
					"Sales Invoice",
					credit_note.name,
					str(refund),
					str(credited),
				)
			)
	note = frappe.db.get_value("Delivery Note", {RETURN_SN_FIELD: return_sn, "docstatus": 1}, "name")
	if back and not note:
		mismatches.append(
			_mismatch("return_note_missing", return_sn, RETURN, name, "return delivery note", None)
		)
	elif note and not back:
		mismatches.append(
			_mismatch("unexpected_return_note", return_sn, "Delivery Note", note, None, "return")
		)
	return mismatches


# -- escrow and wallet ------------------------------------------------------------------------------


def finance_runs(shop: str) -> bool:
	"""Finance sections compare only shops whose finance runs (one run done): otherwise nothing is due."""
	return bool(frappe.db.get_value(SHOP, shop, "last_finance_sync"))


def escrow_section(shop: str, client, start: int, end: int) -> tuple[dict, list]:
	"""Completed, invoiced orders of the period: what ERPNext says Shopee owes for each invoice equals escrow."""
	if not finance_runs(shop):
		return {"skipped: finance never ran for the shop": 1}, []
	counts, mismatches = Counter(), []
	for window_from, window_to in time_windows(start, end):
		rows = client.iter_order_list(
			window_from, window_to, time_range_field="create_time", with_status=True
		)
		completed = (row["order_sn"] for row in rows if row.get("order_status") == "COMPLETED")
		for batch in chunked(completed, MAX_BATCH):
			mismatches += _escrow_mismatches(client, batch, counts)
	return dict(sorted(counts.items())), mismatches


def _escrow_mismatches(client, order_sns: list[str], counts: Counter) -> list:
	invoices = {
		row.order_sn: row
		for row in frappe.get_all(
			"Sales Invoice",
			filters={ORDER_SN_FIELD: ["in", order_sns], "docstatus": 1, "is_return": 0},
			fields=["name", f"{ORDER_SN_FIELD} as order_sn", "grand_total", "outstanding_amount", "currency"],
		)
	}
	if not invoices:
		return []
	mismatches = []
	for row in client.get_escrow_detail_batch(list(invoices)):
		detail = row.get("escrow_detail", row)
		invoice = invoices.get(detail.get("order_sn"))
		if not invoice:
			continue
		counts["completed and invoiced"] += 1
		income = detail.get("order_income") or {}
		paid = frappe.db.exists("Payment Entry Reference", {"reference_name": invoice.name, "docstatus": 1})
		expected = quantize(
			income.get("escrow_amount_after_adjustment") if paid else income.get("escrow_amount"),
			invoice.currency,
		)
		owed = quantize(_owed_for_invoice(invoice), invoice.currency)
		settlement = frappe.db.get_value(SETTLEMENT, invoice.order_sn, "status")
		if not settlement or settlement == "Waiting":
			mismatches.append(
				_mismatch(
					"escrow_not_booked",
					invoice.order_sn,
					"Sales Invoice",
					invoice.name,
					"settled",
					settlement,
				)
			)
		elif owed != expected:
			mismatches.append(
				_mismatch(
					"escrow_differs",
					invoice.order_sn,
					"Sales Invoice",
					invoice.name,
					str(expected),
					str(owed),
				)
			)
		else:
			counts["settled"] += 1
		if paid:
			counts["paid"] += 1
			if quantize(invoice.outstanding_amount, invoice.currency) != 0:
				mismatches.append(
					_mismatch(
						"paid_invoice_outstanding",
						invoice.order_sn,
						"Sales Invoice",
						invoice.name,
						"0",
						str(invoice.outstanding_amount),
					)
				)
	return mismatches


def _owed_for_invoice(invoice) -> float:
	"""The invoice less its credit notes and the settlement entries' credits: what Shopee owes for it.

	A credit note that keeps its own outstanding is allocated to the invoice by a settlement entry
	(debit on the note, credit on the invoice): counted on both, that allocation nets to nothing."""
	notes = frappe.get_all(
		"Sales Invoice",
		filters={"return_against": invoice.name, "docstatus": 1, "is_return": 1},
		fields=["name", "grand_total"],
	)
	credited = sum(float(note.grand_total) for note in notes)
	settled = frappe.db.sql(
		"""select coalesce(sum(jea.credit_in_account_currency - jea.debit_in_account_currency), 0)
		from `tabJournal Entry Account` jea join `tabJournal Entry` je on je.name = jea.parent
		where je.docstatus = 1 and je.shopee_entry_key like 'settle:%%' and jea.reference_type = 'Sales Invoice'
		and jea.reference_name in %s""",
		(tuple([invoice.name, *(note.name for note in notes)]),),
	)[0][0]
	return float(invoice.grand_total) + credited - float(settled)


def wallet_section(shop: str, client, start: int, end: int) -> tuple[dict, list]:
	"""Wallet rows of the period: stored and booked; withdrawals transferred, deposited and reconciled."""
	if not finance_runs(shop):
		return {"skipped: finance never ran for the shop": 1}, []
	counts, mismatches, withdrawals = Counter(), [], set()
	for window_from, window_to in time_windows(start, end):
		for row in client.iter_wallet_transactions(window_from, window_to):
			kind, name = row.get("transaction_type"), str(row["transaction_id"])
			counts[f"shopee {kind}"] += 1
			stored = frappe.db.get_value(WALLET_TRANSACTION, name, ["amount", "booking_status"], as_dict=True)
			if not stored:
				mismatches.append(_mismatch("wallet_row_missing", name, None, None, kind, None))
				continue
			if abs(float(stored.amount) - float(row.get("amount") or 0)) > 0.005:
				mismatches.append(
					_mismatch(
						"wallet_amount_differs",
						name,
						WALLET_TRANSACTION,
						name,
						row.get("amount"),
						stored.amount,
					)
				)
			counts["booked"] += stored.booking_status == "Booked"
			if stored.booking_status in ("Pending", "Waiting"):
				mismatches.append(
					_mismatch(
						"wallet_row_not_booked",
						name,
						WALLET_TRANSACTION,
						name,
						"Booked",
						stored.booking_status,
					)
				)
			if row.get("withdrawal_id"):
				withdrawals.add(str(row["withdrawal_id"]))
	for withdrawal_id in sorted(withdrawals):
		mismatches += _withdrawal_mismatches(withdrawal_id, counts)
	if counts["withdrawals completed"]:
		counts["reconciled share %"] = round(
			100 * counts["withdrawals reconciled"] / counts["withdrawals completed"], 1
		)
	return dict(sorted(counts.items())), mismatches


def _withdrawal_mismatches(withdrawal_id: str, counts: Counter) -> list:
	doc = frappe.db.get_value(
		WITHDRAWAL, withdrawal_id, ["status", "transfer", "bank_transaction", "reconciliation"], as_dict=True
	)
	if not doc:
		return [_mismatch("withdrawal_missing", withdrawal_id, None, None, "stored", None)]
	mismatches = []
	transfer_done = doc.transfer and frappe.db.get_value("Journal Entry", doc.transfer, "docstatus") == 1
	if doc.status != "Cancelled" and not transfer_done:
		mismatches.append(
			_mismatch("transfer_missing", withdrawal_id, WITHDRAWAL, withdrawal_id, "transfer", None)
		)
	if doc.status == "Completed":
		counts["withdrawals completed"] += 1
		if not doc.bank_transaction:
			mismatches.append(
				_mismatch(
					"bank_transaction_missing", withdrawal_id, WITHDRAWAL, withdrawal_id, "deposit", None
				)
			)
		elif doc.reconciliation != "Matched":
			mismatches.append(
				_mismatch(
					"deposit_unreconciled",
					withdrawal_id,
					WITHDRAWAL,
					withdrawal_id,
					"Matched",
					doc.reconciliation,
				)
			)
		else:
			counts["withdrawals reconciled"] += 1
	return mismatches


def _mismatch(kind: str, reference: str, doctype: str | None, name: str | None, expected, actual) -> dict:
	return {
		"kind": kind,
		"reference": reference,
		"doctype": doctype if name else None,
		"name": name,
		"expected": expected,
		"actual": actual,
	}


# -- files and digests --------------------------------------------------------------------------------


def canonical_json(report: dict) -> bytes:
	return json.dumps(report, sort_keys=True, indent=1, default=str).encode()


def summary_line(report: dict) -> str:
	kinds = Counter(mismatch["kind"] for mismatch in report["mismatches"])
	if not kinds:
		return "No mismatches."
	return "; ".join(f"{count} {kind.replace('_', ' ')}" for kind, count in sorted(kinds.items()))


def render_html(report: dict) -> bytes:
	"""A readable summary: counts per section and a table of mismatches with links."""
	rows = "".join(
		"<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>".format(
			escape_html(m["kind"]),
			escape_html(m["reference"]),
			_link(m),
			escape_html(str(m["expected"])),
			escape_html(str(m["actual"])),
		)
		for m in report["mismatches"]
	)
	sections = "".join(
		f"<h3>{escape_html(name)}</h3><ul>"
		+ "".join(f"<li>{escape_html(k)}: {v}</li>" for k, v in counts.items())
		+ "</ul>"
		for name, counts in report["sections"].items()
	)
	title = f"Shopee integrity report: shop {report['shop']}, {report['from']} to {report['to']}"
	table = (
		"<table border=1 cellpadding=4><tr><th>Mismatch</th><th>Reference</th><th>Document</th>"
		f"<th>Expected</th><th>Actual</th></tr>{rows}</table>"
		if rows
		else "<p>No mismatches.</p>"
	)
	return (
		f"<!doctype html><html><head><meta charset=utf-8><title>{escape_html(title)}</title></head><body>"
		f"<h2>{escape_html(title)}</h2><p>{escape_html(summary_line(report))}</p>{sections}{table}</body></html>"
	).encode()


def _link(mismatch: dict) -> str:
	if not mismatch.get("name"):
		return ""
	url = get_absolute_url(mismatch["doctype"], mismatch["name"])
	return f'<a href="{escape_html(url)}">{escape_html(mismatch["name"])}</a>'


def attach_files(doc, report: dict) -> None:
	"""The JSON and the HTML as private Files on the report, their SHA-256 digests beside them."""
	stem = f"shopee-integrity-{doc.shop}-{doc.date_from}-{doc.date_to}-{doc.name}"
	values = {}
	for field, suffix, content in (
		("json", "json", canonical_json(report)),
		("html", "html", render_html(report)),
	):
		file = frappe.get_doc(
			{
				"doctype": "File",
				"file_name": f"{stem}.{suffix}",
				"is_private": 1,
				"attached_to_doctype": INTEGRITY_REPORT,
				"attached_to_name": doc.name,
				"content": content,
			}
		).insert(ignore_permissions=True)
		values[f"{field}_file"] = file.file_url
		values[f"{field}_sha256"] = hashlib.sha256(content).hexdigest()
	frappe.db.set_value(INTEGRITY_REPORT, doc.name, values)


def verify(name: str) -> dict:
	"""Whether both files still match their stored digests: {intact, changed: [file fields]}."""
	doc = frappe.get_doc(INTEGRITY_REPORT, name)
	changed = [
		f"{field}_file"
		for field in ("json", "html")
		if hashlib.sha256(file_bytes(doc.get(f"{field}_file"))).hexdigest() != doc.get(f"{field}_sha256")
	]
	return {"intact": not changed, "changed": changed}


def load_json(name: str) -> dict:
	return json.loads(file_bytes(frappe.db.get_value(INTEGRITY_REPORT, name, "json_file")))


def file_bytes(file_url: str) -> bytes:
	content = frappe.get_doc("File", {"file_url": file_url}).get_content()
	return content if isinstance(content, bytes) else content.encode()
