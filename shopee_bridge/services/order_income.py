"""Shopee Order Income: the escrow breakdown of each order, stored as Shopee sent it, once per version."""

import json

import frappe
from frappe.utils import now_datetime

from shopee_bridge.constants import ORDER_INCOME
from shopee_bridge.mappers.escrow import order_income_record
from shopee_bridge.utils import savepoint


def store_order_income(shop, order: dict, escrow: dict, sales_order: str | None = None) -> str:
	"""Upsert the order's Shopee Order Income; an unchanged version writes nothing."""
	order_sn = order["order_sn"]
	record = order_income_record(escrow, order_sn)
	current = frappe.db.get_value(ORDER_INCOME, order_sn, ["version", "sales_order"], as_dict=True)
	if current and current.version == record["version"]:
		if sales_order and not current.sales_order:
			frappe.db.set_value(ORDER_INCOME, order_sn, "sales_order", sales_order, update_modified=False)
		return order_sn
	doc = frappe.get_doc(ORDER_INCOME, order_sn) if current else frappe.new_doc(ORDER_INCOME)
	doc.update(
		{
			"order_sn": order_sn,
			"shop": shop.name,
			"sales_order": sales_order or doc.get("sales_order"),
			"order_status": order.get("order_status"),
			"currency": order.get("currency") or shop.currency,
			"escrow_amount": record["escrow_amount"],
			"escrow_amount_after_adjustment": record["escrow_amount_after_adjustment"],
			"fetched_at": now_datetime(),
			"version": record["version"],
			"lists_json": json.dumps(record["lists"], indent=1, sort_keys=True, default=str),
		}
	)
	doc.set("components", [{"component": k, "amount": v} for k, v in record["components"].items()])
	try:
		with savepoint("shopee_order_income"):
			doc.save(ignore_permissions=True) if current else doc.insert(ignore_permissions=True)
	except frappe.DuplicateEntryError:  # a concurrent run stored it first; its figures are as good
		pass
	return order_sn


def link_sales_order(order_sn: str, sales_order: str) -> None:
	if frappe.db.exists(ORDER_INCOME, order_sn):
		frappe.db.set_value(ORDER_INCOME, order_sn, "sales_order", sales_order, update_modified=False)
