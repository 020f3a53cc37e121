"""add_item / update_item checks, each refusal with Shopee's error code and wording.

checked_fields() takes the listing as it would be after the call (the stored fields overlaid with the
body's) and runs the checks of every group of fields the body touches; add_item touches them all.
Besides what get_item_limit, get_attribute_tree, get_brand_list and get_channel_list let the app
check beforehand, the sandbox refuses item names with a prohibited word (PROHIBITED_WORDS), which
only Shopee knows: error_item_name "Item name contains prohibited words: replica".
"""

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation

from shopee_bridge.sandbox import attributes as attrs
from shopee_bridge.sandbox import categories, limits
from shopee_bridge.sandbox.catalogue import currency_spec, quantum
from shopee_bridge.sandbox.errors import ApiError

PROHIBITED_WORDS = ("replica", "counterfeit", "knockoff", "imitation")
_PROHIBITED = re.compile(r"\b(" + "|".join(PROHIBITED_WORDS) + r")\b", re.IGNORECASE)
CONDITIONS = ("NEW", "USED")
SETTABLE_STATUSES = ("NORMAL", "UNLIST")
DIMENSION_KEYS = ("package_length", "package_width", "package_height")
# body keys -> the groups of checks they trigger
GROUPS = {
	"item_name": ("name",),
	"description": ("description",),
	"item_sku": ("sku",),
	"image": ("images",),
	"condition": ("condition",),
	"item_status": ("status",),
	"pre_order": ("pre_order",),
	"original_price": ("price",),
	"seller_stock": ("stock",),
	"category_id": ("category",),
	"attribute_list": ("category",),
	"brand": ("category",),
	"dimension": ("category", "shipping"),
	"weight": ("shipping",),
	"logistic_info": ("shipping",),
}


def param(message: str) -> ApiError:
	return ApiError("error_param", message)


def number(value, what: str, error: str = "error_param", message: str = "") -> Decimal:
	"""A JSON number as Decimal (booleans and strings refused)."""
	if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
		raise ApiError(error, message or f"{what} should be a number.")
	return Decimal(str(value))


def whole(value, what: str) -> int:
	if isinstance(value, bool) or not isinstance(value, int):
		raise param(f"{what} should be a whole number.")
	return value


def text(value, what: str) -> str:
	if not isinstance(value, str):
		raise param(f"{what} should be a string.")
	return value


def checked_fields(body: dict, current: dict | None, shop: dict, images, has_model: bool) -> dict:
	"""The listing's fields after the call, normalized; current is None for add_item.

	Normalized extras: price (Decimal), stock and location_id (from seller_stock), image_ids.
	"""
	touched = {group for key in body if key in GROUPS for group in GROUPS[key]}
	groups = {group for names in GROUPS.values() for group in names} if current is None else touched
	if has_model and {"price", "stock"} & touched:
		raise param("This item has models: set original_price and seller_stock on each model.")
	merged = {**(current or {}), **{key: body[key] for key in GROUPS if key in body}}
	if "category" in groups:
		_category(merged)
	checks = (
		("name", _name),
		("description", _description),
		("sku", _item_sku),
		("price", _price_field),
		("stock", _stock_field),
		("images", _images),
		("pre_order", _pre_order),
		("condition", lambda merged, _context: _choice(merged, "condition", CONDITIONS, "NEW")),
		("status", lambda merged, _context: _choice(merged, "item_status", SETTABLE_STATUSES, "NORMAL")),
		("category", _category_fields),
		("shipping", _shipping),
	)
	context = {"shop": shop, "images": images}
	for group, check in checks:
		if group in groups:
			check(merged, context)
	if "name" in groups:
		_prohibited(merged["item_name"])
	return merged


def _item_sku(merged: dict, context: dict) -> None:
	merged["item_sku"] = _sku(merged.get("item_sku"), "item_sku")


def _price_field(merged: dict, context: dict) -> None:
	merged["price"] = price(merged.get("original_price"), context["shop"])


def _stock_field(merged: dict, context: dict) -> None:
	merged["stock"], merged["location_id"] = seller_stock(merged.get("seller_stock"), context["shop"])


def _category(merged: dict) -> None:
	category_id = merged.get("category_id")
	if category_id in (None, ""):
		raise param("category_id is required.")
	if isinstance(category_id, bool) or not isinstance(category_id, int):
		raise ApiError("error_invalid_category", "Invalid category.")
	if category_id not in categories.CATEGORIES:
		raise ApiError("error_invalid_category", f"Invalid category ID {category_id}")
	if not categories.is_leaf(category_id):
		raise param(f"Invalid category. The category {category_id} is not leaf category.")


def _name(merged: dict, context: dict) -> None:
	shop = context["shop"]
	name = text(merged.get("item_name") or "", "item_name").strip()
	if not name:
		raise ApiError("error_item_name_empty", "Item name could not be empty.")
	low, high = limits.region_limits(shop["region"], shop["currency"])[0]
	if len(name) < low:
		raise ApiError("error_item_name_is_too_short", f"Item_name length is less than min limit {low}.")
	if len(name) > high:
		raise ApiError(
			"error_title_exceeds_max_length", f"The length of item_name is bigger than max limit {high}."
		)
	merged["item_name"] = name


def _prohibited(name: str) -> None:
	found = _PROHIBITED.search(name)
	if found:
		raise ApiError("error_item_name", f"Item name contains prohibited words: {found.group(1).lower()}")


def _description(merged: dict, context: dict) -> None:
	description = text(merged.get("description") or "", "description")
	if len(description.strip()) < 20:
		raise ApiError("error_desc_length_min_limit", "Description length is less than the min limit 20.")
	if len(description) > 3000:
		raise param("Description length is more than the max limit 3000.")


def _sku(value, what: str) -> str:
	sku = text(value if value is not None else "", what)
	if len(sku) > limits.MAX_SKU_LENGTH:
		raise param(f"{what} length should be no more than {limits.MAX_SKU_LENGTH} characters.")
	return sku


def check_model_sku(value) -> str:
	return _sku(value, "model_sku")


def price(value, shop: dict) -> Decimal:
	"""An original_price within the region's limits, in the currency's decimals."""
	if value is None:
		raise param("original_price is required.")
	amount = number(
		value, "original_price", "error_invalid_price", "Invalid price, please use the correct format"
	)
	decimals = currency_spec(shop["currency"])[1]
	if amount <= 0 or amount != amount.quantize(quantum(decimals)):
		raise ApiError("error_invalid_price", "Invalid price, please use the correct format")
	low, high = limits.region_limits(shop["region"], shop["currency"])[1:]
	if amount < low:
		raise ApiError("error_price_exceed_min_limitt", f"Original_price is less than min price limit {low}.")
	if amount > high:
		raise ApiError(
			"error_price_exceed_max_limitt", f"Original_price is bigger than max price limit {high}."
		)
	return amount


def seller_stock(value, shop: dict) -> tuple[int, str | None]:
	"""(stock, location_id or None) of a seller_stock list holding one location."""
	if value is None:
		raise param("seller_stock is required.")
	if not isinstance(value, list) or len(value) != 1 or not isinstance(value[0], dict):
		raise param("seller_stock should hold one {location_id?, stock}.")
	stock = value[0].get("stock")
	if isinstance(stock, bool) or not isinstance(stock, int) or not 0 <= stock <= limits.MAX_STOCK:
		raise param(f"stock should be a whole number from 0 to {limits.MAX_STOCK}.")
	location_id = value[0].get("location_id") or None
	if location_id is not None and location_id != f"{shop['region']}Z":
		raise ApiError(
			"error_auth",
			"The location_id input is not matched the shop's location_id(more/wrong). Please double check.",
		)
	return stock, location_id


def _images(merged: dict, context: dict) -> None:
	images = context["images"]
	image = merged.get("image")
	ids = image.get("image_id_list") if isinstance(image, dict) else None
	if not isinstance(ids, list) or not ids:
		raise ApiError("error_image_num_min", "Item images should be at least 1.")
	if len(ids) > limits.MAX_IMAGE_COUNT:
		raise param(f"Item images should be at most {limits.MAX_IMAGE_COUNT}.")
	if len(set(map(str, ids))) != len(ids):
		raise param("Repeated image id in image_id_list.")
	for image_id in ids:
		if not images.exists(image_id):
			raise param(f"Image not exist: {image_id}.")
	merged["image_ids"] = list(ids)


def check_image(image_id, images) -> None:
	if not images.exists(image_id):
		raise param(f"Image not exist: {image_id}.")


def _pre_order(merged: dict, context: dict) -> None:
	value = merged.get("pre_order")
	if value is None:
		merged["pre_order"] = {"is_pre_order": False, "days_to_ship": limits.NON_PRE_ORDER_DAYS}
		return
	merged["pre_order"] = checked_pre_order(value)


def checked_pre_order(value) -> dict:
	"""{is_pre_order, days_to_ship} within dts_limit."""
	if not isinstance(value, dict) or not isinstance(value.get("is_pre_order"), bool):
		raise param("pre_order should be {is_pre_order, days_to_ship}.")
	pre_order = value["is_pre_order"]
	low, high = limits.PRE_ORDER_DAYS if pre_order else (1, limits.NON_PRE_ORDER_DAYS)
	days = value.get("days_to_ship", high if not pre_order else None)
	if isinstance(days, bool) or not isinstance(days, int) or days < low:
		raise ApiError("error_invalid_days_to_ship", f"Invalid days_to_ship: it should be {low} to {high}.")
	if days > high:
		raise ApiError("error_param_dts_exceeds_max_limit", f"Days_to_ship exceeds max limit {high}.")
	return {"is_pre_order": pre_order, "days_to_ship": days}


def _choice(merged: dict, key: str, allowed: tuple, default: str) -> None:
	value = merged.get(key) or default
	if value not in allowed:
		raise param(f"{key} should be one of {', '.join(allowed)}.")
	merged[key] = value


def _category_fields(merged: dict, context: dict) -> None:
	category_id = merged["category_id"]
	merged["dimension"] = checked_dimension(
		merged.get("dimension"), category_id in limits.DIMENSION_MANDATORY
	)
	merged["brand"] = _brand(merged.get("brand"), category_id)
	merged["attribute_list"] = checked_attributes(merged.get("attribute_list"), category_id)


def checked_dimension(value, mandatory: bool) -> dict | None:
	if value is None:
		if mandatory:
			raise param("dimension is required")
		return None
	if not isinstance(value, dict):
		raise param("Invalid dimension.")
	for key in DIMENSION_KEYS:
		size = value.get(key)
		if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= limits.MAX_DIMENSION_CM:
			raise param(
				f"Invalid dimension: {key} should be a whole number of cm from 1 to {limits.MAX_DIMENSION_CM}."
			)
	return {key: value[key] for key in DIMENSION_KEYS}


def _brand(value, category_id: int) -> dict:
	if value is None:
		if category_id in attrs.BRAND_MANDATORY:
			raise ApiError("error_less_required_brand", "Brand information required")
		return {"brand_id": attrs.NO_BRAND_ID, "original_brand_name": "NoBrand"}
	brand_id = value.get("brand_id") if isinstance(value, dict) else None
	if isinstance(brand_id, bool) or not isinstance(brand_id, int):
		raise ApiError("error_invalid_brand", "Brand ID required")
	if brand_id == attrs.NO_BRAND_ID:
		return {"brand_id": 0, "original_brand_name": "NoBrand"}
	name = attrs.brand_name(category_id, brand_id)
	if name is None:
		raise ApiError("error_invalid_brand", f"Invalid brand {brand_id} for category {category_id}.")
	return {"brand_id": brand_id, "original_brand_name": name}


def checked_attributes(value, category_id: int) -> list[dict]:
	"""attribute_list against the leaf's attribute tree; the stored form get_item_base_info shows."""
	if value is None:
		value = []
	if not isinstance(value, list):
		raise param("attribute_list should be a list.")
	profile = dict(attrs.PROFILES[category_id])
	result, seen = [], set()
	for entry in value:
		attribute_id = entry.get("attribute_id") if isinstance(entry, dict) else None
		if isinstance(attribute_id, bool) or not isinstance(attribute_id, int):
			raise param("attribute_id should be a whole number.")
		if attribute_id not in profile:
			raise ApiError(
				"error_invalid_category_attribute",
				f"Category and attribute not match: {attribute_id} is not an attribute of category {category_id}.",
			)
		if attribute_id in seen:
			raise param(f"Repeated attribute_id {attribute_id}.")
		seen.add(attribute_id)
		attribute = attrs.ATTRIBUTES[attribute_id]
		values = _attribute_values(attribute, entry.get("attribute_value_list"))
		result.append(
			{
				"attribute_id": attribute_id,
				"original_attribute_name": attribute.name,
				"is_mandatory": profile[attribute_id],
				"attribute_value_list": values,
			}
		)
	for attribute_id, mandatory in profile.items():
		if mandatory and attribute_id not in seen:
			name = attrs.ATTRIBUTES[attribute_id].name
			raise ApiError(
				"error_less_required_attribute",
				f"Mandatory attribute information required: {name} ({attribute_id}).",
			)
	return result


def _attribute_values(attribute, rows) -> list[dict]:
	label = f"{attribute.name} ({attribute.attribute_id})"
	if not isinstance(rows, list) or not rows:
		raise ApiError("error_invalid_attribute_value", f"Invalid attribute value: {label} has no value.")
	if len(rows) > attribute.max_count:
		raise ApiError(
			"error_invalid_attribute_value",
			f"Invalid attribute value: {label} takes at most {attribute.max_count} value(s).",
		)
	values = [_attribute_value(attribute, row, label) for row in rows]
	if len({(value["value_id"], value["original_value_name"].lower()) for value in values}) != len(values):
		raise ApiError("error_invalid_attribute_value", f"Invalid attribute value: {label} repeats a value.")
	return values


def _attribute_value(attribute, row, label: str) -> dict:
	if not isinstance(row, dict):
		raise ApiError("error_invalid_attribute_value", f"Invalid attribute value of {label}.")
	value_id = row.get("value_id", 0)
	if isinstance(value_id, bool) or not isinstance(value_id, int):
		raise param(f"value_id of {label} should be a whole number.")
	known = attribute.value_ids()
	if value_id:
		if attribute.input_type == attrs.FREE_TEXT_FILED:
			raise ApiError("error_value_id_must_equal_zero", f"Value_id must equal 0 for {label}.")
		if value_id not in known:
			raise ApiError(
				"error_invalid_attribute_value",
				f"Invalid attribute value: value_id {value_id} does not belong to {label}.",
			)
		name, unit = known[value_id]
		given_unit = row.get("value_unit")
		if given_unit and given_unit != unit:
			raise ApiError(
				"error_invalid_attribute_value",
				f"Invalid attribute value: value {value_id} is in {unit}, not {given_unit}.",
			)
		return {"value_id": value_id, "original_value_name": name, "value_unit": unit}
	if attribute.input_type in attrs.DROP_DOWNS:
		raise ApiError(
			"error_invalid_attribute_value",
			f"Invalid attribute value: {label} only takes its listed value ids.",
		)
	return _custom_value(attribute, row, label)


def _custom_value(attribute, row: dict, label: str) -> dict:
	"""value_id 0: a typed value (combo box or free text), checked by its validation type and unit."""
	name = row.get("original_value_name")
	if not isinstance(name, str) or not name.strip():
		raise ApiError("error_value_name_required", f"Value_name is required for {label}.")
	name = name.strip()
	if not _valid_text(attribute.validation, name):
		kind = {
			attrs.INT_TYPE: "a whole number",
			attrs.FLOAT_TYPE: "a number",
			attrs.DATE_TYPE: "a date DD/MM/YYYY",
		}.get(attribute.validation, f"text of 1 to {attrs.MAX_TEXT_LENGTH} characters")
		raise ApiError(
			"error_invalid_attribute_value", f"Invalid attribute value: {label} takes {kind}, not {name!r}."
		)
	unit = row.get("value_unit") or ""
	if attribute.quantitative and unit not in attribute.units:
		raise ApiError(
			"error_invalid_attribute_value",
			f"Invalid attribute value: the unit of {label} should be one of {', '.join(attribute.units)}.",
		)
	if not attribute.quantitative and unit:
		raise ApiError("error_invalid_attribute_value", f"Invalid attribute value: {label} takes no unit.")
	return {"value_id": 0, "original_value_name": name, "value_unit": unit}


def _valid_text(validation: int, name: str) -> bool:
	if validation == attrs.INT_TYPE:
		return bool(re.fullmatch(r"\d{1,9}", name))
	if validation == attrs.FLOAT_TYPE:
		try:
			return Decimal(name) > 0 and bool(re.fullmatch(r"\d+(\.\d+)?", name))
		except InvalidOperation:
			return False
	if validation == attrs.DATE_TYPE:
		try:
			datetime.strptime(name, "%d/%m/%Y")
		except ValueError:
			return False
		return True
	return len(name) <= attrs.MAX_TEXT_LENGTH


def _shipping(merged: dict, context: dict) -> None:
	weight = merged.get("weight")
	if weight is None:
		raise param("Invalid Weight.")
	weight = number(weight, "weight", message="Invalid Weight.")
	if not 0 < weight <= limits.MAX_WEIGHT_KG:
		raise param("Invalid Weight.")
	merged["weight"] = weight
	merged["logistic_info"] = _logistics(merged.get("logistic_info"), weight, merged.get("dimension"))


def _logistics(value, weight: Decimal, dimension: dict | None) -> list[dict]:
	if not isinstance(value, list) or not value:
		raise param("logistic_info is required.")
	result, seen = [], set()
	for entry in value:
		channel_id = entry.get("logistic_id") if isinstance(entry, dict) else None
		row = limits.channel(channel_id) if isinstance(channel_id, int) else None
		if row is None:
			raise ApiError(
				"error_invalid_logistic_info",
				f"invalid logistic info , logistic_id {channel_id} does not exist",
			)
		if channel_id in seen:
			raise param(f"Repeated logistic_id {channel_id}.")
		seen.add(channel_id)
		enabled = entry.get("enabled")
		if not isinstance(enabled, bool):
			raise param(f"enabled of logistic_id {channel_id} should be true or false.")
		if enabled:
			_check_channel(row, weight, dimension)
		result.append({"logistic_id": channel_id, "enabled": enabled, "is_free": bool(entry.get("is_free"))})
	if not any(row["enabled"] for row in result):
		raise param("At least one shipping channel must be enabled for the product.")
	return result


def _check_channel(row: tuple, weight: Decimal, dimension: dict | None) -> None:
	channel_id, name, shop_enabled, _fee, _cod, max_weight, max_size = row
	if not shop_enabled:
		raise ApiError(
			"error_invalid_logistic_info",
			f"invalid logistic info , channel {channel_id} ({name}) is not enabled for the shop",
		)
	if weight > max_weight:
		raise ApiError(
			"error_invalid_logistic_info",
			f"invalid logistic info , weight {weight} kg is over the {max_weight} kg limit of {name}",
		)
	if dimension and any(dimension[key] > size for key, size in zip(DIMENSION_KEYS, max_size, strict=True)):
		raise ApiError(
			"error_invalid_logistic_info",
			f"invalid logistic info , the package is larger than {name} takes ({'x'.join(map(str, max_size))} cm)",
		)
