"""Listings of the sandbox shops with per-model stock and price, kept under a lock.

Every shop lists the same catalogue: the products orders are drawn from (catalogue.PRODUCTS, the
unmapped one, the harsh ones without SKU or sharing "SBX-SHARED") plus listings only the catalogue
has: an unlisted one, a banned one, one the seller deleted, and a sticker pack with 60 models (more
than one update_stock call takes). Every third listing keeps its stock at a location (multi-warehouse
shops: seller_stock carries location_id); the others have none. One model is locked by a running
promotion (its stock and price cannot be edited) and one has stock reserved for a promotion (its
stock cannot go below it). Stock writes do not move a listing's update_time, as observed on Shopee.
Every listing also carries what get_item_base_info shows of it (category by its name, brand, images,
weight, attributes...) in "details"; listings.py creates and edits listings the way add_item does.
"""

import copy
import random
import threading
from decimal import Decimal

from shopee_bridge.sandbox.catalogue import (
	HARSH_PRODUCTS,
	PRODUCTS,
	UNMAPPED_PRODUCT,
	currency_spec,
	mix,
	quantum,
	to_money,
)
from shopee_bridge.sandbox.categories import catalogue_category
from shopee_bridge.sandbox.errors import ApiError
from shopee_bridge.sandbox.media import ImageStore

DAY = 86400
MAX_STOCK = 999_999
MODEL_NORMAL, MODEL_UNAVAILABLE = "MODEL_NORMAL", "MODEL_UNAVAILABLE"
UNEDITABLE_STATUSES = frozenset({"BANNED", "SELLER_DELETE", "SHOPEE_DELETE"})
# (sku code, name, SGD price, models or None, status): listings no order ever contains
_CATALOGUE_ONLY = (
	("RADIO", "Retro Radio", "49.00", None, "UNLIST"),
	("WATCH", "Replica Watch", "99.00", None, "BANNED"),
	("OLDMUG", "Discontinued Mug", "5.00", None, "SELLER_DELETE"),
	("STKR", "Sticker Pack", "2.50", [f"Design {n:02d}" for n in range(1, 61)], "NORMAL"),
)
LOCKED_MODEL = ("SBX-HOOD", 2)  # (item SKU, model position): in a promotion that locks stock and price
RESERVED_MODEL = ("SBX-CASE", 2, 3)  # (item SKU, model position, units reserved for a promotion)
UNAVAILABLE_MODEL = ("SBX-MUG", 1)  # (item SKU, model position): MODEL_UNAVAILABLE
MAX_MODELS_PER_CALL = 50
# highest / lowest model price of one item allowed per region (shopee-api.md §10, update_price)
PRICE_RATIO = {"BR": 4, "ID": 7, "MY": 7, "CL": 9, "CO": 9}
DEFAULT_PRICE_RATIO = 5
FIRST_NEW_ITEM_ID = 5_000_000_000
NO_BRAND = {"brand_id": 0, "original_brand_name": "NoBrand"}


def price_ratio_limit(region: str) -> int:
	"""The highest model price of one item may be at most this many times its lowest."""
	return PRICE_RATIO.get(region, DEFAULT_PRICE_RATIO)


def catalogue_details(item_name: str, weight=None) -> dict:
	"""What get_item_base_info shows of a listing made outside add_item (catalogue, controls)."""
	return {
		"category_id": catalogue_category(item_name),
		"description": f"{item_name}, from the sandbox catalogue.",
		"weight": Decimal(str(weight or "0.2")),
		"dimension": None,
		"brand": dict(NO_BRAND),
		"image_ids": [],
		"attribute_list": [],
		"condition": "NEW",
		"pre_order": {"is_pre_order": False, "days_to_ship": 3},
		"logistic_info": [
			{"logistic_id": channel_id, "enabled": True, "is_free": False} for channel_id in (18025, 18028)
		],
	}


def _extra_listing(number: int, spec: tuple) -> dict:
	code, name, price, variants, status = spec
	item_id = 3_100_000_000 + number * 7919
	sku = f"SBX-{code}"
	return {
		"item_id": item_id,
		"item_name": f"Sandbox {name}",
		"item_sku": sku,
		"price": Decimal(price),
		"status": status,
		"models": [
			{
				"model_id": 8_200_000_000 + number * 100 + position,
				"model_name": model_name,
				"model_sku": f"{sku}-{position + 1:02d}",
				"price": Decimal(price),
			}
			for position, model_name in enumerate(variants or [])
		],
	}


_FIRST_EXTRA = len(PRODUCTS) + 2 + len(HARSH_PRODUCTS)
CATALOGUE_ONLY = tuple(
	_extra_listing(number, spec) for number, spec in enumerate(_CATALOGUE_ONLY, start=_FIRST_EXTRA)
)
CATALOGUE = (*PRODUCTS, UNMAPPED_PRODUCT, *HARSH_PRODUCTS, *CATALOGUE_ONLY)


def tiers_of(model_names: list[str]) -> list[dict]:
	"""Shopee's tier_variation for model names like "Black,S": one tier per comma-separated part."""
	parts = [name.split(",") for name in model_names]
	depth = max((len(p) for p in parts), default=0)
	names = {1: ("Variation",), 2: ("Colour", "Size")}.get(depth) or [
		f"Variation {n + 1}" for n in range(depth)
	]
	return [
		{
			"name": names[level],
			"options": list(dict.fromkeys(p[level] if level < len(p) else "" for p in parts)),
		}
		for level in range(depth)
	]


def _tier_index(tiers: list[dict], model_name: str) -> list[int]:
	parts = model_name.split(",")
	return [
		tier["options"].index(parts[level] if level < len(parts) else "") for level, tier in enumerate(tiers)
	]


class ProductStore:
	"""Each shop's listings; stock, price and promotion locks change under one lock."""

	def __init__(self, seed: int, shops: list[dict], anchor: int):
		self.seed = int(seed)
		self.anchor = int(anchor)
		self.lock = threading.RLock()
		self._shops = {shop["shop_id"]: shop for shop in shops}
		self.images = ImageStore([shop["region"] for shop in shops])
		self._listings: dict[int, dict[int, dict]] = {
			shop["shop_id"]: {
				product["item_id"]: self._build(shop, position, product)
				for position, product in enumerate(CATALOGUE)
			}
			for shop in shops
		}

	def _build(self, shop: dict, position: int, product: dict) -> dict:
		rate, decimals = currency_spec(shop["currency"])
		item_id = product["item_id"]
		tiers = tiers_of([model["model_name"] for model in product["models"]])
		units = {}
		for model_position, model in enumerate(product["models"] or [None]):
			model_id = model["model_id"] if model else 0
			price = model["price"] if model else product["price"]
			rng = random.Random(mix(self.seed, shop["shop_id"], item_id, model_id))
			units[model_id] = {
				"model_id": model_id,
				"model_name": model["model_name"] if model else "",
				"model_sku": model["model_sku"] if model else "",
				"model_status": MODEL_NORMAL,
				"tier_index": _tier_index(tiers, model["model_name"]) if model else [],
				"price": to_money(price * rate, decimals),
				"stock": rng.randint(0, 120),
				"reserved": 0,
				"locked": False,
			}
			self._apply_specials(product, model_position, units[model_id])
		created = self.anchor - 200 * DAY + position * DAY
		return {
			"item_id": item_id,
			"item_name": product["item_name"],
			"item_sku": product["item_sku"],
			"item_status": product.get("status", "NORMAL"),
			"create_time": created,
			"update_time": created + 30 * DAY,
			"location_id": f"{shop['region']}Z" if position % 3 == 0 else None,
			"tiers": tiers,
			"has_model": bool(product["models"]),
			"units": units,
			"details": catalogue_details(product["item_name"], product.get("weight")),
		}

	@staticmethod
	def _apply_specials(product: dict, model_position: int, unit: dict) -> None:
		key = (product["item_sku"], model_position)
		if product["models"] and key == LOCKED_MODEL:
			unit["locked"] = True
		if product["models"] and key == RESERVED_MODEL[:2]:
			unit["reserved"] = RESERVED_MODEL[2]
			unit["stock"] = max(unit["stock"], RESERVED_MODEL[2])
		if product["models"] and key == UNAVAILABLE_MODEL:
			unit["model_status"] = MODEL_UNAVAILABLE

	# -- reading ---------------------------------------------------------------------------

	def shop(self, shop_id: int) -> dict:
		return self._shops[int(shop_id)]

	def item_ids(self, shop_id: int) -> list[int]:
		"""The shop's item ids, ascending."""
		with self.lock:
			return sorted(self._listings[int(shop_id)])

	def listing(self, shop_id: int, item_id: int) -> dict | None:
		"""A deep copy of one listing (None when the shop has no such item)."""
		with self.lock:
			listing = self._listings[int(shop_id)].get(int(item_id))
			if listing is None:
				return None
			return {
				**listing,
				"tiers": copy.deepcopy(listing["tiers"]),
				"units": {model_id: copy.deepcopy(unit) for model_id, unit in listing["units"].items()},
				"details": copy.deepcopy(listing["details"]),
			}

	def stock(self, shop_id: int, item_id: int, model_id: int = 0) -> int:
		"""The seller stock of one model (model_id 0 for a listing without models)."""
		with self.lock:
			return self._unit(shop_id, item_id, model_id)["stock"]

	def price(self, shop_id: int, item_id: int, model_id: int = 0) -> Decimal:
		with self.lock:
			return self._unit(shop_id, item_id, model_id)["price"]

	def _unit(self, shop_id: int, item_id: int, model_id: int) -> dict:
		return self._listings[int(shop_id)][int(item_id)]["units"][int(model_id)]

	# -- the seller's own changes (controls and tests) ------------------------------------

	def set_stock(self, shop_id: int, item_id: int, model_id: int, stock: int) -> None:
		"""The seller edits stock in Seller Center (ERPNext does not know): drift."""
		with self.lock:
			self._unit(shop_id, item_id, model_id)["stock"] = int(stock)

	def set_locked(self, shop_id: int, item_id: int, model_id: int, locked: bool) -> None:
		"""A promotion starts (locked) or ends on one model."""
		with self.lock:
			self._unit(shop_id, item_id, model_id)["locked"] = bool(locked)

	def set_reserved(self, shop_id: int, item_id: int, model_id: int, reserved: int) -> None:
		with self.lock:
			self._unit(shop_id, item_id, model_id)["reserved"] = int(reserved)

	def set_status(self, shop_id: int, item_id: int, status: str, now: int | None = None) -> None:
		"""Set item_status (Shopee's moderation, or a test); with now, update_time moves too."""
		with self.lock:
			listing = self._listings[int(shop_id)][int(item_id)]
			listing["item_status"] = status
			if now is not None:
				touch(listing, now)

	# -- listings made through the API (listings.py) ----------------------------------------

	def new_item_id(self, shop_id: int) -> int:
		"""An item_id the shop does not use yet (call with the lock held)."""
		listings = self._listings[int(shop_id)]
		item_id = FIRST_NEW_ITEM_ID + len(listings) * 7919 + int(shop_id) % 1000
		while item_id in listings:
			item_id += 7919
		return item_id

	def insert(self, shop_id: int, listing: dict) -> None:
		"""Add a listing built by listings.py (call with the lock held)."""
		self._listings[int(shop_id)][listing["item_id"]] = listing

	def live(self, shop_id: int, item_id: int) -> dict | None:
		"""The stored listing itself, to change in place (call with the lock held)."""
		return self._listings[int(shop_id)].get(int(item_id))

	def editable(self, shop_id: int, item_id: int) -> dict:
		"""The stored listing, refused when it is missing, banned or deleted (call with the lock held)."""
		return self._editable(shop_id, item_id)

	def add_listing(
		self,
		shop_id: int,
		item_name: str,
		item_sku: str = "",
		models: list[dict] | None = None,
		stock: int = 0,
		price: str = "10",
		location_id: str | None = None,
	) -> int:
		"""A new listing (models: [{model_name, model_sku}]); returns its item_id."""
		with self.lock:
			listings = self._listings[int(shop_id)]
			item_id = self.new_item_id(shop_id)
			names = [model["model_name"] for model in models or []]
			tiers = tiers_of(names)
			units = {}
			for position, model in enumerate(models or [None]):
				model_id = item_id * 1000 + position + 1 if model else 0
				units[model_id] = {
					"model_id": model_id,
					"model_name": model["model_name"] if model else "",
					"model_sku": model.get("model_sku", "") if model else "",
					"model_status": MODEL_NORMAL,
					"tier_index": _tier_index(tiers, model["model_name"]) if model else [],
					"price": Decimal(str(price)),
					"stock": int(stock),
					"reserved": 0,
					"locked": False,
				}
			listings[item_id] = {
				"item_id": item_id,
				"item_name": item_name,
				"item_sku": item_sku,
				"item_status": "NORMAL",
				"create_time": self.anchor,
				"update_time": self.anchor,
				"location_id": location_id,
				"tiers": tiers,
				"has_model": bool(models),
				"units": units,
				"details": catalogue_details(item_name),
			}
			return item_id

	# -- update_stock / update_price -------------------------------------------------------

	def update_stock(self, shop_id: int, item_id: int, stock_list) -> tuple[list, list]:
		"""Apply update_stock: (success_list, failure_list); a bad call raises ApiError and changes nothing."""
		with self.lock:
			listing = self._editable(shop_id, item_id)
			planned = [
				(unit, self._stock_value(listing, entry))
				for unit, entry in self._models_of_call(listing, stock_list, "stock_list", "stock")
			]
			success, failure = [], []
			for unit, stock in planned:
				reason = _stock_refusal(unit, stock)
				if reason:
					failure.append({"model_id": unit["model_id"], "failed_reason": reason})
					continue
				unit["stock"] = stock
				row = {"model_id": unit["model_id"], "stock": stock}
				if listing["location_id"]:
					row["location_id"] = listing["location_id"]
				success.append(row)
			return success, failure

	def update_price(self, shop_id: int, item_id: int, price_list) -> tuple[list, list]:
		"""Apply update_price: (success_list, failure_list); a bad call raises ApiError and changes nothing."""
		with self.lock:
			listing = self._editable(shop_id, item_id)
			decimals = currency_spec(self.shop(shop_id)["currency"])[1]
			success, failure, planned = [], [], {}
			for unit, entry in self._models_of_call(listing, price_list, "price_list", "price"):
				price = _price_value(entry)
				reason = _price_refusal(unit, price, decimals)
				if reason:
					failure.append({"model_id": unit["model_id"], "failed_reason": reason})
				else:
					planned[unit["model_id"]] = price
			self._check_price_ratio(shop_id, listing, planned)
			for model_id, price in planned.items():
				listing["units"][model_id]["price"] = price
				success.append({"model_id": model_id, "original_price": price})
			return success, failure

	def _editable(self, shop_id: int, item_id: int) -> dict:
		listing = self._listings[int(shop_id)].get(int(item_id))
		if listing is None:
			raise ApiError("error_not_found", f"Item {item_id} not found.")
		if listing["item_status"] in UNEDITABLE_STATUSES:
			raise ApiError(
				"error_item_uneditable", f"Item {item_id} is {listing['item_status']}, it cannot be edited."
			)
		return listing

	@staticmethod
	def _models_of_call(listing: dict, entries, label: str, what: str) -> list[tuple[dict, dict]]:
		"""(unit, entry) per entry of stock_list / price_list: 1..50 entries, known and distinct models."""
		if not isinstance(entries, list) or not 1 <= len(entries) <= MAX_MODELS_PER_CALL:
			raise ApiError("error_param", f"{label} should contain 1 to {MAX_MODELS_PER_CALL} models.")
		pairs, seen = [], set()
		for entry in entries:
			if not isinstance(entry, dict):
				raise ApiError("error_param", f"Invalid {label}.")
			model_id = _as_int(entry.get("model_id") or 0, "model_id")
			if model_id in seen:
				raise ApiError("error_param", "Repeat model_id.")
			seen.add(model_id)
			if listing["has_model"] and model_id == 0:
				raise ApiError(
					f"error_edit_item_{what}_for_item_has_model",
					f"This item has models: update the {what} of each model.",
				)
			if model_id not in listing["units"]:
				raise ApiError("error_param", "Wrong model_id.")
			pairs.append((listing["units"][model_id], entry))
		return pairs

	@staticmethod
	def _stock_value(listing: dict, entry: dict) -> int:
		"""The stock an entry sets, when its seller_stock mirrors the item's stock structure."""
		seller_stock = entry.get("seller_stock")
		if (
			not isinstance(seller_stock, list)
			or len(seller_stock) != 1
			or not isinstance(seller_stock[0], dict)
		):
			raise ApiError("error_param", "seller_stock should hold one {location_id, stock} per location.")
		given = seller_stock[0].get("location_id")
		if listing["location_id"] and not given:
			raise ApiError("error_busi", "The shop has multi warehouse, please input location id.")
		if given and not listing["location_id"]:
			raise ApiError("error_param", "The stock structure is different from the item's stock structure.")
		if given and given != listing["location_id"]:
			raise ApiError("error_param", f"Invalid location_id {given}.")
		stock = seller_stock[0].get("stock")
		if isinstance(stock, bool) or not isinstance(stock, int) or not 0 <= stock <= MAX_STOCK:
			raise ApiError("error_param", f"stock should be a whole number from 0 to {MAX_STOCK}.")
		return stock

	def _check_price_ratio(self, shop_id: int, listing: dict, planned: dict) -> None:
		prices = [planned.get(model_id, unit["price"]) for model_id, unit in listing["units"].items()]
		if planned:
			check_price_ratio(self.shop(shop_id)["region"], prices, "error_update_price_fail")


def check_price_ratio(region: str, prices: list[Decimal], error: str) -> None:
	"""Refuse model prices of one item whose highest is more than the region's ratio times the lowest."""
	limit = price_ratio_limit(region)
	if prices and max(prices) > min(prices) * limit:
		raise ApiError(error, f"The highest model price may be at most {limit} times the lowest.")


def touch(listing: dict, now: int) -> None:
	"""Move a listing's update_time to now (always later than before)."""
	listing["update_time"] = max(int(now), listing["update_time"] + 1)


def _as_int(value, name: str) -> int:
	if isinstance(value, bool):
		raise ApiError("error_param", f"Invalid {name}.")
	try:
		return int(value)
	except (TypeError, ValueError):
		raise ApiError("error_param", f"Invalid {name}.")


def _price_value(entry: dict) -> Decimal:
	value = entry.get("original_price")
	if isinstance(value, bool) or not isinstance(value, int | float):
		raise ApiError("error_param", "original_price should be a number.")
	return Decimal(str(value))


def _stock_refusal(unit: dict, stock: int) -> str:
	if unit["locked"]:
		return "error_cannt_edit_stock_in_promotion: the model is in a promotion, its stock cannot be edited."
	if stock < unit["reserved"]:
		return f"error_busi_update_stock_failed: stock cannot be less than the reserved stock {unit['reserved']}."
	return ""


def _price_refusal(unit: dict, price: Decimal, decimals: int) -> str:
	if unit["locked"]:
		return "error_cannt_edit_price_in_promotion: the model is in a promotion, its price cannot be edited."
	if price <= 0 or price != price.quantize(quantum(decimals)):
		return f"error_invalid_price: {price} is not a price with {decimals} decimals above 0."
	return ""
