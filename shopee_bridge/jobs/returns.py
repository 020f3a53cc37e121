"""Returns jobs: the scheduler's incremental returns sync and the manual "Sync Returns" run."""

import frappe

from shopee_bridge.constants import SHOP
from shopee_bridge.services.returns import sync_incremental_returns
from shopee_bridge.shop_client import get_settings
from shopee_bridge.utils import log_error


def sync_shop_returns(shop: str, triggered_by: str | None = None) -> str:
	"""Background job: one incremental returns sync of one shop, writing as Administrator."""
	triggered_by = triggered_by or frappe.session.user
	frappe.set_user("Administrator")
	return sync_incremental_returns(shop, triggered_by=triggered_by)


def enqueue_returns_sync(shop: str) -> str:
	"""Queue a shop's returns sync on the long queue, once at a time per shop."""
	job_id = f"shopee_returns_sync::{shop}"
	frappe.enqueue(
		"shopee_bridge.jobs.returns.sync_shop_returns",
		queue="long",
		timeout=3600,
		job_id=job_id,
		deduplicate=True,
		enqueue_after_commit=True,
		shop=shop,
		triggered_by=frappe.session.user,
	)
	return job_id


def schedule_returns_sync() -> list[str]:
	"""Scheduler (every 15 min): a returns sync for each connected shop."""
	try:
		if not get_settings().enabled:
			return []
		shops = frappe.get_all(SHOP, filters={"enabled": 1, "status": "Connected"}, pluck="name")
		return [enqueue_returns_sync(shop) for shop in shops]
	except Exception:
		log_error("Shopee returns sync scheduling failed")
		raise
