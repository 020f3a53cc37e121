"""Shopee listings to Shopee Item Map rows, and the stock and price writes that bring Shopee up to date.

Pure: plain dicts in, plain dicts out, no frappe. A listing gives one map row per model, or one row
with model_id "0" when it has no variations. Stock goes to Shopee as whole, non-negative units, one
update_stock call per item with at most 50 models, and only for models whose value differs from
what Shopee shows as far as we know. Prices likewise through update_price, in the currency's step.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from shopee_bridge.mappers.money import to_decimal

MAX_MODELS_PER_CALL = 50
NAME_LENGTH = 140
# Listings Shopee lets a seller write stock and price to; BANNED and deleted ones refuse edits.
WRITABLE_STATUSES = frozenset({"NORMAL", "UNLIST", "REVIEWING"})
# Only these currencies take two-decimal prices on Shopee (shopee-api.md §12.3); the rest are whole.
TWO_DECIMAL_PRICE_CURRENCIES = frozenset({"SGD", "MYR", "BRL", "MXN", "PLN", "EUR", "ARS"})


# -- listings -> map rows ---------------------------------------------------------------------


def listing_rows(info: dict, models: dict | None = None) -> list[dict]:
	"""Map rows of one listing: get_item_base_info's entry and, when it has models, get_model_list's answer."""
	base = {
		"item_id": str(info["item_id"]),
		"item_sku": (info.get("item_sku") or "").strip(),
		"shopee_item_name": (info.get("item_name") or "")[:NAME_LENGTH],
		"item_status": info.get("item_status") or "",
	}
	if not info.get("has_model"):
		rows = [{**base, **_unit_fields(info, "0", "", "", "")}]
	else:
		tiers = (models or {}).get("tier_variation") or []
		rows = [
			{
				**base,
				**_unit_fields(
					model,
					str(model["model_id"]),
					(model.get("model_sku") or "").strip(),
					model_name(model, tiers),
					model.get("model_status") or "",
				),
			}
			for model in (models or {}).get("model") or []
		]
	for row in rows:
		row["sku"] = row_sku(row)
	return rows


def _unit_fields(unit: dict, model_id: str, model_sku: str, name: str, status: str) -> dict:
	stock, location_id = seller_stock(unit.get("stock_info_v2"))
	return {
		"model_id": model_id,
		"model_sku": model_sku,
		"model_name": name[:NAME_LENGTH],
		"model_status": status,
		"location_id": location_id,
		"shopee_stock": stock,
		"shopee_price": _original_price(unit.get("price_info")),
	}


def row_sku(row: dict) -> str:
	"""The SKU a row is matched by: the model's, else the listing's."""
	return row.get("model_sku") or row.get("item_sku") or ""


def model_name(model: dict, tiers: list[dict]) -> str:
	"""Shopee's model_name when given, else the tier options it picks, comma-joined ("Black,S")."""
	if model.get("model_name"):
		return str(model["model_name"])
	names = []
	for level, index in enumerate(model.get("tier_index") or []):
		options = (tiers[level].get("option_list") or []) if level < len(tiers) else []
		if 0 <= index < len(options):
			names.append(str(options[index].get("option") or ""))
	return ",".join(names)


def seller_stock(stock_info: dict | None) -> tuple[int | None, str]:
	"""(seller stock summed over locations, the location_id writes must name or ""); None when absent.

	Several locations come back comma-joined: such a model is not pushed (see is_multi_location).
	"""
	entries = (stock_info or {}).get("seller_stock")
	if entries is None:
		return None, ""
	total = sum(int(entry.get("stock") or 0) for entry in entries)
	locations = [str(entry["location_id"]) for entry in entries if entry.get("location_id")]
	return total, ",".join(dict.fromkeys(locations))


def is_multi_location(location_id: str) -> bool:
	"""A model stocked at several Shopee locations: one total cannot be split between them safely."""
	return "," in (location_id or "")


def _original_price(price_info: list | None) -> str:
	if not price_info:
		return ""
	return str(to_decimal(price_info[0].get("original_price")))


def shared_skus(rows: Iterable[dict]) -> set[str]:
	"""SKUs that more than one row (listing or model) carries."""
	seen, shared = set(), set()
	for row in rows:
		sku = row_sku(row)
		if sku in seen:
			shared.add(sku)
		elif sku:
			seen.add(sku)
	return shared


def model_attributes(model: dict, tiers: list[dict]) -> list[tuple[str, str]]:
	"""(attribute, value) pairs for a model's ERPNext Item Variant: one per tier, else ("Variation", name)."""
	pairs = []
	for level, index in enumerate(model.get("tier_index") or []):
		options = (tiers[level].get("option_list") or []) if level < len(tiers) else []
		option = str(options[index].get("option") or "").strip() if 0 <= index < len(options) else ""
		if option:
			pairs.append((str(tiers[level].get("name") or f"Variation {level + 1}").strip(), option))
	if pairs and len(pairs) == len(tiers):
		return pairs
	return [("Variation", model_name(model, tiers) or str(model.get("model_id")))]


# -- stock ------------------------------------------------------------------------------------


def sellable_quantity(actual: float, reserved: float, projected: float) -> int:
	"""Whole units Shopee may sell: on hand minus reserved, never above projected, never below zero."""
	value = min(float(actual) - float(reserved), float(projected))
	return max(0, math.floor(round(value, 6)))


@dataclass(frozen=True)
class StockTarget:
	"""What one model should show on Shopee, and what it shows as far as we know (None: unknown)."""

	item_id: str
	model_id: str
	quantity: int
	shopee_stock: int | None = None
	location_id: str = ""

	@property
	def changed(self) -> bool:
		return self.shopee_stock is None or int(self.shopee_stock) != self.quantity


def stock_calls(targets: Iterable[StockTarget]) -> list[dict]:
	"""update_stock bodies {item_id, stock_list} for the changed targets: per item, at most 50 models each."""
	by_item: dict[str, dict[str, dict]] = {}
	for target in targets:
		if target.changed:
			entry = {"stock": max(0, int(target.quantity))}
			if target.location_id:
				entry = {"location_id": target.location_id, **entry}
			by_item.setdefault(target.item_id, {})[target.model_id] = {
				"model_id": int(target.model_id),
				"seller_stock": [entry],
			}
	return _calls(by_item, "stock_list")


def _calls(by_item: dict[str, dict[str, dict]], list_key: str) -> list[dict]:
	calls = []
	for item_id, entries in by_item.items():
		models = list(entries.values())
		for start in range(0, len(models), MAX_MODELS_PER_CALL):
			calls.append({"item_id": int(item_id), list_key: models[start : start + MAX_MODELS_PER_CALL]})
	return calls


def minimum_calls(changed_models_per_item: Iterable[int]) -> int:
	"""The fewest update calls Shopee's limits allow: one item per call, 50 models per call."""
	return sum(math.ceil(count / MAX_MODELS_PER_CALL) for count in changed_models_per_item if count > 0)


def call_results(
	call: dict, response: dict, value_key: str = "stock"
) -> tuple[dict[str, object], dict[str, str]]:
	"""({model_id: value Shopee confirmed}, {model_id: why it refused}) of one update call.

	A model of the call that Shopee neither confirms nor refuses is counted as refused: nothing says
	it was written.
	"""
	list_key = "stock_list" if "stock_list" in call else "price_list"
	confirmed, refused = {}, {}
	for row in response.get("success_list") or []:
		confirmed[str(row.get("model_id") or 0)] = row.get(value_key)
	for row in response.get("failure_list") or []:
		refused[str(row.get("model_id") or 0)] = str(row.get("failed_reason") or "refused by Shopee")
	for entry in call[list_key]:
		model_id = str(entry["model_id"])
		if model_id not in confirmed and model_id not in refused:
			refused[model_id] = "Shopee did not confirm this model"
	return confirmed, refused


# -- price ------------------------------------------------------------------------------------


def price_step(currency: str) -> Decimal:
	"""The smallest price step Shopee takes in a currency: 0.01 or 1."""
	return Decimal("0.01") if (currency or "").upper() in TWO_DECIMAL_PRICE_CURRENCIES else Decimal(1)


def shopee_price(amount, currency: str) -> Decimal:
	"""An ERPNext rate as Shopee takes it: rounded half up to the currency's price step."""
	return to_decimal(amount).quantize(price_step(currency), ROUND_HALF_UP) + 0


@dataclass(frozen=True)
class PriceTarget:
	"""The price one model should have on Shopee, and the one it has as far as we know."""

	item_id: str
	model_id: str
	price: Decimal
	shopee_price: Decimal | None = None

	@property
	def changed(self) -> bool:
		return self.price > 0 and (self.shopee_price is None or self.shopee_price != self.price)


def price_calls(targets: Iterable[PriceTarget]) -> list[dict]:
	"""update_price bodies {item_id, price_list} for the changed targets: per item, at most 50 models each."""
	by_item: dict[str, dict[str, dict]] = {}
	for target in targets:
		if target.changed:
			by_item.setdefault(target.item_id, {})[target.model_id] = {
				"model_id": int(target.model_id),
				"original_price": float(target.price),
			}
	return _calls(by_item, "price_list")
