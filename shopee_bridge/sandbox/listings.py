"""Listings made and edited through the API (add_item and what follows it) on the ProductStore.

A published listing is an ordinary listing of the store: get_item_list, get_item_base_info,
get_model_list, update_stock and update_price work on it like on the catalogue. Every change here
moves update_time (products.touch); the checks are listing_checks.py and tier_checks.py.
"""

from shopee_bridge.sandbox import tier_checks
from shopee_bridge.sandbox.errors import ApiError
from shopee_bridge.sandbox.listing_checks import check_model_sku, checked_fields, param
from shopee_bridge.sandbox.products import MODEL_NORMAL, touch

DETAIL_KEYS = (
	"category_id",
	"description",
	"weight",
	"dimension",
	"brand",
	"image_ids",
	"attribute_list",
	"condition",
	"pre_order",
	"logistic_info",
)
MODERATION_STATUSES = ("BANNED", "REVIEWING", "SHOPEE_DELETE", "NORMAL")
DELETED = ("SELLER_DELETE", "SHOPEE_DELETE")
MAX_UNLIST = 50


def new_unit(model_id: int, model_name: str, model: dict) -> dict:
	"""A store unit (model, or the item itself with model_id 0) from checked fields."""
	unit = {
		"model_id": model_id,
		"model_name": model_name,
		"model_sku": model.get("model_sku", ""),
		"model_status": MODEL_NORMAL,
		"tier_index": list(model.get("tier_index") or []),
		"price": model["price"],
		"stock": model["stock"],
		"reserved": 0,
		"locked": False,
	}
	unit.update({key: model[key] for key in ("weight", "dimension", "pre_order") if key in model})
	return unit


def add_item(store, shop_id: int, body: dict, now: int) -> dict:
	"""add_item: a new listing without models; returns it."""
	fields = checked_fields(body, None, store.shop(shop_id), store.images, has_model=False)
	with store.lock:
		item_id = store.new_item_id(shop_id)
		listing = {
			"item_id": item_id,
			"item_name": fields["item_name"],
			"item_sku": fields["item_sku"],
			"item_status": fields["item_status"],
			"create_time": int(now),
			"update_time": int(now),
			"location_id": fields["location_id"],
			"tiers": [],
			"has_model": False,
			"units": {0: new_unit(0, "", {"price": fields["price"], "stock": fields["stock"]})},
			"details": {key: fields[key] for key in DETAIL_KEYS},
		}
		store.insert(shop_id, listing)
	return store.listing(shop_id, item_id)


def current_fields(listing: dict) -> dict:
	"""A stored listing in add_item's terms, to lay an update_item body over."""
	details = listing["details"]
	fields = {
		**{key: details[key] for key in DETAIL_KEYS if key != "image_ids"},
		"item_name": listing["item_name"],
		"item_sku": listing["item_sku"],
		"item_status": listing["item_status"],
		"image": {"image_id_list": list(details["image_ids"])},
		"image_ids": list(details["image_ids"]),
	}
	if not listing["has_model"]:
		unit = listing["units"][0]
		fields.update(price=unit["price"], stock=unit["stock"], location_id=listing["location_id"])
	return fields


def update_item(store, shop_id: int, body: dict, now: int) -> dict:
	"""update_item: the fields given, checked like add_item's together with those kept."""
	item_id = _item_id(body)
	with store.lock:
		listing = store.editable(shop_id, item_id)
		fields = checked_fields(
			body, current_fields(listing), store.shop(shop_id), store.images, listing["has_model"]
		)
		if "seller_stock" in body:
			_check_stock_structure(listing, fields["location_id"])
		unit = listing["units"].get(0)
		if unit and unit["locked"] and {"original_price", "seller_stock"} & set(body):
			raise ApiError(
				"error_cannt_edit_price_in_promotion",
				"Original_price cannot be edited when item is under promotion.",
			)
		if unit and "seller_stock" in body and fields["stock"] < unit["reserved"]:
			raise ApiError("error_auth", "Stock should be larger than reserved stock.")
		listing.update({key: fields[key] for key in ("item_name", "item_sku", "item_status")})
		listing["details"] = {key: fields[key] for key in DETAIL_KEYS}
		if unit and "original_price" in body:
			unit["price"] = fields["price"]
		if unit and "seller_stock" in body:
			unit["stock"] = fields["stock"]
		touch(listing, now)
	return store.listing(shop_id, item_id)


def _item_id(body: dict) -> int:
	item_id = body.get("item_id")
	if item_id in (None, ""):
		raise param("item_id is required.")
	if isinstance(item_id, bool) or not isinstance(item_id, int):
		raise param("Invalid item_id.")
	return item_id


def _check_stock_structure(listing: dict, location_id: str | None) -> None:
	"""seller_stock mirrors the item's: location_id exactly where the item keeps one."""
	if listing["location_id"] and not location_id:
		raise ApiError("error_busi", "The merchant/shop has multi warehouse, please input location id")
	if location_id and location_id != listing["location_id"]:
		raise param("Can not update item with different stock structure.")


def _model_name(tiers: list[dict], tier_index: list[int]) -> str:
	return ",".join(tier["options"][index] for tier, index in zip(tiers, tier_index, strict=True))


def _new_model_id(listing: dict) -> int:
	number = listing.get("next_model") or len(listing["units"]) + 1
	while listing["item_id"] * 1000 + number in listing["units"]:
		number += 1
	listing["next_model"] = number + 1
	return listing["item_id"] * 1000 + number


def _add_units(listing: dict, models: list[dict]) -> list[dict]:
	units = []
	for model in models:
		_check_stock_structure(listing, model["location_id"])
		unit = new_unit(_new_model_id(listing), _model_name(listing["tiers"], model["tier_index"]), model)
		listing["units"][unit["model_id"]] = unit
		units.append(unit)
	return units


def init_tier_variation(store, shop_id: int, body: dict, now: int) -> tuple[dict, list[dict]]:
	"""init_tier_variation on a listing without models: (listing, its new units)."""
	item_id = _item_id(body)
	shop = store.shop(shop_id)
	with store.lock:
		listing = store.editable(shop_id, item_id)
		if listing["has_model"]:
			raise param("The item already has models: use update_tier_variation and add_model.")
		if listing["units"][0]["locked"]:
			raise ApiError(
				"error_cannt_init_tier_in_promotion",
				"Tier_variation cannot be changed when item is under promotion.",
			)
		tiers = tier_checks.checked_tiers(body.get("tier_variation"), store.images)
		models = tier_checks.checked_models(body.get("model"), tiers, shop, set())
		tier_checks.check_ratio(shop, [model["price"] for model in models])
		for model in models:
			_check_stock_structure(listing, model["location_id"])
		listing.update(tiers=tiers, has_model=True, units={})
		units = _add_units(listing, models)
		touch(listing, now)
	return store.listing(shop_id, item_id), units


def add_model(store, shop_id: int, body: dict, now: int) -> list[dict]:
	"""add_model: new models on free tier_index combinations; returns their units."""
	item_id = _item_id(body)
	shop = store.shop(shop_id)
	with store.lock:
		listing = store.editable(shop_id, item_id)
		if not listing["has_model"]:
			raise param(
				"Item without tier_variation. Please use init_tier_variation api to upgrade the structure."
			)
		taken = {tuple(unit["tier_index"]) for unit in listing["units"].values()}
		models = tier_checks.checked_models(body.get("model_list"), listing["tiers"], shop, taken)
		prices = [unit["price"] for unit in listing["units"].values()] + [model["price"] for model in models]
		tier_checks.check_ratio(shop, prices)
		for model in models:
			_check_stock_structure(listing, model["location_id"])
		units = _add_units(listing, models)
		touch(listing, now)
	return units


def _model_rows(listing: dict, raw, label: str) -> list[tuple[dict, dict]]:
	"""(unit, entry) per entry naming one of the item's models, each at most once."""
	if not isinstance(raw, list) or not 1 <= len(raw) <= tier_checks.limits.MAX_MODELS:
		raise param(f"{label} should contain 1 to {tier_checks.limits.MAX_MODELS} models.")
	rows, seen = [], set()
	for entry in raw:
		model_id = entry.get("model_id") if isinstance(entry, dict) else None
		if isinstance(model_id, bool) or not isinstance(model_id, int) or model_id not in listing["units"]:
			raise ApiError("error_model_invalid_model_id", f"Invalid model_id {model_id}.")
		if not listing["has_model"]:
			raise ApiError("error_model_invalid_model_id", "Invalid model_id: the item has no models.")
		if model_id in seen:
			raise ApiError("error_duplicate_modelid", f"The model_id is duplicate, model_id:{model_id}")
		seen.add(model_id)
		rows.append((listing["units"][model_id], entry))
	return rows


def update_model(store, shop_id: int, body: dict, now: int) -> None:
	"""update_model: model_sku, weight, dimension, pre_order of 1..50 models."""
	with store.lock:
		listing = store.editable(shop_id, _item_id(body))
		changes = []
		for unit, entry in _model_rows(listing, body.get("model"), "model"):
			change = tier_checks.model_extras(entry)
			if "model_sku" in entry:
				change["model_sku"] = check_model_sku(entry["model_sku"])
			changes.append((unit, change))
		for unit, change in changes:
			unit.update(change)
		touch(listing, now)


def update_tier_variation(store, shop_id: int, body: dict, now: int) -> None:
	"""update_tier_variation: rename or add options (same tier count) and move models to new indexes."""
	with store.lock:
		listing = store.editable(shop_id, _item_id(body))
		if not listing["has_model"]:
			raise ApiError(
				"error_tier_var_is_",
				"Item without tier-variation. Please use init_tier_variation api to upgrade the structure.",
			)
		tiers = tier_checks.checked_tiers(body.get("tier_variation"), store.images)
		tier_checks.check_grown(tiers, listing["tiers"])
		placed = {model_id: tuple(unit["tier_index"]) for model_id, unit in listing["units"].items()}
		if body.get("model_list") not in (None, []):  # models it does not name keep their tier_index
			for unit, entry in _model_rows(listing, body["model_list"], "model_list"):
				placed[unit["model_id"]] = _moved_index(entry.get("tier_index"), tiers)
		if len(set(placed.values())) != len(placed):
			raise ApiError("error_model_duplicate_tier_variation_index", "Item have duplicate tier_index.")
		listing["tiers"] = tiers
		for model_id, index in placed.items():
			unit = listing["units"][model_id]
			unit.update(tier_index=list(index), model_name=_model_name(tiers, list(index)))
		touch(listing, now)


def _moved_index(raw, tiers: list[dict]) -> tuple:
	try:
		return tier_checks.tier_index(raw, tiers)
	except ApiError:
		raise ApiError("error_tier_index", "The tier_index is not exist")


def delete_model(store, shop_id: int, body: dict, now: int) -> None:
	"""delete_model: never the item's last model, nor one in a promotion."""
	with store.lock:
		listing = store.editable(shop_id, _item_id(body))
		model_id = body.get("model_id")
		if isinstance(model_id, bool) or not isinstance(model_id, int):
			raise param("model_id is required.")
		if not listing["has_model"] or model_id not in listing["units"]:
			raise param("Model_id and item_id not match.")
		if len(listing["units"]) == 1:
			raise ApiError("error_busi_cannot_delete_all_model", "Cannot delete all models by this api.")
		if listing["units"][model_id]["locked"]:
			raise ApiError(
				"error_model_remove_model_in_promotion",
				"Model cannot be deleted when item/model is under promotion or groupbuy.",
			)
		del listing["units"][model_id]
		touch(listing, now)


def unlist_item(store, shop_id: int, body: dict, now: int) -> tuple[list, list]:
	"""unlist_item for 1..50 items: (success_list, failure_list)."""
	entries = body.get("item_list")
	if not isinstance(entries, list) or not 1 <= len(entries) <= MAX_UNLIST:
		raise param(f"item_list should contain 1 to {MAX_UNLIST} items.")
	plan = []
	for entry in entries:
		if not isinstance(entry, dict) or not isinstance(entry.get("unlist"), bool):
			raise param("Each item_list entry needs item_id and unlist (true or false).")
		plan.append((_item_id(entry), entry["unlist"]))
	if len({item_id for item_id, _unlist in plan}) != len(plan):
		raise param("Repeated item_id in item_list.")
	success, failure = [], []
	with store.lock:
		for item_id, unlist in plan:
			reason = _unlist_refusal(store.live(shop_id, item_id))
			if reason:
				failure.append({"item_id": item_id, "failed_reason": reason})
				continue
			listing = store.live(shop_id, item_id)
			listing["item_status"] = "UNLIST" if unlist else "NORMAL"
			touch(listing, now)
			success.append({"item_id": item_id, "unlist": unlist})
	return success, failure


def _unlist_refusal(listing: dict | None) -> str:
	if listing is None or listing["item_status"] in DELETED:
		return "Item_id is not found."
	if listing["item_status"] in ("BANNED", "REVIEWING"):
		return "Banned and Reviewing Products cannot be delisted"
	if any(unit["locked"] for unit in listing["units"].values()):
		return "Can't unlist item when item is under promotion"
	return ""


def delete_item(store, shop_id: int, body: dict, now: int) -> None:
	"""delete_item: the listing becomes SELLER_DELETE (banned ones too; not one in a promotion)."""
	item_id = _item_id(body)
	with store.lock:
		listing = store.live(shop_id, item_id)
		if listing is None or listing["item_status"] in DELETED:
			raise ApiError("error_not_found", f"Item {item_id} not found.")
		if any(unit["locked"] for unit in listing["units"].values()):
			raise ApiError(
				"error_cannt_delete_in_promotion", "Item cannot be deleted when item is under promotion."
			)
		listing["item_status"] = "SELLER_DELETE"
		touch(listing, now)


def moderate(store, shop_id: int, item_id: int, status: str, now: int) -> None:
	"""Shopee's moderation: BANNED, REVIEWING or SHOPEE_DELETE (or NORMAL again)."""
	if status not in MODERATION_STATUSES:
		raise ValueError(f"status must be one of {', '.join(MODERATION_STATUSES)}, not {status!r}")
	with store.lock:
		if store.live(shop_id, item_id) is None:
			raise KeyError(f"shop {shop_id} has no item {item_id}")
		store.set_status(shop_id, item_id, status, now)


def take_for_order(store, shop_id: int, lines: list[dict]) -> list[dict]:
	"""Sell lines [{item_id, model_id, quantity}] of NORMAL listings: stock goes down; returns the lines
	with their listing and unit as they were (for the order)."""
	if not lines:
		raise ValueError("an order needs at least one line")
	with store.lock:
		taken, wanted = [], {}
		for line in lines:
			listing = store.live(shop_id, int(line["item_id"]))
			if listing is None or listing["item_status"] != "NORMAL":
				raise ValueError(f"item {line['item_id']} is not a NORMAL listing of shop {shop_id}")
			unit = listing["units"].get(int(line.get("model_id") or 0))
			quantity = int(line.get("quantity") or 1)
			if unit is None or unit["model_status"] != MODEL_NORMAL:
				raise ValueError(f"item {line['item_id']} has no sellable model {line.get('model_id')}")
			wanted[id(unit)] = wanted.get(id(unit), 0) + quantity
			if quantity < 1 or wanted[id(unit)] > unit["stock"] - unit["reserved"]:
				raise ValueError(f"cannot sell {quantity} of item {line['item_id']} model {unit['model_id']}")
			taken.append((listing, unit, quantity))
		for _listing, unit, quantity in taken:
			unit["stock"] -= quantity
		return [
			{"listing": {**listing, "units": None}, "unit": dict(unit), "quantity": quantity}
			for listing, unit, quantity in taken
		]
