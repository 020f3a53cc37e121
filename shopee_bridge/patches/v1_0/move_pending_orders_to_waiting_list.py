"""Orders the old per-shop retry list (Shopee Shop.pending_order_sns) held go to Shopee Waiting Order."""

import json

import frappe
from frappe.utils import now_datetime

from shopee_bridge.constants import SHOP, WAITING_ORDER


def execute():
	if not frappe.db.has_column(SHOP, "pending_order_sns"):
		return
	for shop, pending in frappe.db.sql(f"select name, pending_order_sns from `tab{SHOP}`"):
		for order_sn in json.loads(pending or "[]"):
			if not frappe.db.exists(WAITING_ORDER, order_sn):
				frappe.get_doc(
					{
						"doctype": WAITING_ORDER,
						"order_sn": order_sn,
						"shop": shop,
						"step": "Sales Order",
						"reason_code": "Other",
						"reason": "Carried over from the shop's earlier retry list; the next sync retries it.",
						"first_seen": now_datetime(),
						"next_retry_at": now_datetime(),
					}
				).insert(ignore_permissions=True)
