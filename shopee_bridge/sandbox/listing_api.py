"""The sandbox's listing endpoints: reference data for a listing, and publishing and editing it.

Reference: product/get_category, category_recommend, get_attribute_tree (1..20 ids), get_brand_list
(offset paging, 1..100), get_item_limit, and logistics/get_channel_list. Writes: add_item,
update_item, init_tier_variation, add_model, update_model, update_tier_variation, delete_model,
unlist_item (1..50 items, per-item failure_list) and delete_item; listings.py does them and
listing_checks.py / tier_checks.py hold Shopee's refusals. update_model, update_tier_variation,
delete_model and delete_item answer an empty response, as Shopee's reference shows. Models that
update_tier_variation's model_list does not name keep their tier_index (whether Shopee deletes them
instead is not settled by its reference).
Controls: /_sandbox/products/status (Shopee's moderation) and /_sandbox/orders/place.
"""

from shopee_bridge.sandbox import attributes, categories, limits, listings
from shopee_bridge.sandbox.calls import Call, Reply, _int, _page_size
from shopee_bridge.sandbox.errors import ApiError, success_envelope
from shopee_bridge.sandbox.product_api import details_view, tier_view

MAX_CATEGORY_IDS = 20
BRAND_STATUSES = (1, 2)  # 1 normal, 2 pending


def _store(sandbox):
	return sandbox.dataset.products


def _now(sandbox) -> int:
	return int(sandbox.clock())


def _ok(response) -> Reply:
	return Reply(200, success_envelope(response))


def _language(query: dict) -> None:
	language = query.get("language")
	if language not in (None, "") and str(language).lower() not in categories.LANGUAGES:
		raise ApiError("error_invalid_language", "Invalid language.")


def _leaf(params: dict, required: bool = True) -> int | None:
	if not required and params.get("category_id") in (None, ""):
		return None
	category_id = _int(params, "category_id")
	if category_id not in categories.CATEGORIES:
		raise ApiError("error_invalid_category", f"Invalid category ID {category_id}")
	if not categories.is_leaf(category_id):
		raise ApiError("error_param", f"Invalid category. The category {category_id} is not leaf category.")
	return category_id


# -- reference data ----------------------------------------------------------------------------


def get_category(sandbox, call: Call) -> Reply:
	"""product/get_category: the whole tree, flat, parents first."""
	_language(call.query)
	return _ok({"category_list": categories.category_list()})


def category_recommend(sandbox, call: Call) -> Reply:
	"""product/category_recommend: leaf ids whose keywords the item name contains, best first."""
	name = str(call.query.get("item_name") or "").strip()
	if not name:
		raise ApiError("error_param", "item_name is required.")
	return _ok({"category_id": categories.recommend(name)})


def _category_ids(raw) -> list[int]:
	values = raw.split(",") if isinstance(raw, str) else list(raw or [])
	try:
		ids = [int(str(value).strip()) for value in values if str(value).strip()]
	except ValueError:
		raise ApiError("error_param", "category_id_list should hold category ids.")
	if not 1 <= len(ids) <= MAX_CATEGORY_IDS:
		raise ApiError("error_param", f"category_id_list should contain 1 to {MAX_CATEGORY_IDS} ids.")
	return ids


def get_attribute_tree(sandbox, call: Call) -> Reply:
	"""product/get_attribute_tree for 1..20 categories; a parent category has no attributes (warning)."""
	_language(call.query)
	rows = []
	for category_id in _category_ids(call.query.get("category_id_list")):
		if category_id not in categories.CATEGORIES:
			raise ApiError("error_invalid_category", f"Invalid category ID {category_id}")
		if categories.is_leaf(category_id):
			rows.append(
				{"category_id": category_id, "attribute_tree": attributes.attribute_tree(category_id)}
			)
		else:
			rows.append(
				{
					"category_id": category_id,
					"attribute_tree": [],
					"warning": "The category is not leaf category.",
				}
			)
	return _ok({"list": rows})


def get_brand_list(sandbox, call: Call) -> Reply:
	"""product/get_brand_list: offset paging of a leaf's brands (status 1; none are pending)."""
	query = call.query
	category_id = _leaf(query)
	offset, page_size = _int(query, "offset"), _page_size(query)
	if offset < 0:
		raise ApiError("error_param", "offset should not be negative.")
	status = _int(query, "status", "status is required.")
	if status not in BRAND_STATUSES:
		raise ApiError("error_param", "status should be 1 (normal) or 2 (pending).")
	_language(query)
	rows = attributes.brands(category_id) if status == 1 else []
	page = rows[offset : offset + page_size]
	more = offset + page_size < len(rows)
	return _ok(
		{
			"brand_list": page,
			"has_next_page": more,
			"next_offset": offset + len(page) if more else 0,
			"is_mandatory": category_id in attributes.BRAND_MANDATORY,
			"input_type": "DROP_DOWN",
		}
	)


def get_item_limit(sandbox, call: Call) -> Reply:
	"""product/get_item_limit of the shop's region (category_id optional: it only changes dimension_mandatory)."""
	category_id = _leaf(call.query, required=False)
	return _ok(limits.item_limit(_store(sandbox).shop(call.shop_id), category_id or 0))


def get_channel_list(sandbox, call: Call) -> Reply:
	"""logistics/get_channel_list: the shop's channels, enabled or not."""
	return _ok({"logistics_channel_list": limits.channel_list()})


# -- publishing ----------------------------------------------------------------------------------


def item_view(sandbox, listing: dict) -> dict:
	"""add_item's / update_item's response: the listing as stored."""
	store = _store(sandbox)
	details = details_view(listing["details"], store.images)
	view = {
		"item_id": listing["item_id"],
		"item_name": listing["item_name"],
		"item_sku": listing["item_sku"],
		"item_status": listing["item_status"],
		"category_id": details["category_id"],
		"description": details["description"],
		"description_type": "normal",
		"weight": float(listing["details"]["weight"]),
		"pre_order": details["pre_order"],
		"images": {
			"image_id_list": details["image"]["image_id_list"],
			"image_url_list": details["image"]["image_url_list"],
		},
		"logistic_info": details["logistic_info"],
		"attribute": [
			{"attribute_id": row["attribute_id"], "attribute_value_list": row["attribute_value_list"]}
			for row in details["attribute_list"]
		],
		"condition": details["condition"],
		"brand": details["brand"],
		"item_dangerous": 0,
	}
	if "dimension" in details:
		view["dimension"] = details["dimension"]
	if not listing["has_model"]:
		unit = listing["units"][0]
		view["price_info"] = {"original_price": unit["price"], "current_price": unit["price"]}
		stock = {"stock": unit["stock"]}
		if listing["location_id"]:
			stock = {"location_id": listing["location_id"], **stock}
		view["seller_stock"] = [stock]
	return view


def add_item(sandbox, call: Call) -> Reply:
	"""product/add_item: a new listing (without models; init_tier_variation adds them)."""
	listing = listings.add_item(_store(sandbox), call.shop_id, call.body, _now(sandbox))
	return _ok(item_view(sandbox, listing))


def update_item(sandbox, call: Call) -> Reply:
	"""product/update_item: any add_item fields of one listing, checked like add_item."""
	listing = listings.update_item(_store(sandbox), call.shop_id, call.body, _now(sandbox))
	return _ok(item_view(sandbox, listing))


def model_view(unit: dict, location_id: str | None) -> dict:
	stock = {"stock": unit["stock"], **({"location_id": location_id} if location_id else {})}
	view = {
		"tier_index": unit["tier_index"],
		"model_id": unit["model_id"],
		"model_sku": unit["model_sku"],
		"price_info": [{"original_price": unit["price"]}],
		"seller_stock": [stock],
	}
	view.update({key: unit[key] for key in ("weight", "dimension", "pre_order") if key in unit})
	return view


def init_tier_variation(sandbox, call: Call) -> Reply:
	"""product/init_tier_variation: the tiers and first models of a listing without models."""
	store = _store(sandbox)
	listing, units = listings.init_tier_variation(store, call.shop_id, call.body, _now(sandbox))
	return _ok(
		{
			"item_id": listing["item_id"],
			"tier_variation": [tier_view(tier, store.images) for tier in listing["tiers"]],
			"model": [model_view(unit, listing["location_id"]) for unit in units],
		}
	)


def add_model(sandbox, call: Call) -> Reply:
	"""product/add_model: more models on a listing with tiers."""
	store = _store(sandbox)
	units = listings.add_model(store, call.shop_id, call.body, _now(sandbox))
	location_id = store.listing(call.shop_id, call.body["item_id"])["location_id"]
	return _ok({"model": [model_view(unit, location_id) for unit in units]})


def update_model(sandbox, call: Call) -> Reply:
	"""product/update_model: model_sku, weight, dimension or pre_order of 1..50 models."""
	listings.update_model(_store(sandbox), call.shop_id, call.body, _now(sandbox))
	return _ok({})


def update_tier_variation(sandbox, call: Call) -> Reply:
	"""product/update_tier_variation: grow or rename options; model_list moves models to new indexes."""
	listings.update_tier_variation(_store(sandbox), call.shop_id, call.body, _now(sandbox))
	return _ok({})


def delete_model(sandbox, call: Call) -> Reply:
	"""product/delete_model: one model of a listing (never its last)."""
	listings.delete_model(_store(sandbox), call.shop_id, call.body, _now(sandbox))
	return _ok({})


def unlist_item(sandbox, call: Call) -> Reply:
	"""product/unlist_item: unlist (true) or list again (false) 1..50 items."""
	success, failure = listings.unlist_item(_store(sandbox), call.shop_id, call.body, _now(sandbox))
	return _ok({"failure_list": failure, "success_list": success})


def delete_item(sandbox, call: Call) -> Reply:
	"""product/delete_item: the listing becomes SELLER_DELETE."""
	listings.delete_item(_store(sandbox), call.shop_id, call.body, _now(sandbox))
	return _ok({})


ROUTES = {
	"/api/v2/product/get_category": ("GET", get_category),
	"/api/v2/product/category_recommend": ("GET", category_recommend),
	"/api/v2/product/get_attribute_tree": ("GET", get_attribute_tree),
	"/api/v2/product/get_brand_list": ("GET", get_brand_list),
	"/api/v2/product/get_item_limit": ("GET", get_item_limit),
	"/api/v2/logistics/get_channel_list": ("GET", get_channel_list),
	"/api/v2/product/add_item": ("POST", add_item),
	"/api/v2/product/update_item": ("POST", update_item),
	"/api/v2/product/init_tier_variation": ("POST", init_tier_variation),
	"/api/v2/product/add_model": ("POST", add_model),
	"/api/v2/product/update_model": ("POST", update_model),
	"/api/v2/product/update_tier_variation": ("POST", update_tier_variation),
	"/api/v2/product/delete_model": ("POST", delete_model),
	"/api/v2/product/unlist_item": ("POST", unlist_item),
	"/api/v2/product/delete_item": ("POST", delete_item),
}


# -- controls (what Shopee or a buyer does) ------------------------------------------------------


def control_status(sandbox, query: dict, body: dict) -> dict:
	"""Shopee moderates a listing: {shop_id, item_id, status BANNED|REVIEWING|SHOPEE_DELETE|NORMAL}."""
	sandbox.set_item_status(int(body["shop_id"]), int(body["item_id"]), str(body["status"]))
	return {"ok": True}


def control_place_order(sandbox, query: dict, body: dict) -> dict:
	"""A buyer orders listings: {shop_id, lines: [{item_id, model_id, quantity}]} -> order_sn."""
	order_sn = sandbox.place_order(int(body["shop_id"]), list(body["lines"]))
	return {"ok": True, "order_sn": order_sn}


CONTROL_ROUTES = {
	("POST", "products/status"): control_status,
	("POST", "orders/place"): control_place_order,
}
