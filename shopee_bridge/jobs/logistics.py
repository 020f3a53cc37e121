"""Logistics jobs: tracking-number polling, moving shipped orders on (both scheduled by jobs/schedule.py),
and bulk shipments from Desk."""

import frappe

from shopee_bridge.mappers.logistics import default_choice
from shopee_bridge.services import logistics
from shopee_bridge.services.orders import record_results, sync_orders
from shopee_bridge.services.sync_log import SyncRun


def poll_shop_tracking(shop: str, triggered_by: str | None = None) -> str | None:
	"""Background job: ask Shopee for missing tracking numbers of one shop; returns the Sync Log."""
	frappe.set_user("Administrator")
	if not logistics.poll_candidates(shop, limit=1):
		return None
	run = SyncRun("poll_tracking_numbers", shop, triggered_by)
	try:
		counts = logistics.poll_tracking_numbers(shop, run)
	except Exception as e:
		frappe.db.rollback()
		run.finish(e)
		raise
	run.add("fetched", counts["checked"])
	run.add("updated", counts["filled"])
	run.add("skipped", counts["checked"] - counts["filled"] - counts["failed"])
	run.finish()
	return run.name


def advance_shipped_orders(shop: str, triggered_by: str | None = None) -> str | None:
	"""Background job: the order service brings every order in transit up to Shopee's status."""
	frappe.set_user("Administrator")
	order_sns = logistics.shipped_order_sns(shop)
	if not order_sns:
		return None
	run = SyncRun("advance_shipped_orders", shop, triggered_by)
	run.add("fetched", len(order_sns))
	try:
		record_results(run, sync_orders(shop, order_sns))
	except Exception as e:
		frappe.db.rollback()
		run.finish(e)
		raise
	run.finish()
	return run.name


def enqueue_bulk_shipment(sales_orders: list[str], mode: str) -> str:
	"""Queue the shipment of a list selection (one job per selection)."""
	job_id = "shopee_bulk_ship::" + frappe.generate_hash(length=10)
	frappe.enqueue(
		"shopee_bridge.jobs.logistics.ship_sales_orders",
		queue="long",
		timeout=3600,
		job_id=job_id,
		enqueue_after_commit=True,
		sales_orders=sales_orders,
		mode=mode,
		triggered_by=frappe.session.user,
	)
	return job_id


def ship_sales_orders(sales_orders: list[str], mode: str, triggered_by: str | None = None) -> str:
	"""Background job: ship each order by `mode` with Shopee's default choice; one Sync Log for the run."""
	frappe.set_user("Administrator")
	run = SyncRun("ship_sales_orders", None, triggered_by)
	for name in sales_orders:
		run.add("fetched")
		try:
			options = logistics.shipping_options("Sales Order", name)
			result = logistics.ship(
				"Sales Order", name, mode, default_choice(options, mode, options["sender_name"])
			)
			run.add("updated" if result["state"] == logistics.ARRANGED else "skipped")
			if result["state"] != logistics.ARRANGED:
				run.add_note(name, result["message"])
			frappe.db.commit()  # nosemgrep: one shipment per unit of work
		except Exception as e:
			frappe.db.rollback()
			frappe.clear_messages()
			run.add_error(name, e)
	run.finish()
	return run.name
