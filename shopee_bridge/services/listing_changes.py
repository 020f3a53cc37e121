"""Item edits that reach published Shopee listings: which listings an edit makes due.

An edit is due when it changes a published part (name, description, images, weight, dimensions,
attributes, variants added or disabled) or the Item's enabled state; price and stock reach Shopee
through the Item Map's push instead. Edits that change nothing published queue nothing.
"""

import json

import frappe

from shopee_bridge.constants import LISTING
from shopee_bridge.mappers import listings as mapper
from shopee_bridge.services.listing_drafts import build_draft


def published_listings(item_code: str) -> list:
	return frappe.get_all(
		LISTING,
		filters={"item_code": item_code, "item_id": ["is", "set"]},
		fields=["name", "shop", "status"],
	)


def due_action(name: str) -> str | None:
	"""unlist, update or None for one published listing, from its Item as it is now."""
	listing = frappe.get_doc(LISTING, name)
	disabled = frappe.db.get_value("Item", listing.item_code, "disabled")
	if disabled:
		return "unlist" if listing.status != "Unlisted" else None
	if listing.status == "Unlisted":
		return "update"
	published = json.loads(listing.published_hash or "{}")
	return "update" if mapper.changed_parts(published, build_draft(listing)) else None


def template_of(item_code: str) -> str:
	return frappe.db.get_value("Item", item_code, "variant_of") or item_code


def due_listings(item_code: str) -> list[tuple[str, str]]:
	"""[(listing, unlist or update)] of the Item's published listings an edit made due."""
	due = []
	for listing in published_listings(item_code):
		action = due_action(listing.name)
		if action:
			due.append((listing.name, action))
	return due
