"""Shopee order JSON to plain dicts for the ERPNext Customer, Address and Sales Order writers.

Pure functions: no frappe. Amounts are Decimal in the order's currency, dates are date objects
in the shop's time zone, and Shopee's int64 ids are strings. See pricing.py for how amounts are read.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from shopee_bridge.mappers import shape
from shopee_bridge.mappers.money import split_line
from shopee_bridge.mappers.pricing import (
	OrderLine,
	OrderTotalMismatchError,
	PricedOrder,
	id_text,
	parse_lines,
	price_order,
)
from shopee_bridge.mappers.stages import order_stage, stages_to_apply

__all__ = [
	"OrderTotalMismatchError",
	"ShopContext",
	"UnmappedSKUError",
	"check_lines_mapped",
	"check_order",
	"customer_key",
	"line_label",
	"local_datetime",
	"map_address",
	"map_customer",
	"map_lines",
	"map_sales_order",
	"order_stage",
	"stages_to_apply",
	"unmapped_lines",
]

REGION_COUNTRIES = {
	"SG": "Singapore",
	"MY": "Malaysia",
	"TH": "Thailand",
	"VN": "Vietnam",
	"PH": "Philippines",
	"ID": "Indonesia",
	"TW": "Taiwan",
	"BR": "Brazil",
	"MX": "Mexico",
	"CO": "Colombia",
	"CL": "Chile",
	"PL": "Poland",
}
ERPNEXT_DATA_LENGTH = 140
ADDRESS_FIELDS = ("name", "phone", "full_address", "town", "district", "city", "state", "zipcode", "region")

# (item_id, model_id, sku) -> ERPNext item_code, or None when the line has no mapping.
ItemLookup = Callable[[str, str, str | None], str | None]


@dataclass(frozen=True)
class ShopContext:
	shop_id: int
	currency: str
	region: str
	customer_group: str
	territory: str
	time_zone: str
	company: str | None = None
	warehouse: str | None = None


class UnmappedSKUError(ValueError):
	"""Order lines without an ERPNext Item; only their own order is blocked."""

	def __init__(self, order_sn: str | None, skus: list[str]):
		self.order_sn = order_sn
		self.skus = skus
		super().__init__(f"Order {order_sn} has Shopee lines without an ERPNext Item: {', '.join(skus)}")


def check_order(order) -> dict:
	"""The order, once its top-level fields have the shape the mappers read (else MalformedShopeeData)."""
	shape.require_dict(order, "The order")
	if not shape.text(order.get("order_sn"), "order_sn", max_length=64):
		raise shape.MalformedShopeeData("The order has no order_sn")
	for key in ("create_time", "update_time", "ship_by_date", "pickup_done_time", "pay_time"):
		shape.epoch(order.get(key), key, default=0)
	for key in ("order_status", "currency", "region", "buyer_username", "cancel_reason", "cancel_by"):
		shape.text(order.get(key), key)
	if order.get("recipient_address") is not None:
		address = shape.require_dict(order["recipient_address"], "recipient_address")
		for field in ADDRESS_FIELDS:
			shape.text(address.get(field), f"recipient_address.{field}")
	return order


def customer_key(order: dict) -> str:
	"""Stable buyer key within a shop: username, else "uid:<buyer_user_id>", else "order:<order_sn>"."""
	check_order(order)
	username = _text(order.get("buyer_username"))
	if username and not _is_masked(username):
		return username
	user_id = _buyer_user_id(order)
	if user_id:
		return f"uid:{user_id}"
	return f"order:{order['order_sn']}"


def map_customer(order: dict, shop: ShopContext) -> dict:
	"""Customer fields for the buyer of `order`."""
	key = customer_key(order)
	return {
		"customer_name": _customer_name(key),
		"customer_type": "Individual",
		"customer_group": shop.customer_group,
		"territory": shop.territory,
		"shopee_buyer_username": key,
		"shopee_buyer_user_id": _buyer_user_id(order),
		"shopee_shop": str(shop.shop_id),
	}


def map_address(order: dict, shop: ShopContext) -> dict | None:
	"""Shipping Address fields from recipient_address (masked values kept), or None when there is none."""
	check_order(order)
	recipient = {field: _text((order.get("recipient_address") or {}).get(field)) for field in ADDRESS_FIELDS}
	if not any(recipient.values()):
		return None
	key = customer_key(order)
	line1, line2 = _address_lines(recipient)
	region = (recipient["region"] or _text(order.get("region")) or shop.region).upper()
	if region not in REGION_COUNTRIES:
		raise ValueError(f"Order {order.get('order_sn')}: no ERPNext country for Shopee region {region!r}")
	city_candidates = (recipient["city"], recipient["state"], recipient["district"], recipient["town"])
	name = recipient["name"]
	return {
		"address_title": name if name and not _is_masked(name) else _customer_name(key),
		"address_type": "Shipping",
		"address_line1": line1,
		"address_line2": line2,
		"city": next((value for value in city_candidates if value), "-"),
		"state": recipient["state"],
		"pincode": recipient["zipcode"],
		"country": REGION_COUNTRIES[region],
		"phone": recipient["phone"],
		"dedupe_key": _address_dedupe_key(shop, key, recipient),
	}


def map_lines(order: dict, escrow: dict | None, lookup: ItemLookup) -> list[dict]:
	"""Sales Order item rows; a Shopee line whose total does not split evenly gets two rows."""
	return _item_rows(order, price_order(order, escrow, _order_currency(order)), lookup)


def unmapped_lines(order: dict, find_item: Callable[[str, str, str | None], object]) -> list[str]:
	"""Labels (SKU, else ids) of the order's lines find_item resolves to nothing."""
	lines = parse_lines(order, _order_currency(order))
	return list(
		dict.fromkeys(
			line_label(line) for line in lines if not find_item(line.item_id, line.model_id, line.sku)
		)
	)


def check_lines_mapped(order: dict, lookup: ItemLookup) -> None:
	"""Raise UnmappedSKUError naming every line without an Item."""
	unmapped = unmapped_lines(order, lookup)
	if unmapped:
		raise UnmappedSKUError(order.get("order_sn"), unmapped)


def map_sales_order(order: dict, escrow: dict | None, shop: ShopContext, lookup: ItemLookup) -> dict:
	"""Sales Order fields; grand_total = sold_for + amount_residual, to the cent (see pricing.py)."""
	check_order(order)
	shape.epoch(order.get("create_time"), "create_time")  # a Sales Order needs its date
	currency = _order_currency(order, shop)
	priced = price_order(order, escrow, currency)
	transaction_date = local_datetime(order["create_time"], shop.time_zone).date()
	return {
		"shopee_order_sn": order["order_sn"],
		"shopee_shop": str(shop.shop_id),
		"company": shop.company,
		"set_warehouse": shop.warehouse,
		"currency": currency,
		"transaction_date": transaction_date,
		"delivery_date": _delivery_date(order, shop.time_zone, transaction_date),
		"customer_key": customer_key(order),
		"items": _item_rows(order, priced, lookup),
		"goods_amount": priced.goods,
		"seller_discount_amount": priced.seller_discount,
		"shipping_charge": priced.shipping,
		"sold_for": priced.sold_for,
		"buyer_paid_amount": priced.buyer_paid,
		"buyer_transaction_fee": priced.buyer_fee,
		"shopee_funded_amount": priced.shopee_funded,
		"amount_residual": priced.residual,
		"grand_total": priced.grand_total,
		"amounts_source": priced.source,
		"price_reading": priced.reading,
		"order_status": order.get("order_status"),
		"create_time": order["create_time"],
		"update_time": order.get("update_time"),
		"ship_by_date": order.get("ship_by_date") or None,
	}


def local_datetime(epoch: int, time_zone: str) -> datetime:
	"""Naive local datetime in `time_zone` (IANA name) of a Shopee UTC epoch in seconds."""
	return datetime.fromtimestamp(int(epoch), ZoneInfo(time_zone)).replace(tzinfo=None)


def _delivery_date(order: dict, time_zone: str, transaction_date: date) -> date:
	"""The local date of ship_by_date, never before the transaction date (ERPNext refuses that)."""
	if not order.get("ship_by_date"):
		return transaction_date
	return max(local_datetime(order["ship_by_date"], time_zone).date(), transaction_date)


def _item_rows(order: dict, priced: PricedOrder, lookup: ItemLookup) -> list[dict]:
	"""Rows for every line; raises UnmappedSKUError naming all lines without an Item."""
	item_codes = [lookup(line.item_id, line.model_id, line.sku) for line in priced.lines]
	unmapped = [line_label(line) for line, code in zip(priced.lines, item_codes, strict=True) if not code]
	if unmapped:
		raise UnmappedSKUError(order.get("order_sn"), list(dict.fromkeys(unmapped)))
	rows = []
	for line, code, total in zip(priced.lines, item_codes, priced.line_totals, strict=True):
		for qty, rate in split_line(total, line.qty, priced.currency):
			rows.append(
				{
					"item_code": code,
					"qty": qty,
					"rate": rate,
					"item_name": line.item_name[:ERPNEXT_DATA_LENGTH],
					"shopee_item_id": line.item_id,
					"shopee_model_id": line.model_id,
					"sku": line.sku,
					"is_bundle": line.is_bundle,
				}
			)
	return rows


def line_label(line: OrderLine) -> str:
	"""How a line is named in messages: its SKU, else its ids."""
	return line.sku or f"item_id={line.item_id} model_id={line.model_id}"


def _order_currency(order: dict, shop: ShopContext | None = None) -> str:
	"""The order's currency, which must be the shop's when a shop is given."""
	currency = (_text(order.get("currency")) or (shop.currency if shop else "")).upper()
	if not currency:
		raise ValueError(f"Order {order.get('order_sn')} has no currency")
	if shop and currency != shop.currency.upper():
		raise ValueError(
			f"Order {order.get('order_sn')} is in {currency}, shop {shop.shop_id} in {shop.currency}"
		)
	return currency


def _buyer_user_id(order: dict) -> str | None:
	"""buyer_user_id as a string; None when Shopee leaves it empty or 0 (e.g. TW non-integrated orders)."""
	user_id = id_text(order.get("buyer_user_id"))
	return user_id if user_id not in ("", "0") else None


def _customer_name(key: str) -> str:
	if key.startswith("uid:"):
		return f"Shopee buyer {key[4:]}"
	if key.startswith("order:"):
		return f"Shopee buyer of order {key[6:]}"
	return key


def _address_lines(recipient: dict) -> tuple[str, str]:
	"""full_address cut to two ERPNext Data fields at a space; parts joined when it is blank."""
	parts = ("town", "district", "city", "state")
	text = recipient["full_address"] or ", ".join(recipient[p] for p in parts if recipient[p]) or "-"
	if len(text) <= ERPNEXT_DATA_LENGTH:
		return text, ""
	cut = text.rfind(" ", 0, ERPNEXT_DATA_LENGTH + 1)
	cut = cut if cut > 0 else ERPNEXT_DATA_LENGTH
	return text[:cut].rstrip(), text[cut:].strip()[:ERPNEXT_DATA_LENGTH]


def _address_dedupe_key(shop: ShopContext, key: str, recipient: dict) -> str:
	"""sha1 of shop, buyer key and whitespace/case-normalized address fields.

	The buyer key is part of it so that fully masked addresses ("****") of different buyers stay apart.
	"""
	values = [str(shop.shop_id), key] + [" ".join(recipient[f].split()).casefold() for f in ADDRESS_FIELDS]
	return hashlib.sha1("\x1f".join(values).encode(), usedforsecurity=False).hexdigest()


def _text(value) -> str:
	return str(value).strip() if value is not None else ""


def _is_masked(value: str) -> bool:
	return bool(value) and set(value) == {"*"}
