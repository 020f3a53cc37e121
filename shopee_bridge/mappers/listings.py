"""Listings from ERPNext Items: Shopee's publishing rules, and the add/update bodies a draft becomes.

A draft is a plain dict the ERPNext side builds from an Item (and its variants) for one shop:

	item_code, item_name, description (plain text), sku, currency, region, price_list and
	price_list_currency (where the prices come from),
	images [{key, size, extension}], weight (kg), dimension {package_length, package_width,
	package_height} (cm) or None, price and stock (an Item without variants),
	tiers [attribute names], models [{item_code, sku, options [one per tier], price, stock}],
	category_id, brand_name (the Item's own brand), attributes [{attribute_id, value_id, value, unit}],
	chosen_logistic_ids (the seller's choice, empty for all), days_to_ship, is_pre_order, condition;
	and, filled in from Shopee's reference before the checks: brand {brand_id, original_brand_name} or
	None (Shopee does not know the Item's brand) and logistic_ids (the channels to enable).

The reference is what Shopee says of the shop and category: {limits (get_item_limit), attribute_tree
(get_attribute_tree's tree of the category), brands, brand_mandatory, channels (get_channel_list),
leaf_category_ids}. `problems()` lists every rule the draft breaks, each with the field to fix,
before anything is sent. No frappe import.
"""

import hashlib
import json
from decimal import Decimal

MAX_TIERS = 2
MAX_OPTIONS_PER_TIER = 20
MAX_MODELS = 50
MAX_SKU_LENGTH = 100
MAX_IMAGE_BYTES = 10 * 1024 * 1024
IMAGE_EXTENSIONS = frozenset({"jpg", "jpeg", "png"})
NO_BRAND = {"brand_id": 0, "original_brand_name": "No Brand"}
# max/min original price across one item's models, by region (shopee-api.md, update_price)
PRICE_RATIO = {"BR": 4, "ID": 7, "MY": 7, "CL": 9, "CO": 9}
DEFAULT_PRICE_RATIO = 5
DROP_DOWNS = frozenset({1, 4})  # SINGLE_DROP_DOWN, MULTI_DROP_DOWN: only Shopee's values
FREE_TEXT = 3
QUANTITATIVE = 2  # format_type: a number with a unit
INT_VALUE, FLOAT_VALUE, DATE_VALUE = 1, 3, 4
LISTING_KEYS = (  # what the seller chose, before Shopee's brand and default channels are filled in
	"item_name",
	"description",
	"sku",
	"weight",
	"dimension",
	"category_id",
	"brand_name",
	"attributes",
	"chosen_logistic_ids",
	"days_to_ship",
	"is_pre_order",
	"condition",
)


def problem(field: str, message: str) -> dict:
	return {"field": field, "message": message}


def problems(draft: dict, ref: dict) -> list[dict]:
	"""Every Shopee rule the draft breaks, as [{field, message}], in form order."""
	limits = ref.get("limits") or {}
	found = []
	found += _text_problems(draft, limits)
	found += _image_problems(draft.get("images") or [], limits)
	found += _category_problems(draft, ref)
	found += _attribute_problems(draft.get("attributes") or [], ref.get("attribute_tree") or [])
	found += _brand_problems(draft, ref)
	found += _package_problems(draft, limits)
	found += _variant_problems(draft, limits)
	found += _price_and_stock_problems(draft, limits)
	found += _shipping_problems(draft, ref)
	return found


def _within(value: int, limit: dict | None) -> bool:
	limit = limit or {}
	low, high = limit.get("min_limit"), limit.get("max_limit")
	return (low is None or value >= low) and (high is None or value <= high)


def _range(limit: dict | None) -> str:
	limit = limit or {}
	return f"{limit.get('min_limit', 0)}–{limit.get('max_limit', '∞')}"


def _length_problem(field: str, what: str, text: str, limit: dict | None) -> list[dict]:
	if _within(len(text), limit):
		return []
	return [problem(field, f"Shopee takes {what} of {_range(limit)} characters; this one has {len(text)}")]


def _text_problems(draft: dict, limits: dict) -> list[dict]:
	name = (draft.get("item_name") or "").strip()
	description = (draft.get("description") or "").strip()
	found = _length_problem("Item Name", "names", name, limits.get("item_name_length_limit"))
	found += _length_problem(
		"Description", "descriptions", description, limits.get("item_description_length_limit")
	)
	skus = [draft.get("sku") or ""] + [model.get("sku") or "" for model in draft.get("models") or []]
	for sku in skus:
		if len(sku) > MAX_SKU_LENGTH:
			found.append(problem("Item Code", f"SKU {sku[:20]}… is longer than {MAX_SKU_LENGTH} characters"))
	return found


def _image_problems(images: list[dict], limits: dict) -> list[dict]:
	found = []
	limit = limits.get("item_image_count_limit") or {"min_limit": 1, "max_limit": 9}
	if not _within(len(images), limit):
		found.append(
			problem("Images", f"Shopee takes {_range(limit)} images per listing; this Item has {len(images)}")
		)
	for image in images:
		if (image.get("extension") or "").lower() not in IMAGE_EXTENSIONS:
			found.append(problem("Images", f"{image['key']} is not a JPG or PNG image"))
		elif (image.get("size") or 0) > MAX_IMAGE_BYTES:
			found.append(problem("Images", f"{image['key']} is larger than 10 MB"))
	return found


def _category_problems(draft: dict, ref: dict) -> list[dict]:
	if not draft.get("category_id"):
		return [problem("Shopee Category", "Choose a Shopee category")]
	leaves = ref.get("leaf_category_ids")
	if leaves is not None and int(draft["category_id"]) not in leaves:
		return [
			problem("Shopee Category", f"Category {draft['category_id']} is not a leaf category of Shopee")
		]
	return []


def _attribute_problems(given: list[dict], tree: list[dict]) -> list[dict]:
	found = []
	by_id = {}
	for row in given:
		by_id.setdefault(int(row["attribute_id"]), []).append(row)
	known = {int(attribute["attribute_id"]): attribute for attribute in tree}
	for attribute_id in by_id:
		if attribute_id not in known:
			found.append(
				problem("Shopee Attributes", f"Attribute {attribute_id} is not one of this category")
			)
	for attribute_id, attribute in known.items():
		rows = [row for row in by_id.get(attribute_id, []) if row.get("value_id") or row.get("value")]
		label = f"Shopee Attribute {attribute.get('name') or attribute_id}"
		if not rows:
			if attribute.get("mandatory"):
				found.append(problem(label, "Shopee requires this attribute for the category"))
			continue
		found += [problem(label, message) for message in _value_problems(attribute, rows)]
	return found


def _value_problems(attribute: dict, rows: list[dict]) -> list[str]:
	info = attribute.get("attribute_info") or {}
	input_type = info.get("input_type")
	allowed = {int(value["value_id"]): value for value in attribute.get("attribute_value_list") or []}
	messages = []
	if len(rows) > (info.get("max_value_count") or 1):
		messages.append(f"takes at most {info.get('max_value_count') or 1} values")
	for row in rows:
		value_id = int(row.get("value_id") or 0)
		if value_id and value_id not in allowed:
			messages.append(f"value {value_id} is not one Shopee offers")
		elif not value_id and input_type in DROP_DOWNS:
			messages.append(f"{row.get('value')!r} is not one of Shopee's values; choose one from the list")
		elif not value_id:
			messages += _typed_value_problems(info, row)
	return messages


def _typed_value_problems(info: dict, row: dict) -> list[str]:
	text = str(row.get("value") or "").strip()
	kind = info.get("input_validation_type")
	if kind in (INT_VALUE, FLOAT_VALUE):
		try:
			number = Decimal(text)
		except ArithmeticError:
			return [f"{text!r} is not a number"]
		if kind == INT_VALUE and number != number.to_integral_value():
			return [f"{text!r} is not a whole number"]
	if kind == DATE_VALUE and not text.isdigit():
		return [f"{text!r} is not a date (a Unix timestamp)"]
	if info.get("format_type") == QUANTITATIVE:
		units = info.get("attribute_unit_list") or []
		if row.get("unit") not in units:
			return [f"needs a unit, one of {', '.join(units)}"]
	return []


def _brand_problems(draft: dict, ref: dict) -> list[dict]:
	name = (draft.get("brand_name") or "").strip()
	if name and not draft.get("brand"):
		return [
			problem(
				"Brand",
				f"Brand {name} is not in Shopee's brand list for this category: register it on Shopee "
				"or clear the Item's brand to publish as No Brand",
			)
		]
	return []  # a category whose brand is mandatory takes No Brand (id 0), which is sent without one


def _package_problems(draft: dict, limits: dict) -> list[dict]:
	found = []
	if not (draft.get("weight") or 0) > 0:
		found.append(problem("Weight Per Unit", "Shopee needs the package weight (kg)"))
	dimension = draft.get("dimension") or {}
	sides = [dimension.get(key) or 0 for key in ("package_length", "package_width", "package_height")]
	mandatory = (limits.get("dimension_limit") or {}).get("dimension_mandatory")
	if (mandatory or any(sides)) and not all(side > 0 for side in sides):
		found.append(problem("Package Dimensions", "Give length, width and height of the package (cm)"))
	return found


def _variant_problems(draft: dict, limits: dict) -> list[dict]:
	tiers, models = draft.get("tiers") or [], draft.get("models") or []
	if not tiers:
		return []
	found = []
	if len(tiers) > MAX_TIERS:
		found.append(
			problem(
				"Variants", f"Shopee takes at most {MAX_TIERS} variation tiers; this Item has {len(tiers)}"
			)
		)
		return found
	for position, tier in enumerate(tiers):
		options = tier_options(models, position)
		if len(options) > MAX_OPTIONS_PER_TIER:
			found.append(
				problem("Variants", f"{tier} has {len(options)} options; Shopee takes {MAX_OPTIONS_PER_TIER}")
			)
		if not _within(len(tier), limits.get("tier_variation_name_length_limit")):
			found.append(
				problem(
					"Variants",
					f"Shopee takes tier names of {_range(limits.get('tier_variation_name_length_limit'))} characters: {tier}",
				)
			)
		for option in options:
			if not _within(len(option), limits.get("tier_variation_option_length_limit")):
				found.append(
					problem(
						"Variants",
						f"Shopee takes options of {_range(limits.get('tier_variation_option_length_limit'))} characters: {option}",
					)
				)
	if len(models) > MAX_MODELS:
		found.append(problem("Variants", f"{len(models)} variants; Shopee takes {MAX_MODELS} per listing"))
	combos = [tuple(model.get("options") or ()) for model in models]
	for model, combo in zip(models, combos, strict=True):
		if len(combo) != len(tiers) or not all(combo):
			found.append(
				problem("Variants", f"Variant {model['item_code']} lacks a value for {' / '.join(tiers)}")
			)
	if len(set(combos)) != len(combos):
		found.append(problem("Variants", "Two variants have the same attribute values"))
	return found


def _price_list_problems(draft: dict) -> list[dict]:
	if "price_list" not in draft:
		return []
	if not draft["price_list"]:
		return [
			problem("Price", "The shop has no Selling Price List (nor Shopee Settings a Price List to Push)")
		]
	if draft.get("price_list_currency") != draft.get("currency"):
		return [
			problem(
				"Price",
				f"Price List {draft['price_list']} is in {draft.get('price_list_currency')}; "
				f"the shop sells in {draft.get('currency')}",
			)
		]
	return []


def _price_and_stock_problems(draft: dict, limits: dict) -> list[dict]:
	wrong_list = _price_list_problems(draft)
	if wrong_list:
		return wrong_list
	units = draft.get("models") or [draft]
	found = []
	prices = []
	for unit in units:
		price = unit.get("price")
		if price is None:
			found.append(problem("Price", f"{unit['item_code']} has no price in the shop's price list"))
			continue
		price = Decimal(str(price))
		prices.append(price)
		if not _within(price, limits.get("price_limit")):
			found.append(
				problem(
					"Price",
					f"{unit['item_code']}: Shopee takes prices of {_range(limits.get('price_limit'))}, not {price}",
				)
			)
		if not _within(int(unit.get("stock") or 0), limits.get("stock_limit")):
			found.append(
				problem(
					"Stock", f"{unit['item_code']}: Shopee takes stock of {_range(limits.get('stock_limit'))}"
				)
			)
	if len(prices) > 1 and min(prices) > 0:
		ratio = PRICE_RATIO.get((draft.get("region") or "").upper(), DEFAULT_PRICE_RATIO)
		if max(prices) / min(prices) > ratio:
			found.append(
				problem(
					"Price",
					f"The dearest variant costs more than {ratio} times the cheapest ({max(prices)} vs {min(prices)})",
				)
			)
	return found


def _shipping_problems(draft: dict, ref: dict) -> list[dict]:
	found = []
	enabled = {
		int(channel["logistics_channel_id"])
		for channel in ref.get("channels") or []
		if channel.get("enabled")
	}
	chosen = [int(channel) for channel in draft.get("logistic_ids") or []]
	if not chosen:
		found.append(problem("Logistics Channels", "Choose at least one logistics channel"))
	for channel in chosen:
		if channel not in enabled:
			found.append(problem("Logistics Channels", f"Channel {channel} is not enabled for this shop"))
	if draft.get("is_pre_order"):
		limit = ((ref.get("limits") or {}).get("dts_limit") or {}).get("days_to_ship_limit")
		if not _within(int(draft.get("days_to_ship") or 0), limit):
			found.append(problem("Days to Ship", f"Pre-orders ship in {_range(limit)} days"))
	return found


def tier_options(models: list[dict], position: int) -> list[str]:
	"""A tier's options in the order the variants bring them."""
	return list(
		dict.fromkeys(model["options"][position] for model in models if len(model["options"]) > position)
	)


# -- bodies -------------------------------------------------------------------------------------


def non_pre_order_days(ref: dict) -> int:
	return int(((ref.get("limits") or {}).get("dts_limit") or {}).get("non_pre_order_days_to_ship") or 2)


def listing_fields(draft: dict, image_ids: list[str], ref: dict) -> dict:
	"""The listing's own fields as add_item / update_item take them (no price or stock)."""
	days = int(draft["days_to_ship"]) if draft.get("is_pre_order") else non_pre_order_days(ref)
	body = {
		"item_name": draft["item_name"].strip(),
		"description": draft["description"].strip(),
		"item_sku": draft.get("sku") or "",
		"weight": float(draft["weight"]),
		"category_id": int(draft["category_id"]),
		"brand": draft.get("brand") or NO_BRAND,
		"attribute_list": attribute_list(draft.get("attributes") or []),
		"image": {"image_id_list": list(image_ids)},
		"logistic_info": [
			{"logistic_id": int(channel), "enabled": True} for channel in draft["logistic_ids"]
		],
		"pre_order": {"is_pre_order": bool(draft.get("is_pre_order")), "days_to_ship": days},
		"condition": draft.get("condition") or "NEW",
	}
	if draft.get("dimension"):
		body["dimension"] = {key: int(value) for key, value in draft["dimension"].items()}
	return body


def attribute_list(rows: list[dict]) -> list[dict]:
	by_id: dict[int, list] = {}
	for row in rows:
		if not (row.get("value_id") or row.get("value")):
			continue
		value = {"value_id": int(row.get("value_id") or 0)}
		if not value["value_id"]:
			value["original_value_name"] = str(row["value"])
		if row.get("unit"):
			value["value_unit"] = row["unit"]
		by_id.setdefault(int(row["attribute_id"]), []).append(value)
	return [{"attribute_id": key, "attribute_value_list": values} for key, values in by_id.items()]


def add_item_body(draft: dict, image_ids: list[str], ref: dict) -> dict:
	"""add_item's body; a listing with variants starts at its cheapest model and gets models next."""
	units = draft.get("models") or [draft]
	price = min(Decimal(str(unit["price"])) for unit in units)
	stock = sum(int(unit.get("stock") or 0) for unit in units)
	return {
		**listing_fields(draft, image_ids, ref),
		"original_price": float(price),
		"seller_stock": [{"stock": stock}],
		"item_status": "NORMAL",
	}


def tier_variation(draft: dict) -> list[dict]:
	return [
		{
			"name": tier,
			"option_list": [{"option": option} for option in tier_options(draft["models"], position)],
		}
		for position, tier in enumerate(draft["tiers"])
	]


def model_entry(model: dict, tiers: list[dict]) -> dict:
	"""One model as init_tier_variation / add_model take it, placed in the given tiers."""
	return {
		"tier_index": index_in(tiers, model["options"]),
		"original_price": float(Decimal(str(model["price"]))),
		"model_sku": model.get("sku") or "",
		"seller_stock": [{"stock": int(model.get("stock") or 0)}],
	}


def model_entries(draft: dict) -> list[dict]:
	tiers = tier_variation(draft)
	return [model_entry(model, tiers) for model in draft.get("models") or []]


# -- what changed since the last publish ----------------------------------------------------------


def fingerprint(draft: dict) -> dict[str, str]:
	"""{part: hash} of what the listing shows: its own fields, its images, its variant structure.

	Price and stock are not in it: they reach Shopee through the Item Map's stock and price push.
	"""
	return {
		"listing": _hash({key: draft.get(key) for key in LISTING_KEYS}),
		"images": _hash([image["key"] for image in draft.get("images") or []]),
		"variants": _hash(
			{
				"tiers": draft.get("tiers") or [],
				"models": sorted(
					(m["item_code"], m.get("sku"), list(m["options"])) for m in draft.get("models") or []
				),
			}
		),
	}


def changed_parts(published: dict | None, draft: dict) -> list[str]:
	"""The parts whose hash differs from the last publish (all of them when it was never published)."""
	current = fingerprint(draft)
	return [part for part, value in current.items() if (published or {}).get(part) != value]


def _hash(value) -> str:
	return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:20]


def model_plan(draft: dict, published_models: dict[str, str]) -> dict:
	"""How to move the listing's models to the draft's: {add: [item_code], remove: [model_id]}.

	published_models is {item_code: model_id} as mapped.
	"""
	wanted = {model["item_code"] for model in draft.get("models") or []}
	add = [code for code in wanted if code not in published_models]
	remove = [model_id for code, model_id in published_models.items() if code not in wanted]
	return {"add": sorted(add), "remove": sorted(remove)}


def tier_mismatch(published_tiers: list[dict] | None, draft: dict) -> str | None:
	"""Why the draft's variants cannot be reached from the published tiers, or None.

	Shopee keeps a listing's tier names and count; options may only be added.
	"""
	if not published_tiers:
		return None
	if [tier["name"] for tier in published_tiers] != list(draft.get("tiers") or []):
		return (
			"The variant attributes changed, and Shopee keeps a listing's tiers: unlist it and publish anew"
		)
	return None


def grown_tiers(published_tiers: list[dict], draft: dict) -> list[dict]:
	"""The published tiers with the draft's new options appended (existing options keep their index)."""
	grown = []
	for position, tier in enumerate(published_tiers):
		old = [option["option"] for option in tier["option_list"]]
		extra = [option for option in tier_options(draft["models"], position) if option not in old]
		grown.append({"name": tier["name"], "option_list": [{"option": option} for option in old + extra]})
	return grown


def index_in(tiers: list[dict], options: list[str]) -> list[int]:
	return [
		[o["option"] for o in tier["option_list"]].index(option)
		for tier, option in zip(tiers, options, strict=True)
	]
