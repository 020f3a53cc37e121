"""Finance jobs: one finance run of a shop (scheduled hourly by jobs/schedule.py, or "Sync Finance")."""

import frappe

from shopee_bridge.services.finance import sync_finance


def sync_shop_finance(shop: str, triggered_by: str | None = None) -> str:
	"""Background job: one finance run of one shop (wallet, fees, payments, withdrawals, reconciliation)."""
	triggered_by = triggered_by or frappe.session.user
	frappe.set_user("Administrator")
	return sync_finance(shop, triggered_by=triggered_by)


def enqueue_shop_finance(shop: str) -> str:
	"""Queue a shop's finance run on the long queue, once at a time per shop."""
	from shopee_bridge.jobs.schedule import enqueue_shop_job

	return enqueue_shop_job("finance", shop)
