"""Order sync jobs: one incremental pull of a shop (see jobs/schedule.py) and retries of waiting orders."""

import frappe

from shopee_bridge.constants import WAITING_ORDER
from shopee_bridge.services import waiting_orders
from shopee_bridge.services.orders import sync_incremental_orders, sync_orders
from shopee_bridge.utils import log_error


def sync_shop_orders(shop: str, triggered_by: str | None = None) -> str:
	"""Background job: one incremental order sync of one shop, writing as Administrator."""
	triggered_by = triggered_by or frappe.session.user
	frappe.set_user("Administrator")
	return sync_incremental_orders(shop, triggered_by=triggered_by)


def enqueue_waiting_retry(order_sns: list[str]) -> list[str]:
	"""Make the waiting orders due and queue one retry job for them; returns those queued."""
	due = waiting_orders.make_due(order_sns)
	if due:
		frappe.enqueue(
			"shopee_bridge.jobs.orders.retry_waiting_orders",
			queue="long",
			timeout=3600,
			enqueue_after_commit=True,
			order_sns=due,
		)
	return due


def retry_waiting_orders(order_sns: list[str]) -> dict[str, str]:
	"""Background job: fetch the given waiting orders again, shop by shop; returns each order's summary."""
	frappe.set_user("Administrator")
	by_shop: dict[str, list[str]] = {}
	for row in frappe.get_all(WAITING_ORDER, filters={"name": ["in", order_sns]}, fields=["name", "shop"]):
		by_shop.setdefault(row.shop, []).append(row.name)
	summaries = {}
	for shop, names in by_shop.items():
		try:
			summaries.update({sn: result.summary for sn, result in sync_orders(shop, names).items()})
		except Exception:
			frappe.db.rollback()
			log_error(f"Shopee retry of waiting orders failed for shop {shop}")
	return summaries
