"""ERPNext writers for Shopee orders: Customer, Address, Sales Order, Delivery Note, Sales Invoice.

Each takes plain dicts from shopee_bridge.mappers.orders and is idempotent: keyed by the buyer key,
the address dedupe key and shopee_order_sn, with unique indexes deciding races.
"""

from datetime import datetime

import frappe
from frappe import _
from frappe.utils import flt, getdate

from shopee_bridge.constants import (
	ADDRESS_KEY_FIELD,
	BUYER_FEE_FIELD,
	BUYER_PAID_FIELD,
	BUYER_USERNAME_FIELD,
	CUSTOMER_KEY_FIELD,
	LAST_PUSH_FIELD,
	ORDER_SN_FIELD,
	RESIDUAL_FIELD,
	SHOP_FIELD,
	SHOPEE_FUNDED_FIELD,
)
from shopee_bridge.mappers.stages import (
	CANCEL,
	DELIVERY_NOTE,
	SALES_INVOICE,
	SALES_ORDER,
	SALES_ORDER_DRAFT,
)
from shopee_bridge.services.delivery_stock import delivery_datetime
from shopee_bridge.services.order_errors import ShopSetupError
from shopee_bridge.utils import savepoint


def ensure_customer(customer: dict, shop) -> str:
	"""The Customer for (shop, buyer key), created on first sight, booked on the shop's receivable."""
	filters = {SHOP_FIELD: customer["shopee_shop"], CUSTOMER_KEY_FIELD: customer["shopee_buyer_username"]}
	name = frappe.db.get_value("Customer", filters, "name")
	if name:
		ensure_customer_account(name, shop)
		return name
	doc = frappe.get_doc({"doctype": "Customer", **customer})
	_set_receivable(doc, shop)
	try:
		with savepoint("shopee_customer"):
			doc.insert(ignore_permissions=True)
	except frappe.UniqueValidationError:
		return frappe.db.get_value("Customer", filters, "name")
	return doc.name


def ensure_customer_account(customer: str, shop) -> None:
	"""Give an existing customer the shop's receivable account once it is configured."""
	if not shop.shopee_receivable_account or frappe.db.exists(
		"Party Account", {"parenttype": "Customer", "parent": customer, "company": shop.company}
	):
		return
	doc = frappe.get_doc("Customer", customer)
	_set_receivable(doc, shop)
	doc.save(ignore_permissions=True)


def _set_receivable(doc, shop) -> None:
	"""A foreign-currency shop books on a receivable in its currency, which ERPNext ties to the customer."""
	if not shop.shopee_receivable_account:
		return
	doc.append("accounts", {"company": shop.company, "account": shop.shopee_receivable_account})
	doc.default_currency = frappe.get_cached_value(
		"Account", shop.shopee_receivable_account, "account_currency"
	)


def ensure_address(address: dict | None, customer: str) -> str | None:
	"""The shipping Address with this dedupe key, linked to the customer."""
	if not address:
		return None
	key = address["dedupe_key"]
	name = frappe.db.get_value("Address", {ADDRESS_KEY_FIELD: key}, "name")
	if name:
		return name
	fields = {k: v for k, v in address.items() if k != "dedupe_key"}
	doc = frappe.get_doc(
		{
			"doctype": "Address",
			**fields,
			ADDRESS_KEY_FIELD: key,
			"links": [{"link_doctype": "Customer", "link_name": customer}],
		}
	)
	doc.flags.ignore_validate = True  # Shopee masks phone numbers ("****"); keep them as sent
	doc.insert(ignore_permissions=True, ignore_mandatory=True)
	return doc.name


def find_sales_order(order_sn: str) -> str | None:
	return frappe.db.get_value("Sales Order", {ORDER_SN_FIELD: order_sn}, "name")


def booked_order_sns(order_sns: list[str]) -> list[str]:
	"""The given order_sn that have a submitted or cancelled Sales Order (drafts are not booked yet)."""
	if not order_sns:
		return []
	return frappe.get_all(
		"Sales Order",
		filters={ORDER_SN_FIELD: ["in", order_sns], "docstatus": ["!=", 0]},
		pluck=ORDER_SN_FIELD,
	)


def build_sales_order(mapped: dict, shop, settings, customer: str, address: str | None, buyer_username: str):
	"""An unsaved Sales Order carrying the mapped amounts exactly."""
	so = frappe.new_doc("Sales Order")
	if shop.sales_order_naming_series:
		so.naming_series = shop.sales_order_naming_series
	fill_sales_order(so, mapped, shop, settings, customer, address, buyer_username)
	return so


def fill_sales_order(
	so, mapped: dict, shop, settings, customer: str, address: str | None, buyer_username: str
):
	"""Set the mapped header, lines, taxes and shipping on a new or draft Sales Order (rows replaced)."""
	so.update(
		{
			"customer": customer,
			"company": shop.company,
			"currency": mapped["currency"],
			"transaction_date": mapped["transaction_date"],
			"delivery_date": mapped["delivery_date"],
			"selling_price_list": shop.selling_price_list,
			"ignore_pricing_rule": 1,
			"disable_rounded_total": 1,
			"set_warehouse": shop.warehouse,
			"customer_address": address,
			"shipping_address_name": address,
			"cost_center": shop.cost_center,
			"taxes_and_charges": shop.taxes_and_charges,
			ORDER_SN_FIELD: mapped["shopee_order_sn"],
			SHOP_FIELD: shop.name,
			BUYER_USERNAME_FIELD: buyer_username,
			BUYER_PAID_FIELD: float(mapped["buyer_paid_amount"]),
			SHOPEE_FUNDED_FIELD: float(mapped["shopee_funded_amount"]),
			BUYER_FEE_FIELD: float(mapped["buyer_transaction_fee"]),
			RESIDUAL_FIELD: float(mapped["amount_residual"]),
			# on the grand total: with tax-inclusive prices a net-total discount would also shrink the tax
			"apply_discount_on": "Grand Total",
			"discount_amount": float(mapped["seller_discount_amount"]),
		}
	)
	set_conversion_rate(so, shop.company)
	so.set("items", [])
	so.set("taxes", [])
	for row in mapped["items"]:
		so.append(
			"items",
			{
				"item_code": row["item_code"],
				"item_name": row["item_name"] or row["item_code"],
				"qty": float(row["qty"]),
				"rate": float(row["rate"]),
				"price_list_rate": float(row["rate"]),
				"warehouse": shop.warehouse,
				"delivery_date": mapped["delivery_date"],
				"cost_center": shop.cost_center,
			},
		)
	add_template_taxes(so, shop.taxes_and_charges)
	if settings.shipping_as == "Item":
		add_shipping_item(so, mapped, settings.shipping_item, shop)
	else:
		add_shipping_charge(so, mapped["shipping_charge"], shop)
	add_residual_charge(so, mapped["amount_residual"], shop)


def add_template_taxes(so, template: str | None) -> None:
	"""The shop's tax template rows; Shopee prices include tax, so use an inclusive template."""
	if not template:
		return
	from erpnext.controllers.accounts_controller import get_taxes_and_charges

	for row in get_taxes_and_charges("Sales Taxes and Charges Template", template) or []:
		so.append("taxes", row)


def add_shipping_item(so, mapped: dict, item_code: str | None, shop) -> None:
	"""The buyer's shipping fee as a line of the shipping Item (setting "Book Buyer's Shipping Fee As")."""
	if not mapped["shipping_charge"]:
		return
	if not item_code:
		frappe.throw(_("Set the Shipping Item in Shopee Settings"), ShopSetupError)
	so.append(
		"items",
		{
			"item_code": item_code,
			"qty": 1,
			"rate": float(mapped["shipping_charge"]),
			"price_list_rate": float(mapped["shipping_charge"]),
			"warehouse": shop.warehouse,
			"delivery_date": mapped["delivery_date"],
			"cost_center": shop.cost_center,
		},
	)


def set_conversion_rate(doc, company: str) -> None:
	"""Shop currency to company currency; a missing rate is a clear error, not a zero."""
	from erpnext.setup.utils import get_exchange_rate

	company_currency = frappe.get_cached_value("Company", company, "default_currency")
	if doc.currency == company_currency:
		doc.conversion_rate = 1
		return
	rate = get_exchange_rate(doc.currency, company_currency, doc.transaction_date, "for_selling")
	if not rate:
		frappe.throw(
			_("No exchange rate from {0} to {1} on {2}: add a Currency Exchange record.").format(
				doc.currency, company_currency, doc.transaction_date
			),
			ShopSetupError,
		)
	doc.conversion_rate = rate
	doc.plc_conversion_rate = rate


def add_shipping_charge(so, amount, shop) -> None:
	"""The buyer's shipping fee as an Actual charge row on the shop's shipping income account."""
	if not amount:
		return
	account = shop.shipping_income_account or frappe.get_cached_value(
		"Company", shop.company, "default_income_account"
	)
	if not account:
		frappe.throw(
			_("Set a Shipping Charged to Buyer Account on Shopee Shop {0}").format(shop.name), ShopSetupError
		)
	so.append(
		"taxes",
		{
			"charge_type": "Actual",
			"account_head": account,
			"description": _("Shipping fee charged to the buyer"),
			"tax_amount": float(amount),
			"cost_center": shop.cost_center,
		},
	)


def add_residual_charge(so, residual, shop) -> None:
	"""What Shopee's buyer-side figures add beyond the sale (or lack), on the shop's difference account."""
	if not residual:
		return
	if not shop.shopee_difference_account:
		frappe.throw(
			_(
				"Shopee order {0} does not add up by {1}: set a Shopee Difference Account on Shopee Shop {2}"
				" to book it with that difference"
			).format(so.get(ORDER_SN_FIELD), residual, shop.name),
			ShopSetupError,
		)
	so.append(
		"taxes",
		{
			"charge_type": "Actual",
			"account_head": shop.shopee_difference_account,
			"description": _("Shopee difference: buyer side minus what the seller sold for"),
			"tax_amount": float(residual),
			"cost_center": shop.cost_center,
		},
	)


def check_grand_total(so, mapped: dict) -> None:
	"""The booked total must be Shopee's figure to the cent, or the order is refused."""
	if abs(flt(so.grand_total) - flt(mapped["grand_total"])) > 0.001:
		frappe.throw(
			_("Sales Order total {0} differs from Shopee's {1} for order {2}").format(
				so.grand_total, mapped["grand_total"], mapped["shopee_order_sn"]
			)
		)


def make_delivery_note(so_name: str, shipped_at) -> str:
	"""Deliver the order, dated at its pickup; when stock only arrived later, dated now (with a comment).

	A shipment arranged from Desk left a draft Delivery Note (tracking number, label): that one is submitted.
	"""
	from erpnext.selling.doctype.sales_order.sales_order import make_delivery_note as map_delivery_note

	draft = find_draft_delivery_note(frappe.db.get_value("Sales Order", so_name, ORDER_SN_FIELD))
	dn = frappe.get_doc("Delivery Note", draft) if draft else map_delivery_note(so_name)
	posting = delivery_datetime(dn, shipped_at)
	name = _submit_mapped(dn, so_name, posting)
	if posting != shipped_at:
		dn.add_comment(
			"Info",
			_("Shipped on Shopee on {0}; dated later because the stock was received after that.").format(
				shipped_at
			),
		)
	return name


def find_draft_delivery_note(order_sn: str | None) -> str | None:
	"""The order's draft Delivery Note, made when its shipment was arranged from Desk (not a return)."""
	if not order_sn:
		return None
	filters = {ORDER_SN_FIELD: order_sn, "docstatus": 0, "is_return": 0}
	return frappe.db.get_value("Delivery Note", filters, "name", order_by="creation asc")


def make_sales_invoice(so_name: str, posting_date, receivable_account: str | None = None) -> str:
	from erpnext.selling.doctype.sales_order.sales_order import make_sales_invoice as map_sales_invoice

	si = map_sales_invoice(so_name, ignore_permissions=True)
	si.due_date = posting_date
	if receivable_account:
		si.debit_to = receivable_account
	return _submit_mapped(si, so_name, posting_date)


def _submit_mapped(doc, so_name: str, posting_date) -> str:
	"""Carry the Shopee keys onto a mapped document (they are no_copy on the order) and submit it."""
	order_sn, shop = frappe.db.get_value("Sales Order", so_name, [ORDER_SN_FIELD, SHOP_FIELD])
	doc.set(ORDER_SN_FIELD, order_sn)
	doc.set(SHOP_FIELD, shop)
	doc.set_posting_time = 1
	if isinstance(posting_date, datetime):
		doc.posting_time = posting_date.time()
	doc.posting_date = max(
		getdate(posting_date), getdate(frappe.db.get_value("Sales Order", so_name, "transaction_date"))
	)
	if doc.meta.has_field("due_date") and doc.get("due_date"):
		doc.due_date = max(getdate(doc.due_date), doc.posting_date)
	if doc.is_new():
		doc.insert(ignore_permissions=True)
	else:  # the draft Delivery Note of a shipment arranged from Desk
		doc.save(ignore_permissions=True)
	doc.submit()
	return doc.name


def cancel_or_close(so_name: str, reason: str) -> str:
	"""Cancel an order nothing was delivered or billed for; close it (with the reason) otherwise."""
	so = frappe.get_doc("Sales Order", so_name)
	if so.docstatus == 0:
		so.delete(ignore_permissions=True)
		return "deleted"
	if flt(so.per_delivered) or flt(so.per_billed):
		so.update_status("Closed")
		so.add_comment(
			"Info", _("Closed: Shopee cancelled the order after shipment or billing ({0})").format(reason)
		)
		return "closed"
	so.cancel()
	so.add_comment("Info", _("Cancelled on Shopee: {0}").format(reason))
	return "cancelled"


def docstatus(so_name: str) -> int:
	return frappe.db.get_value("Sales Order", so_name, "docstatus")


def reinstate_sales_order(so_name: str, shopee_status: str) -> str:
	"""Amend a cancelled Sales Order whose order Shopee reports active again.

	That happens when the seller rejects the buyer's cancellation request (IN_CANCEL → READY_TO_SHIP).
	The amendment takes over the order_sn: the unique index allows one Sales Order per Shopee order.
	"""
	old = frappe.get_doc("Sales Order", so_name)
	order_sn = old.get(ORDER_SN_FIELD)
	new = frappe.copy_doc(old)
	new.amended_from = old.name
	new.status = "Draft"
	for doc in (new, *new.get_all_children()):
		doc.docstatus = 0
	frappe.db.set_value("Sales Order", old.name, ORDER_SN_FIELD, None, update_modified=False)
	new.insert(ignore_permissions=True)
	old.add_comment(
		"Info",
		_("Shopee order {0} is active again ({1}): reinstated as {2}").format(
			order_sn, shopee_status, new.name
		),
	)
	return new.name


def transitions_done(so_name: str | None) -> list[str]:
	"""Which transitions already exist for an order, read from the documents themselves."""
	if not so_name:
		return []
	docstatus, status, order_sn = frappe.db.get_value(
		"Sales Order", so_name, ["docstatus", "status", ORDER_SN_FIELD]
	)
	if docstatus == 2 or status == "Closed":
		return [CANCEL]
	done = [SALES_ORDER if docstatus == 1 else SALES_ORDER_DRAFT]
	if frappe.db.exists("Delivery Note", {ORDER_SN_FIELD: order_sn, "docstatus": 1}):
		done.append(DELIVERY_NOTE)
	if frappe.db.exists("Sales Invoice", {ORDER_SN_FIELD: order_sn, "docstatus": 1, "is_return": 0}):
		done.append(SALES_INVOICE)
	return done


def record_pushed_update_time(so_name: str, update_time: int | None) -> None:
	"""Keep the newest Shopee update_time applied, for the webhook anti-regression guard."""
	if not update_time:
		return
	current = frappe.db.get_value("Sales Order", so_name, LAST_PUSH_FIELD) or 0
	if int(update_time) > int(current):
		frappe.db.set_value("Sales Order", so_name, LAST_PUSH_FIELD, int(update_time), update_modified=False)


def applied_update_time(order_sn: str) -> int:
	"""The newest Shopee update_time applied to the order's Sales Order (0 before it is booked)."""
	return int(frappe.db.get_value("Sales Order", {ORDER_SN_FIELD: order_sn}, LAST_PUSH_FIELD) or 0)
