"""One row per shop: connection, token expiry, last completed run of each job, inbox and waiting counts."""

import frappe
from frappe import _
from frappe.query_builder import Order
from frappe.query_builder.functions import Count, Max

from shopee_bridge.constants import INBOX, SHOP, SYNC_LOG, WAITING_ORDER

INBOX_STATUSES = ("Queued", "Failed", "Dead")
FINISHED = ("Success", "Partial")  # the run completed; Partial: some records wait with their reason


def execute(filters=None):
	shops = frappe.get_all(
		SHOP,
		fields=["name", "shop_name", "status", "access_token_expires_at", "authorization_expires_at"],
		order_by="name",
	)
	jobs = sorted(
		set(frappe.get_all(SYNC_LOG, filters={"status": ["in", FINISHED]}, pluck="job", distinct=True))
	)
	return columns(jobs), [row(shop, jobs) for shop in shops]


def columns(jobs: list[str]) -> list[dict]:
	fixed = [
		{"fieldname": "shop", "label": _("Shop"), "fieldtype": "Link", "options": SHOP, "width": 110},
		{"fieldname": "shop_name", "label": _("Name"), "fieldtype": "Data", "width": 160},
		{"fieldname": "status", "label": _("Connection"), "fieldtype": "Data", "width": 130},
		{
			"fieldname": "access_token_expires_at",
			"label": _("Token Expires"),
			"fieldtype": "Datetime",
			"width": 160,
		},
		{
			"fieldname": "authorization_expires_at",
			"label": _("Authorization Expires"),
			"fieldtype": "Datetime",
			"width": 160,
		},
	]
	last_runs = [
		{
			"fieldname": f"last_{job}",
			"label": _("Last Run: {0}").format(job),
			"fieldtype": "Datetime",
			"width": 170,
		}
		for job in jobs
	]
	counts = [
		{
			"fieldname": f"inbox_{status.lower()}",
			"label": _("Pushes {0}").format(status),
			"fieldtype": "Int",
			"width": 110,
		}
		for status in INBOX_STATUSES
	]
	waiting = [
		{"fieldname": "waiting", "label": _("Orders Waiting"), "fieldtype": "Int", "width": 110},
		{"fieldname": "top_reason", "label": _("Main Reason"), "fieldtype": "Data", "width": 160},
	]
	return fixed + last_runs + counts + waiting


def row(shop, jobs: list[str]) -> dict:
	values = dict(shop, shop=shop.name)
	for job in jobs:
		values[f"last_{job}"] = last_finished_run(shop.name, job)
	for status in INBOX_STATUSES:
		values[f"inbox_{status.lower()}"] = frappe.db.count(INBOX, {"shop_id": shop.name, "status": status})
	reasons = waiting_by_reason(shop.name)
	values["waiting"] = sum(reason.orders for reason in reasons)
	values["top_reason"] = reasons[0].reason_code if reasons else None
	return values


def last_finished_run(shop: str, job: str):
	log = frappe.qb.DocType(SYNC_LOG)
	query = (
		frappe.qb.from_(log)
		.select(Max(log.ended_at))
		.where((log.shop == shop) & (log.job == job) & log.status.isin(FINISHED))
	)
	return query.run()[0][0]


def waiting_by_reason(shop: str) -> list[dict]:
	"""Waiting orders per reason code, the commonest first."""
	waiting = frappe.qb.DocType(WAITING_ORDER)
	orders = Count(waiting.name).as_("orders")
	query = (
		frappe.qb.from_(waiting)
		.select(waiting.reason_code, orders)
		.where(waiting.shop == shop)
		.groupby(waiting.reason_code)
		.orderby(orders, order=Order.desc)
	)
	return query.run(as_dict=True)
