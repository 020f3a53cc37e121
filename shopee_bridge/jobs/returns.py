"""Returns jobs: one incremental returns sync of a shop (scheduled by jobs/schedule.py, or "Sync Returns")."""

import frappe

from shopee_bridge.services.returns import sync_incremental_returns


def sync_shop_returns(shop: str, triggered_by: str | None = None) -> str:
	"""Background job: one incremental returns sync of one shop, writing as Administrator."""
	triggered_by = triggered_by or frappe.session.user
	frappe.set_user("Administrator")
	return sync_incremental_returns(shop, triggered_by=triggered_by)


def enqueue_returns_sync(shop: str) -> str:
	"""Queue a shop's returns sync on the long queue, once at a time per shop."""
	from shopee_bridge.jobs.schedule import enqueue_shop_job

	return enqueue_shop_job("returns", shop)
