"""Listing jobs: publish (Desk's Publish to Shopee), keep current (Item edits), unlist, and the hourly
read-back of Shopee's moderation states (which also catches edits whose queued sync was missed)."""

import frappe

from shopee_bridge.constants import LISTING
from shopee_bridge.services.sync_log import SyncRun


def publish_listings(names: list[str], triggered_by: str | None = None, always_log: bool = True) -> list[str]:
	"""Background job: publish or update the listings, one Sync Log per shop; returns the logs' names."""
	from shopee_bridge.services import listings
	from shopee_bridge.shop_client import make_client

	triggered_by = triggered_by or frappe.session.user
	frappe.set_user("Administrator")
	by_shop: dict[str, list] = {}
	for row in frappe.get_all(LISTING, filters={"name": ["in", names]}, fields=["name", "shop", "item_code"]):
		by_shop.setdefault(row.shop, []).append(row)
	logs = []
	for shop, rows in by_shop.items():
		calls = []
		outcomes = {}
		client = make_client(shop, on_call=calls.append)
		for row in rows:
			try:
				outcomes[row.item_code] = listings.publish(row.name, client)
			except Exception as e:
				frappe.db.rollback()
				frappe.clear_messages()
				outcomes[row.item_code] = e
		if always_log or calls or any(not isinstance(o, str) or o == "failed" for o in outcomes.values()):
			logs.append(log_outcomes(shop, triggered_by, outcomes, len(calls)))
	return logs


def log_outcomes(shop: str, triggered_by: str, outcomes: dict, calls: int) -> str:
	run = SyncRun("publish_listings", shop, triggered_by)
	run.add("fetched", len(outcomes))
	run.add("api_calls", calls)
	for item_code, outcome in outcomes.items():
		if outcome == "published":
			run.add("created_count")
		elif outcome == "updated":
			run.add("updated")
		elif outcome == "unchanged":
			run.add("skipped")
		elif outcome == "failed":
			problems = frappe.db.get_value(LISTING, {"shop": shop, "item_code": item_code}, "problems")
			run.add_error(item_code, problems or "not published")
		else:
			run.add_error(item_code, outcome)
	run.finish()
	return run.name


def sync_listing(listing: str, action: str = "update") -> None:
	"""Background job: bring one published listing in line with its Item after an edit."""
	from shopee_bridge.services import listings

	frappe.set_user("Administrator")
	if action == "unlist":
		try:
			listings.unlist(listing)
		except Exception as e:
			frappe.db.rollback()
			shop, item_code = frappe.db.get_value(LISTING, listing, ["shop", "item_code"])
			log_outcomes(shop, "Administrator", {item_code: e}, 1)
		return
	publish_listings([listing], "Administrator", always_log=False)


def on_item_update(doc, method=None) -> None:
	"""Item on_update (also a variant's): queue the template's listings the edit makes due."""
	queue_due(doc.variant_of or doc.name)


def on_item_file_change(doc, method=None) -> None:
	"""File after_insert / on_trash: an image attached to or removed from an Item."""
	if doc.attached_to_doctype == "Item" and doc.attached_to_name:
		from shopee_bridge.services.listing_changes import template_of

		queue_due(template_of(doc.attached_to_name))


def queue_due(item_code: str) -> list[str]:
	from shopee_bridge.services.listing_changes import due_listings

	# each (listing, action) once per request, however many Item and File hooks one save runs
	queued = frappe.flags.setdefault("shopee_listings_queued", set())
	due = [(name, action) for name, action in due_listings(item_code) if (name, action) not in queued]
	for name, action in due:
		enqueue_listing_sync(name, action)
		queued.add((name, action))
	return [name for name, _action in due]


def refresh_listing_states() -> None:
	"""Hourly: Shopee's status of every published listing onto it and its Item Map rows, then the listings
	whose Item changed without a sync (a missed queue) are synced."""
	from shopee_bridge.services import listings

	for shop in frappe.get_all(LISTING, filters={"item_id": ["is", "set"]}, pluck="shop", distinct=True):
		try:
			listings.refresh_states(shop)
		except Exception:
			frappe.db.rollback()
			frappe.log_error(title=f"Shopee listing states of {shop}")
	for item_code in frappe.get_all(
		LISTING, filters={"item_id": ["is", "set"]}, pluck="item_code", distinct=True
	):
		queue_due(item_code)


def enqueue_publish(names: list[str]) -> str:
	job_id = f"shopee_publish::{frappe.generate_hash(','.join(sorted(names)), 10)}"
	frappe.enqueue(
		"shopee_bridge.jobs.listings.publish_listings",
		queue="long",
		timeout=3600,
		job_id=job_id,
		deduplicate=True,
		enqueue_after_commit=True,
		names=names,
		triggered_by=frappe.session.user,
	)
	return job_id


def enqueue_listing_sync(name: str, action: str) -> None:
	frappe.enqueue(
		"shopee_bridge.jobs.listings.sync_listing",
		queue="default",
		job_id=f"shopee_listing::{name}",
		deduplicate=True,
		enqueue_after_commit=True,
		listing=name,
		action=action,
	)
