"""The sandbox's product endpoints (list, base info, models, stock and price writes) and their controls.

Shopee's limits are enforced: get_item_list pages of 1..100 with item_status repeated (a comma-joined
value is refused), get_item_base_info 1..50 ids, one item per update_stock / update_price call with
1..50 models, seller_stock mirroring the item's structure (location_id only where the item has one),
whole-number stock. Per-model refusals (promotion locks, stock below reserved) come back in
failure_list while the other models of the call are applied. get_item_base_info also shows what
add_item set (category, brand, images, weight, dimension, attributes...; listing_api.py).
"""

from shopee_bridge.sandbox import limits
from shopee_bridge.sandbox.calls import Call, Reply, _int, _page_size, _window
from shopee_bridge.sandbox.errors import ApiError, success_envelope

ITEM_STATUSES = ("NORMAL", "BANNED", "UNLIST", "REVIEWING", "SELLER_DELETE", "SHOPEE_DELETE")
MAX_ITEM_IDS = 50


def _store(sandbox):
	return sandbox.dataset.products


def _statuses(raw) -> set[str]:
	values = raw if isinstance(raw, list) else [raw] if raw not in (None, "") else []
	if not values:
		raise ApiError("error_param", "item_status is required.")
	for value in values:
		if value not in ITEM_STATUSES:
			raise ApiError("error_param", f"Invalid item_status {value}.")
	return set(values)


def get_item_list(sandbox, call: Call) -> Reply:
	"""product/get_item_list: offset paging, 1..100 per page, item_status repeated, optional update_time range."""
	query = call.query
	offset, page_size = _int(query, "offset"), _page_size(query)
	if offset < 0:
		raise ApiError("error_param", "offset should not be negative.")
	statuses = _statuses(query.get("item_status"))
	window = _window(query, "update_time_from", "update_time_to")
	store = _store(sandbox)
	rows = []
	for item_id in store.item_ids(call.shop_id):
		listing = store.listing(call.shop_id, item_id)
		if listing["item_status"] in statuses and (
			window is None or window[0] <= listing["update_time"] <= window[1]
		):
			rows.append(
				{
					"item_id": item_id,
					"item_status": listing["item_status"],
					"update_time": listing["update_time"],
				}
			)
	page = rows[offset : offset + page_size]
	more = offset + page_size < len(rows)
	response = {"total_count": len(rows), "has_next_page": more, "next_offset": offset + len(page)}
	if page:  # Shopee leaves the key out of an empty page
		response["item"] = page
	return Reply(200, success_envelope(response))


def _item_ids(raw) -> list[int]:
	values = raw.split(",") if isinstance(raw, str) else list(raw or [])
	ids = []
	for value in values:
		try:
			ids.append(int(str(value).strip()))
		except ValueError:
			raise ApiError("error_param", f"Invalid item_id {value}.")
	ids = list(dict.fromkeys(ids))
	if not 1 <= len(ids) <= MAX_ITEM_IDS:
		raise ApiError("error_param", f"item_id_list should contain 1 to {MAX_ITEM_IDS} ids.")
	return ids


def _price_info(unit: dict, currency: str) -> list[dict]:
	return [{"currency": currency, "original_price": unit["price"], "current_price": unit["price"]}]


def stock_info_v2(unit: dict, location_id: str | None) -> dict:
	"""Shopee's stock_info_v2 of one model: seller_stock carries location_id only at a location."""
	seller = {"stock": unit["stock"], "if_saleable": True}
	if location_id:
		seller = {"location_id": location_id, **seller}
	return {
		"summary_info": {
			"total_reserved_stock": unit["reserved"],
			"total_available_stock": max(0, unit["stock"] - unit["reserved"]),
		},
		"seller_stock": [seller],
		"shopee_stock": [],
	}


def details_view(details: dict, images) -> dict:
	"""The add_item fields of a listing as get_item_base_info shows them."""
	view = {
		"category_id": details["category_id"],
		"description": details["description"],
		"description_type": "normal",
		"attribute_list": details["attribute_list"],
		"image": {
			"image_id_list": list(details["image_ids"]),
			"image_url_list": [images.url(image_id) for image_id in details["image_ids"]],
			"image_ratio": "1:1",
		},
		"weight": f"{details['weight']:.2f}",
		"logistic_info": [
			{**row, "logistic_name": (limits.channel(row["logistic_id"]) or (0, ""))[1]}
			for row in details["logistic_info"]
		],
		"pre_order": details["pre_order"],
		"condition": details["condition"],
		"brand": details["brand"],
		"item_dangerous": 0,
	}
	if details["dimension"]:
		view["dimension"] = details["dimension"]
	return view


def base_info(listing: dict, currency: str, images) -> dict:
	"""One item_list entry of get_item_base_info (price and stock only for an item without models)."""
	info = {
		"item_id": listing["item_id"],
		"item_name": listing["item_name"],
		"item_sku": listing["item_sku"],
		"create_time": listing["create_time"],
		"update_time": listing["update_time"],
		"item_status": listing["item_status"],
		"has_model": listing["has_model"],
		"has_promotion": any(unit["locked"] for unit in listing["units"].values()),
		"deboost": False,
		**details_view(listing["details"], images),
	}
	if not listing["has_model"]:
		unit = listing["units"][0]
		info["price_info"] = _price_info(unit, currency)
		info["stock_info_v2"] = stock_info_v2(unit, listing["location_id"])
	return info


def get_item_base_info(sandbox, call: Call) -> Reply:
	"""product/get_item_base_info for 1..50 item ids; ids the shop does not have are left out."""
	store = _store(sandbox)
	currency = store.shop(call.shop_id)["currency"]
	found = []
	for item_id in _item_ids(call.query.get("item_id_list")):
		listing = store.listing(call.shop_id, item_id)
		if listing is not None:
			found.append(base_info(listing, currency, store.images))
	return Reply(200, success_envelope({"item_list": found}))


def get_model_list(sandbox, call: Call) -> Reply:
	"""product/get_model_list: tier_variation and models (no model_name: it comes from the tiers)."""
	store = _store(sandbox)
	listing = store.listing(call.shop_id, _int(call.query, "item_id"))
	if listing is None:
		raise ApiError("error_not_found", "Item not found.")
	currency = store.shop(call.shop_id)["currency"]
	tiers = [tier_view(tier, store.images) for tier in listing["tiers"]]
	models = [
		{
			"model_id": unit["model_id"],
			"model_sku": unit["model_sku"],
			"model_status": unit["model_status"],
			"tier_index": unit["tier_index"],
			"price_info": _price_info(unit, currency),
			"stock_info_v2": stock_info_v2(unit, listing["location_id"]),
			**{key: unit[key] for key in ("weight", "dimension", "pre_order") if key in unit},
		}
		for unit in listing["units"].values()
		if listing["has_model"]
	]
	return Reply(200, success_envelope({"tier_variation": tiers, "model": models}))


def tier_view(tier: dict, images) -> dict:
	"""One tier_variation entry: name and options (with their image when they have one)."""
	options = []
	for position, option in enumerate(tier["options"]):
		image_id = (tier.get("images") or [None] * len(tier["options"]))[position]
		image = {"image": {"image_id": image_id, "image_url": images.url(image_id)}} if image_id else {}
		options.append({"option": option, **image})
	return {"name": tier["name"], "option_list": options}


def _body_item_id(call: Call) -> int:
	return _int(call.body, "item_id", "item_id is required.")


def update_stock(sandbox, call: Call) -> Reply:
	"""product/update_stock: one item, 1..50 models, absolute seller_stock per model."""
	success, failure = _store(sandbox).update_stock(
		call.shop_id, _body_item_id(call), call.body.get("stock_list")
	)
	return Reply(200, success_envelope({"failure_list": failure, "success_list": success}))


def update_price(sandbox, call: Call) -> Reply:
	"""product/update_price: one item, 1..50 models, original_price per model."""
	success, failure = _store(sandbox).update_price(
		call.shop_id, _body_item_id(call), call.body.get("price_list")
	)
	return Reply(200, success_envelope({"failure_list": failure, "success_list": success}))


ROUTES = {
	"/api/v2/product/get_item_list": ("GET", get_item_list),
	"/api/v2/product/get_item_base_info": ("GET", get_item_base_info),
	"/api/v2/product/get_model_list": ("GET", get_model_list),
	"/api/v2/product/update_stock": ("POST", update_stock),
	"/api/v2/product/update_price": ("POST", update_price),
}


# -- controls under /_sandbox/products/ (what a seller does in Seller Center) -------------------


def _ids(body: dict) -> tuple[int, int, int]:
	"""(shop_id, item_id, model_id) of a control body; a missing one is a 400 (KeyError)."""
	return int(body["shop_id"]), int(body["item_id"]), int(body.get("model_id") or 0)


def control_stock(sandbox, query: dict, body: dict) -> dict:
	"""Set one model's stock as the seller would in Seller Center (drift ERPNext does not know of)."""
	ids = _ids(body)
	_store(sandbox).set_stock(*ids, int(body["stock"]))
	return {"ok": True}


def control_lock(sandbox, query: dict, body: dict) -> dict:
	"""Start (locked true) or end a promotion that locks one model's stock and price."""
	ids = _ids(body)
	_store(sandbox).set_locked(*ids, bool(body.get("locked", True)))
	return {"ok": True}


def control_listing(sandbox, query: dict, body: dict) -> dict:
	"""Add a listing: {shop_id, item_name, item_sku, models: [{model_name, model_sku}], stock, price, location_id}."""
	store = _store(sandbox)
	item_id = store.add_listing(
		int(body["shop_id"]),
		str(body["item_name"]),
		str(body.get("item_sku") or ""),
		body.get("models") or None,
		int(body.get("stock") or 0),
		str(body.get("price") or "10"),
		body.get("location_id") or None,
	)
	return {"ok": True, "item_id": item_id}


def control_show(sandbox, query: dict, body: dict) -> dict:
	"""One listing as the store has it, stock and locks included."""
	listing = _store(sandbox).listing(int(query["shop_id"]), int(query["item_id"]))
	if listing is None:
		raise KeyError(query["item_id"])
	listing["units"] = list(listing["units"].values())
	return listing


CONTROL_ROUTES = {
	("POST", "products/stock"): control_stock,
	("POST", "products/lock"): control_lock,
	("POST", "products/listing"): control_listing,
	("GET", "products/listing"): control_show,
}
