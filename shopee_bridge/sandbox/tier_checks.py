"""tier_variation and model checks of init_tier_variation, add_model, update_model and update_tier_variation.

Like Shopee: 1 or 2 tiers, 1..20 options a tier and at most 50 combinations, names and options within
get_item_limit's lengths, option images uploaded before, every model's tier_index of the tiers' depth,
in range and unique (not every combination needs a model), at most 50 models, and the highest model
price at most the region's ratio times the lowest (products.PRICE_RATIO; refused as error_param).
"""

from shopee_bridge.sandbox import limits
from shopee_bridge.sandbox.errors import ApiError
from shopee_bridge.sandbox.listing_checks import (
	check_image,
	check_model_sku,
	checked_dimension,
	checked_pre_order,
	number,
	param,
	price,
	seller_stock,
)
from shopee_bridge.sandbox.products import check_price_ratio

COMBINATIONS = "Count of tier_variation options should be under 50. Count of 2-level variations combinations should be under 50."


def checked_tiers(raw, images) -> list[dict]:
	"""tier_variation as the store keeps it: [{name, options, images}]."""
	if not isinstance(raw, list) or not raw:
		raise param("tier_variation is required.")
	if len(raw) > limits.MAX_TIERS:
		raise param("The level of tier-variation over 2.")
	tiers = [_tier(entry, images) for entry in raw]
	if len({tier["name"].lower() for tier in tiers}) != len(tiers):
		raise ApiError("error_model_duplicate_name", "Item tier_variation have duplicate name.")
	combinations = 1
	for tier in tiers:
		combinations *= len(tier["options"])
	if combinations > limits.MAX_MODELS:
		raise param(COMBINATIONS)
	return tiers


def _tier(entry, images) -> dict:
	if not isinstance(entry, dict):
		raise param("Invalid tier_variation.")
	name = entry.get("name")
	if not isinstance(name, str) or not name.strip():
		raise ApiError("error_nil_name_new_item_model", "Item tier_variation name cannot be empty.")
	name = name.strip()
	low, high = limits.TIER_NAME_LENGTH
	if not low <= len(name) <= high:
		raise ApiError(
			"error_tier_var_name_too_long", f"Variation name {name!r} should be {low} to {high} characters."
		)
	options = entry.get("option_list")
	if not isinstance(options, list) or not options:
		raise param(f"option_list of variation {name!r} is empty.")
	if len(options) > limits.MAX_OPTIONS:
		raise ApiError("error_tier_opt_too_many", "Count of tier_variation option is larger than 20.")
	names, option_images = [], []
	for option in options:
		names.append(_option(option, name))
		option_images.append(_option_image(option, images))
	if len({option.lower() for option in names}) != len(names):
		raise param(f"Variation {name!r} repeats an option.")
	return {"name": name, "options": names, "images": option_images}


def _option(option, tier_name: str) -> str:
	value = option.get("option") if isinstance(option, dict) else None
	if not isinstance(value, str) or not value.strip():
		raise param(f"An option of variation {tier_name!r} is empty.")
	value = value.strip()
	low, high = limits.TIER_OPTION_LENGTH
	if not low <= len(value) <= high:
		raise ApiError(
			"error_tier_opt_val_too_long",
			f"Option {value!r} of {tier_name!r} should be {low} to {high} characters.",
		)
	return value


def _option_image(option: dict, images) -> str | None:
	image = option.get("image")
	if not image:
		return None
	image_id = image.get("image_id") if isinstance(image, dict) else None
	check_image(image_id, images)
	return image_id


def tier_index(raw, tiers: list[dict]) -> tuple[int, ...]:
	"""A model's tier_index: one in-range index per tier."""
	if not isinstance(raw, list) or not raw:
		raise ApiError("error_model_nonempty_itemtier_empty_index", "Item tier_index is required.")
	if len(raw) != len(tiers):
		raise ApiError(
			"error_model_tier_index_level_mismatch_var_level",
			"Item tier_index level mismatch tier variation list level.",
		)
	for position, index in enumerate(raw):
		if isinstance(index, bool) or not isinstance(index, int):
			raise param("Model tier_index error.")
		if not 0 <= index < len(tiers[position]["options"]):
			raise ApiError("error_model_tier_index_bound", "Invalid item iter_index.")
	return tuple(raw)


def checked_models(raw, tiers: list[dict], shop: dict, taken: set) -> list[dict]:
	"""New models of an item: [{tier_index, price, stock, location_id, model_sku}], tier_index not in taken."""
	if not isinstance(raw, list) or not 1 <= len(raw) <= limits.MAX_MODELS:
		raise param(f"model should contain 1 to {limits.MAX_MODELS} models.")
	if len(raw) + len(taken) > limits.MAX_MODELS:
		raise ApiError(
			"error_model_count_over_limit",
			f"The count of model is too large. Should be under {limits.MAX_MODELS}.",
		)
	models, seen = [], set(taken)
	for entry in raw:
		if not isinstance(entry, dict):
			raise param("Invalid model.")
		index = tier_index(entry.get("tier_index"), tiers)
		if index in seen:
			raise ApiError("error_model_duplicate_tier_variation_index", "Item have duplicate tier_index.")
		seen.add(index)
		stock, location_id = seller_stock(entry.get("seller_stock"), shop)
		models.append(
			{
				"tier_index": list(index),
				"price": price(entry.get("original_price"), shop),
				"stock": stock,
				"location_id": location_id,
				"model_sku": check_model_sku(entry.get("model_sku")),
				**model_extras(entry),
			}
		)
	return models


def model_extras(entry: dict) -> dict:
	"""A model's own weight, dimension and pre_order, when given."""
	extras = {}
	if entry.get("weight") is not None:
		weight = number(entry["weight"], "weight", message="Invalid Weight.")
		if not 0 < weight <= limits.MAX_WEIGHT_KG:
			raise param("Invalid Weight.")
		extras["weight"] = weight
	if entry.get("dimension") is not None:
		extras["dimension"] = checked_dimension(entry["dimension"], True)
	if entry.get("pre_order") is not None:
		extras["pre_order"] = checked_pre_order(entry["pre_order"])
	return extras


def check_ratio(shop: dict, prices: list) -> None:
	check_price_ratio(shop["region"], prices, "error_param")


def check_grown(tiers: list[dict], current: list[dict]) -> None:
	"""update_tier_variation keeps the tier count and lets option lists grow or be renamed, not shrink."""
	if len(tiers) != len(current):
		raise param("Canot change the level of tier-variation.")
	for tier, old in zip(tiers, current, strict=True):
		if len(tier["options"]) < len(old["options"]):
			raise param(
				f"Options of variation {old['name']!r} cannot be removed here ({len(old['options'])} -> "
				f"{len(tier['options'])}); delete the models instead."
			)
