"""Finance jobs: the scheduler's hourly run per shop and the manual "Sync Finance" run."""

import frappe

from shopee_bridge.constants import SHOP
from shopee_bridge.services.finance import sync_finance
from shopee_bridge.shop_client import get_settings
from shopee_bridge.utils import log_error


def sync_shop_finance(shop: str, triggered_by: str | None = None) -> str:
	"""Background job: one finance run of one shop (wallet, fees, payments, withdrawals, reconciliation)."""
	triggered_by = triggered_by or frappe.session.user
	frappe.set_user("Administrator")
	return sync_finance(shop, triggered_by=triggered_by)


def enqueue_shop_finance(shop: str) -> str:
	"""Queue a shop's finance run on the long queue, once at a time per shop."""
	job_id = f"shopee_finance_sync::{shop}"
	frappe.enqueue(
		"shopee_bridge.jobs.finance.sync_shop_finance",
		queue="long",
		timeout=3600,
		job_id=job_id,
		deduplicate=True,
		enqueue_after_commit=True,
		shop=shop,
		triggered_by=frappe.session.user,
	)
	return job_id


def schedule_finance_sync() -> list[str]:
	"""Scheduler (hourly): queue a finance run for every enabled, connected shop."""
	try:
		if not get_settings().enabled:
			return []
		shops = frappe.get_all(SHOP, filters={"enabled": 1, "status": "Connected"}, pluck="name")
		return [enqueue_shop_finance(shop) for shop in shops]
	except Exception:
		log_error("Shopee finance sync scheduling failed")
		raise
