"""Shopee listings from ERPNext Items: publish, keep current, unlist, and read Shopee's verdict back.

A Shopee Listing row (one per Item and shop, unique in the database) holds the Shopee choices
(category, attributes, channels, shipping) and what was last published (a fingerprint per part, the
tiers). Every run checks the draft against Shopee's rules first and calls Shopee only for a draft
without problems: a new listing is add_item (+ init_tier_variation for variants) and lands in
Shopee Item Map; a published one is updated only in the parts whose fingerprint changed
(update_item; for variants update_tier_variation / add_model / delete_model). Shopee's refusals are
kept verbatim on the listing and its Item Map rows.
"""

import json
import time

import frappe
from frappe import _
from frappe.utils import now_datetime

from shopee_bridge.client_errors import ShopeeError
from shopee_bridge.constants import ITEM_MAP, LISTING, SHOP
from shopee_bridge.mappers import listings as mapper
from shopee_bridge.services import listing_reference, stock_changes
from shopee_bridge.services.listing_drafts import build_draft
from shopee_bridge.services.listing_readback import read_shopee_rows, store_shopee_rows
from shopee_bridge.shop_client import make_client
from shopee_bridge.utils import savepoint

NAME_LENGTH = 140
DELETED_MODEL = "MODEL_DELETED"
LOOKUP_WINDOW = 15 * 86400 - 120


def checked_draft(listing, shop, client=None) -> tuple[dict, dict, list[dict]]:
	"""(draft, reference, problems) of a listing: the draft with its Shopee brand and channels resolved."""
	draft = build_draft(listing, shop)
	ref = listing_reference.reference(shop.name, draft["category_id"], client)
	draft["brand"] = listing_reference.find_brand(ref.get("brands") or [], draft["brand_name"])
	draft["logistic_ids"] = draft["chosen_logistic_ids"] or [
		int(channel["logistics_channel_id"]) for channel in ref["channels"] if channel.get("enabled")
	]
	return draft, ref, mapper.problems(draft, ref)


def publish(name: str, client=None) -> str:
	"""Publish or update one listing; returns published, updated, unchanged or failed (problems kept on it)."""
	listing = frappe.get_doc(LISTING, name)
	shop = frappe.get_doc(SHOP, listing.shop)
	client = client or make_client(shop.name)
	draft, ref, problems = checked_draft(listing, shop, client)
	mismatch = mapper.tier_mismatch(json.loads(listing.published_tiers or "[]"), draft)
	if mismatch:
		problems.append(mapper.problem("Variants", mismatch))
	if problems:
		keep_problems(listing.name, problems)
		return "failed"
	published = json.loads(listing.published_hash or "{}")
	parts = mapper.changed_parts(published, draft) if listing.item_id else ["new"]
	if not parts and listing.status != "Unlisted":
		if listing.status != "Published":  # queued again without a change: nothing to send
			mark_published(listing, draft)
		return "unchanged"
	try:
		if listing.item_id:
			update_listing(listing, draft, ref, client, parts)
		else:
			create_listing(listing, draft, ref, client)
	except ShopeeError as e:
		frappe.db.rollback()
		keep_refusal(listing.name, listing.shop, listing.item_id, str(e))
		raise
	mark_published(listing, draft)
	return "updated" if parts != ["new"] else "published"


def create_listing(listing, draft: dict, ref: dict, client) -> None:
	image_ids = upload_images(listing, draft, client)
	item_id = listing.add_attempted_at and created_before(client, draft["sku"], listing.add_attempted_at)
	recovered = bool(item_id)
	if not item_id:
		listing.db_set("add_attempted_at", int(time.time()), update_modified=False)
		frappe.db.commit()  # nosemgrep: if Shopee's answer is lost, the next run looks for the listing first
		item_id = client.add_item(mapper.add_item_body(draft, image_ids, ref))["item_id"]
	listing.db_set("item_id", str(item_id), update_modified=False)
	frappe.db.commit()  # nosemgrep: the listing exists on Shopee now; a retry must update, not add again
	if draft["models"]:
		publish_models(listing, draft, client, confirm_first=recovered)
	else:
		map_rows(listing, draft, [(draft["item_code"], "0", draft["item_name"])])


def created_before(client, sku: str, attempted_at: int) -> int | None:
	"""The item an earlier add_item created although its answer was lost: the listing with our SKU
	updated since that attempt (None when Shopee has none, and add_item must run again)."""
	now = int(time.time()) + 60
	since = max(int(attempted_at) - 60, now - LOOKUP_WINDOW)  # Shopee lists at most 15 days at a time
	recent = [row["item_id"] for row in client.iter_item_list(update_time_from=since, update_time_to=now)]
	for info in client.iter_item_base_info(recent):
		if info.get("item_sku") == sku:
			return int(info["item_id"])
	return None


def publish_models(listing, draft: dict, client, confirm_first: bool = False) -> None:
	"""init_tier_variation for a listing that has no models yet, and its models into the map.

	confirm_first: the item was created by an earlier run, so an init_tier_variation may have been
	applied with its answer lost (Shopee refuses a second one): Shopee's models are read first and,
	when there are some, taken over; variants they lack are then added as models."""
	if confirm_first:
		existing = client.get_model_list(int(listing.item_id))
		if existing.get("model"):
			adopt_models(listing, draft, existing)  # the variants it lacks are added next
			update_models(listing, draft, client)
			return
	tiers = mapper.tier_variation(draft)
	answer = client.init_tier_variation(int(listing.item_id), tiers, mapper.model_entries(draft))
	unmapped = adopt_models(listing, draft, {"tier_variation": tiers, "model": answer.get("model") or []})
	require_models(unmapped)


def require_models(unmapped: list[str]) -> None:
	"""Shopee's answer must hold a model for every variant it was sent."""
	if unmapped:
		raise ShopeeError(f"Shopee's answer has no model for {', '.join(unmapped)}", code="incomplete_answer")


def adopt_models(listing, draft: dict, shopee: dict) -> list[str]:
	"""Map the draft's variants to Shopee's models by their tier options and keep Shopee's tiers;
	returns the variants Shopee has no model for."""
	tiers = [
		{
			"name": tier["name"],
			"option_list": [{"option": o["option"]} for o in tier.get("option_list") or []],
		}
		for tier in shopee.get("tier_variation") or []
	]
	by_index = {tuple(model["tier_index"]): str(model["model_id"]) for model in shopee.get("model") or []}
	rows, unmapped = [], []
	for model in draft["models"]:
		try:
			index = tuple(mapper.index_in(tiers, model["options"]))
		except ValueError:  # an option Shopee's tiers lack
			index = None
		if index in by_index:
			rows.append((model["item_code"], by_index[index], " / ".join(model["options"])))
		else:
			unmapped.append(model["item_code"])
	listing.published_tiers = json.dumps(tiers)
	map_rows(listing, draft, rows)
	return unmapped


def update_listing(listing, draft: dict, ref: dict, client, parts: list[str]) -> None:
	if {"listing", "images"} & set(parts) or listing.status == "Unlisted":
		image_ids = upload_images(listing, draft, client)
		client.update_item({"item_id": int(listing.item_id), **mapper.listing_fields(draft, image_ids, ref)})
	if listing.status == "Unlisted":
		client.unlist_item([{"item_id": int(listing.item_id), "unlist": False}])
	if "variants" in parts and draft["models"]:
		update_models(listing, draft, client)
	frappe.db.set_value(
		ITEM_MAP,
		{"shop": listing.shop, "item_id": listing.item_id},
		"shopee_item_name",
		draft["item_name"][:NAME_LENGTH],
		update_modified=False,
	)


def update_models(listing, draft: dict, client) -> None:
	"""Variants added or disabled since the last publish: grow the tiers, add and delete models."""
	published_tiers = json.loads(listing.published_tiers or "[]")
	if not published_tiers:
		publish_models(listing, draft, client, confirm_first=True)
		return
	plan = mapper.model_plan(draft, mapped_models(listing))
	if not (plan["add"] or plan["remove"]):
		return
	# Shopee's models as they are: a model an earlier run deleted or added (its answer lost) is not
	# deleted again, and is taken over instead of added twice
	current = client.get_model_list(int(listing.item_id))
	on_shopee = {str(model["model_id"]) for model in current.get("model") or []}
	for model_id in plan["remove"]:
		if model_id in on_shopee:
			client.delete_model(int(listing.item_id), int(model_id))
		retire_model(listing, model_id)
	if not plan["add"]:
		return
	adopt_models(listing, draft, current)
	published_tiers = json.loads(listing.published_tiers)
	published = mapped_models(listing)
	plan = mapper.model_plan(draft, published)
	if not plan["add"]:
		return
	grown = mapper.grown_tiers(published_tiers, draft)
	options_of = {model["item_code"]: model["options"] for model in draft["models"]}
	if grown != published_tiers:
		kept = [
			{"tier_index": mapper.index_in(grown, options_of[code]), "model_id": int(model_id)}
			for code, model_id in published.items()
			if code in options_of
		]
		client.update_tier_variation(int(listing.item_id), grown, kept)
	new_models = [model for model in draft["models"] if model["item_code"] in plan["add"]]
	answer = client.add_model(
		int(listing.item_id), [mapper.model_entry(model, grown) for model in new_models]
	)
	added = answer.get("model") or answer.get("model_list") or []
	unmapped = adopt_models(listing, draft, {"tier_variation": grown, "model": added})
	require_models([code for code in unmapped if code in plan["add"]])


def mapped_models(listing) -> dict[str, str]:
	"""{item_code: model_id} of the listing's live models in the map."""
	rows = frappe.get_all(
		ITEM_MAP,
		filters={"shop": listing.shop, "item_id": listing.item_id, "model_id": ["!=", "0"]},
		fields=["item_code", "model_id", "model_status"],
	)
	return {
		row.item_code: row.model_id for row in rows if row.item_code and row.model_status != DELETED_MODEL
	}


def retire_model(listing, model_id: str) -> None:
	frappe.db.set_value(
		ITEM_MAP,
		{"shop": listing.shop, "item_id": listing.item_id, "model_id": model_id},
		{
			"model_status": DELETED_MODEL,
			"push_state": "Not Pushed",
			"last_error": _("The variant was disabled in ERPNext; its model was deleted on Shopee"),
		},
		update_modified=False,
	)


def map_rows(listing, draft: dict, rows: list[tuple[str, str, str]]) -> None:
	"""Shopee Item Map rows (item_code, model_id, model name) for the published listing: orders, stock and
	price push work on them at once."""
	for item_code, model_id, model_name in rows:
		key = {"shop": listing.shop, "item_id": listing.item_id, "model_id": model_id}
		values = {
			"item_code": item_code,
			"sku": item_code,
			"item_sku": draft["sku"],
			"model_sku": item_code if model_id != "0" else "",
			"shopee_item_name": draft["item_name"][:NAME_LENGTH],
			"model_name": model_name[:NAME_LENGTH],
			"item_status": "NORMAL",
			"model_status": "MODEL_NORMAL" if model_id != "0" else "",
			"last_error": "",
		}
		name = frappe.db.get_value(ITEM_MAP, key)
		if name:
			frappe.db.set_value(ITEM_MAP, name, values, update_modified=False)
			continue
		try:
			with savepoint("shopee_listing_map"):
				frappe.get_doc({"doctype": ITEM_MAP, **key, **values}).insert(ignore_permissions=True)
		except (
			frappe.UniqueValidationError,
			frappe.DuplicateEntryError,
		):  # the catalogue import wrote it first
			frappe.db.set_value(ITEM_MAP, frappe.db.get_value(ITEM_MAP, key), values, update_modified=False)
	stock_changes.mark_rows_pending(
		listing.shop, [(listing.item_id, model_id) for _code, model_id, _n in rows]
	)


def upload_images(listing, draft: dict, client) -> list[str]:
	"""Shopee image ids of the draft's images, uploading only those not uploaded before (by file and content)."""
	known = {row.file_key: row.image_id for row in listing.images}
	ids = []
	for image in draft["images"]:
		if not known.get(image["key"]):
			content = frappe.get_doc("File", image["file"]).get_content()
			if isinstance(content, str):
				content = content.encode()
			uploaded = client.upload_image(content, f"{image['file']}.{image['extension']}")
			known[image["key"]] = uploaded["image_id"]
		ids.append(known[image["key"]])
	listing.set(
		"images", [{"file_key": image["key"], "image_id": known[image["key"]]} for image in draft["images"]]
	)
	return ids


def mark_published(listing, draft: dict) -> None:
	listing.update(
		{
			"status": "Published",
			"problems": "",
			"published_hash": json.dumps(mapper.fingerprint(draft), sort_keys=True),
			"last_published_at": now_datetime(),
			"brand_id": (draft.get("brand") or {}).get("brand_id") or 0,
			"brand_name": (draft.get("brand") or {}).get("original_brand_name") or "",
			"item_status": listing.item_status
			if listing.item_status not in ("", None, "UNLIST")
			else "NORMAL",
		}
	)
	listing.save(ignore_permissions=True)
	frappe.db.commit()  # nosemgrep: each listing is its own unit of work


def problems_text(problems: list[dict]) -> str:
	return "\n".join(f"{row['field']}: {row['message']}" for row in problems)


def keep_problems(name: str, problems: list[dict]) -> None:
	frappe.db.set_value(LISTING, name, {"status": "Failed", "problems": problems_text(problems)})
	frappe.db.commit()  # nosemgrep: the problems are the answer to the seller


def keep_refusal(name: str, shop: str, item_id: str | None, message: str) -> None:
	"""Shopee's refusal, verbatim, on the listing and on its Item Map rows."""
	frappe.db.set_value(LISTING, name, {"status": "Failed", "problems": message})
	if item_id:
		frappe.db.set_value(
			ITEM_MAP, {"shop": shop, "item_id": item_id}, "last_error", message, update_modified=False
		)
	frappe.db.commit()  # nosemgrep: the refusal stays when the job's error is raised


def unlist(name: str, client=None) -> None:
	"""Take a published listing off sale (its Item was disabled)."""
	listing = frappe.get_doc(LISTING, name)
	client = client or make_client(listing.shop)
	answer = client.unlist_item([{"item_id": int(listing.item_id), "unlist": True}])
	failed = answer.get("failure_list") or []
	if failed:
		reason = str(failed[0].get("failed_reason"))
		keep_refusal(listing.name, listing.shop, listing.item_id, reason)
		raise ShopeeError(reason, code="unlist_failed")
	frappe.db.set_value(LISTING, listing.name, {"status": "Unlisted", "item_status": "UNLIST"})
	frappe.db.set_value(
		ITEM_MAP,
		{"shop": listing.shop, "item_id": listing.item_id},
		"item_status",
		"UNLIST",
		update_modified=False,
	)
	frappe.db.commit()  # nosemgrep: Shopee unlisted it


def refresh_states(shop: str, client=None, item_ids: list[str] | None = None) -> int:
	"""Read Shopee's status of the shop's published listings (NORMAL, REVIEWING, BANNED, SHOPEE_DELETE…)
	onto the listings and their Item Map rows; returns how many changed."""
	filters = {"shop": shop, "item_id": ["in", item_ids] if item_ids else ["is", "set"]}
	listings = frappe.get_all(LISTING, filters=filters, fields=["name", "item_id", "item_status"])
	if not listings:
		return 0
	client = client or make_client(shop)
	fresh = read_shopee_rows(client, [row.item_id for row in listings])
	store_shopee_rows(shop, fresh)
	status_of = {item_id: row.get("item_status") for (item_id, _model), row in fresh.items()}
	changed = 0
	for row in listings:
		status = status_of.get(row.item_id) or "SHOPEE_DELETE"  # Shopee no longer shows it at all
		if row.item_id not in status_of:
			frappe.db.set_value(
				ITEM_MAP, {"shop": shop, "item_id": row.item_id}, "item_status", status, update_modified=False
			)
		if status != row.item_status:
			frappe.db.set_value(LISTING, row.name, "item_status", status)
			changed += 1
	frappe.db.commit()  # nosemgrep: what Shopee shows now
	return changed
