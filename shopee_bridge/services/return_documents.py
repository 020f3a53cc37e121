"""The ERPNext documents of a Shopee return: its credit note and its return Delivery Note.

Credit note: a Sales Invoice with is_return against the order's invoice (ERPNext's make_sales_return),
keeping exactly the returned items and quantities at the rates mappers.returns.plan_credit_note
spreads the refund over, so its grand total is minus the refund to the cent. The invoice's discount
and charges (seller voucher, shipping, Shopee difference) stay with the sale; only a refund beyond the
returned units' value is taken from its shipping charge. It reduces the invoice's own outstanding
(update_outstanding_for_self = 0): what Shopee releases for the order is the invoice minus the refund.
An order refunded before it was invoiced is invoiced first (the order sync's writer), then credited.

Return Delivery Note: ERPNext's sales return of the order's Delivery Note for the returned items,
received into the shop's returns warehouse (its own warehouse when none is set).

Both carry shopee_return_sn, unique among Sales Invoices and among Delivery Notes: a return makes each
once, even when two runs race.
"""

from datetime import datetime

import frappe
from frappe import _
from frappe.utils import flt, get_datetime

from shopee_bridge.constants import ORDER_SN_FIELD, RETURN_SN_FIELD, SHOP, SHOP_FIELD
from shopee_bridge.mappers.money import quantize
from shopee_bridge.mappers.returns import plan_credit_note
from shopee_bridge.services import order_documents as docs
from shopee_bridge.shop_client import get_settings
from shopee_bridge.utils import savepoint

ROW_RESETS = {
	"discount_percentage": 0,
	"discount_amount": 0,
	"margin_rate_or_amount": 0,
	"rate_with_margin": 0,
	"distributed_discount_amount": 0,
}


class ReturnWaitError(frappe.ValidationError):
	"""A document of the return cannot be made yet; the message says what it waits for."""


def order_invoice(order_sn: str | None) -> str | None:
	"""The order's submitted Sales Invoice (not a credit note)."""
	if not order_sn:
		return None
	filters = {ORDER_SN_FIELD: order_sn, "docstatus": 1, "is_return": 0}
	return frappe.db.get_value("Sales Invoice", filters, "name", order_by="creation asc")


def made_for_return(doctype: str, return_sn: str) -> str | None:
	"""The credit note or return Delivery Note already made for the return (a locking read)."""
	rows = frappe.db.sql(
		f"select name from `tab{doctype}` where {RETURN_SN_FIELD}=%s and docstatus<2 for update", return_sn
	)
	return rows[0][0] if rows else None


def _booked_order(ret) -> str:
	so_name = docs.find_sales_order(ret.order_sn)
	if not so_name or docs.docstatus(so_name) != 1:
		raise ReturnWaitError(
			_(
				"order {0} is not booked in ERPNext yet: it is credited once the order books (see Shopee Waiting Order)"
			).format(ret.order_sn)
		)
	return so_name


def invoice_before_credit(so_name: str, ret, shop) -> str:
	"""Invoice an order Shopee refunded before it was invoiced (dated at the refund), committed."""
	frappe.db.sql("select name from `tabSales Order` where name=%s for update", so_name)
	existing = frappe.db.sql(
		"""select name from `tabSales Invoice` where shopee_order_sn=%s and docstatus=1 and is_return=0
		for update""",
		ret.order_sn,
	)
	if existing:
		return existing[0][0]
	invoice = docs.make_sales_invoice(so_name, get_datetime(ret.update_time), shop.shopee_receivable_account)
	frappe.get_doc("Sales Invoice", invoice).add_comment(
		"Info",
		_("Invoiced now: Shopee refunded the buyer (return {0}) before the order was invoiced.").format(
			ret.return_sn
		),
	)
	frappe.db.commit()  # nosemgrep: the order's invoice is right on its own, whatever the credit note does
	return invoice


def make_credit_note(ret) -> str:
	"""The return's credit note: exactly the returned items, totalling minus the refund; made once."""
	existing = made_for_return("Sales Invoice", ret.return_sn)
	if existing:
		return existing
	shop = frappe.get_doc(SHOP, ret.shop)
	so_name = _booked_order(ret)
	invoice = order_invoice(ret.order_sn) or invoice_before_credit(so_name, ret, shop)
	credit = _build_credit_note(invoice, ret, shop)
	try:
		with savepoint("shopee_credit_note"):
			credit.insert(ignore_permissions=True)
	except frappe.UniqueValidationError:  # another run made it first
		frappe.clear_messages()
		return made_for_return("Sales Invoice", ret.return_sn)
	refund = quantize(ret.refund_amount, ret.currency)
	if quantize(-credit.grand_total, ret.currency) != refund:
		frappe.throw(
			_("Credit note total {0} differs from Shopee's refund {1} for return {2}").format(
				credit.grand_total, refund, ret.return_sn
			)
		)
	credit.submit()
	credit.add_comment(
		"Info", _("Shopee return {0}: the buyer was refunded {1}").format(ret.return_sn, refund)
	)
	return credit.name


def _build_credit_note(invoice: str, ret, shop):
	from erpnext.accounts.doctype.sales_invoice.sales_invoice import make_sales_return

	source = frappe.get_doc("Sales Invoice", invoice)
	shipping_rows, shipping = _shipping_charge(source, shop)
	plan = plan_credit_note(
		_returned_items(ret),
		_returnable_rows(source, shipping_rows),
		ret.refund_amount,
		ret.currency,
		shipping,
	)
	credit = make_sales_return(invoice)
	templates = {row.sales_invoice_item: row.as_dict(no_default_fields=True) for row in credit.items}
	credit.set("items", [])
	for line in plan.lines:
		_append_row(credit, templates[line.invoice_row], line.qty, line.rate)
	credit.set("taxes", [tax for tax in credit.taxes if tax.charge_type != "Actual"])
	if plan.shipping:
		_refund_shipping(credit, templates, shipping_rows, plan.shipping, shop)
	credit.update(
		{
			"discount_amount": 0,
			"additional_discount_percentage": 0,
			"update_outstanding_for_self": 0,
			"payment_schedule": [],
			"payment_terms_template": None,
			"remarks": _("Shopee return {0} of order {1}").format(ret.return_sn, ret.order_sn),
		}
	)
	_key_and_date(credit, ret, "Sales Invoice", invoice)
	return credit


def _append_row(doc, template: dict, qty: int, rate) -> None:
	doc.append(
		"items", {**template, **ROW_RESETS, "qty": -qty, "rate": flt(rate), "price_list_rate": flt(rate)}
	)


def _returned_items(ret) -> list[dict]:
	missing = [row.item_name or row.item_id for row in ret.items if not row.item_code]
	if missing:
		raise ReturnWaitError(
			_(
				"map the Shopee listing of {0} to an Item (Shopee Item Map); the next returns sync retries"
			).format(", ".join(missing))
		)
	return [
		{
			"item_code": row.item_code,
			"qty": int(row.qty),
			"item_price": quantize(row.item_price, ret.currency),
			"refund_amount": quantize(row.refund_amount, ret.currency)
			if row.refund_amount and not ret.detail_pending
			else None,
		}
		for row in ret.items
	]


def _returnable_rows(source, shipping_rows: set[str]) -> list[dict]:
	"""The invoice's item rows with what earlier credit notes left returnable (shipping rows aside)."""
	returned = dict(
		frappe.db.sql(
			"""select item.sales_invoice_item, sum(-item.qty) from `tabSales Invoice Item` item
			join `tabSales Invoice` si on si.name=item.parent
			where si.return_against=%s and si.docstatus=1 group by item.sales_invoice_item""",
			source.name,
		)
	)
	return [
		{
			"row": row.name,
			"item_code": row.item_code,
			"qty": int(row.qty - flt(returned.get(row.name))),
			"rate": row.rate,
		}
		for row in source.items
		if row.name not in shipping_rows
	]


def _shipping_charge(source, shop) -> tuple[set[str], object]:
	"""(item rows that are the shipping Item, shipping the buyer paid) on the invoice."""
	settings = get_settings()
	item_rows = {
		row.name for row in source.items if settings.shipping_item and row.item_code == settings.shipping_item
	}
	account = _shipping_account(shop)
	charged = sum(
		flt(tax.tax_amount)
		for tax in source.taxes
		if tax.charge_type == "Actual" and tax.account_head == account
	)
	charged += sum(flt(row.amount) for row in source.items if row.name in item_rows)
	return item_rows, quantize(charged, source.currency)


def _shipping_account(shop) -> str | None:
	return shop.shipping_income_account or frappe.get_cached_value(
		"Company", shop.company, "default_income_account"
	)


def _refund_shipping(credit, templates: dict, shipping_rows: set[str], amount, shop) -> None:
	if shipping_rows:
		_append_row(credit, templates[next(iter(shipping_rows))], 1, amount)
		return
	credit.append(
		"taxes",
		{
			"charge_type": "Actual",
			"account_head": _shipping_account(shop),
			"description": _("Shipping fee refunded to the buyer"),
			"tax_amount": -flt(amount),
			"cost_center": shop.cost_center,
		},
	)


def _key_and_date(doc, ret, source_doctype: str, source: str) -> None:
	"""Shopee's keys (no_copy on the source, so set here) and the moment: the return's, never before the source.

	ERPNext refuses a return timestamped before the document it returns, to the second. A source can
	be later than the return's update time: a Delivery Note dated when late stock arrived, an invoice
	made after a refund. Then the return takes the source's own timestamp.
	"""
	doc.set(ORDER_SN_FIELD, ret.order_sn)
	doc.set(SHOP_FIELD, ret.shop)
	doc.set(RETURN_SN_FIELD, ret.return_sn)
	doc.set_posting_time = 1
	source_moment = posting_datetime(source_doctype, source)
	moment = max(get_datetime(ret.update_time), source_moment)
	doc.posting_date = moment.date()
	doc.posting_time = moment.time()
	if doc.meta.has_field("due_date"):
		doc.due_date = doc.posting_date


def posting_datetime(doctype: str, name: str) -> datetime:
	from erpnext.stock.utils import get_combine_datetime

	posting_date, posting_time = frappe.db.get_value(doctype, name, ["posting_date", "posting_time"])
	return get_combine_datetime(posting_date, posting_time or "00:00:00")


def make_return_delivery_note(ret) -> str:
	"""Receive the returned goods into the shop's returns warehouse: a return of the order's Delivery Note."""
	existing = made_for_return("Delivery Note", ret.return_sn)
	if existing:
		return existing
	delivered = frappe.db.get_value(
		"Delivery Note",
		{ORDER_SN_FIELD: ret.order_sn, "docstatus": 1, "is_return": 0},
		"name",
		order_by="creation asc",
	)
	if not delivered:
		raise ReturnWaitError(
			_(
				"order {0} has no submitted Delivery Note yet: the goods are received back once it is delivered"
			).format(ret.order_sn)
		)
	note = _build_return_note(delivered, ret)
	try:
		with savepoint("shopee_return_note"):
			note.insert(ignore_permissions=True)
	except frappe.UniqueValidationError:  # another run made it first
		frappe.clear_messages()
		return made_for_return("Delivery Note", ret.return_sn)
	note.submit()
	note.add_comment("Info", _("Goods of Shopee return {0} received back").format(ret.return_sn))
	return note.name


def _build_return_note(delivered: str, ret):
	from erpnext.stock.doctype.delivery_note.delivery_note import make_sales_return

	shop = frappe.get_doc(SHOP, ret.shop)
	warehouse = shop.returns_warehouse or shop.warehouse
	note = make_sales_return(delivered)
	templates = [row.as_dict(no_default_fields=True) for row in note.items]
	left = {index: -flt(row["qty"]) for index, row in enumerate(templates)}
	rows = []
	for item in _returned_items(ret):
		needed = item["qty"]
		for index, template in enumerate(templates):
			if template["item_code"] != item["item_code"] or not left[index] or not needed:
				continue
			taken = min(needed, left[index])
			left[index] -= taken
			needed -= taken
			rows.append({**template, "qty": -taken, "warehouse": warehouse or template.get("warehouse")})
		if needed:
			raise ReturnWaitError(
				_("{0} of {1} returned, fewer left on Delivery Note {2}").format(
					item["qty"], item["item_code"], delivered
				)
			)
	note.set("items", rows)
	note.set_warehouse = warehouse
	_key_and_date(note, ret, "Delivery Note", delivered)
	return note
