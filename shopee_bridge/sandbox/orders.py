"""Per-order facts derived on demand from (seed, order index), and their get_order_detail view.

See the data.py docstring for the money identities these figures satisfy.
"""

import random
from decimal import Decimal
from typing import NamedTuple

from shopee_bridge.sandbox.catalogue import (
	HARSH_PRODUCTS,
	PRODUCTS,
	UNMAPPED_PRODUCT,
	currency_spec,
	line_identity,
	mix,
	sellable_units,
	to_money,
)

STATUSES = (
	"UNPAID",
	"READY_TO_SHIP",
	"PROCESSED",
	"SHIPPED",
	"TO_CONFIRM_RECEIVE",
	"COMPLETED",
	"IN_CANCEL",
	"CANCELLED",
	"TO_RETURN",
)
TRACKED_STATUSES = frozenset({"PROCESSED", "SHIPPED", "TO_CONFIRM_RECEIVE", "COMPLETED", "TO_RETURN"})
PICKED_UP_STATUSES = frozenset({"SHIPPED", "TO_CONFIRM_RECEIVE", "COMPLETED", "TO_RETURN"})
LOGISTICS_STATUS = {
	"UNPAID": "LOGISTICS_NOT_START",
	"READY_TO_SHIP": "LOGISTICS_READY",
	"PROCESSED": "LOGISTICS_REQUEST_CREATED",
	"SHIPPED": "LOGISTICS_PICKUP_DONE",
	"TO_CONFIRM_RECEIVE": "LOGISTICS_DELIVERY_DONE",
	"COMPLETED": "LOGISTICS_DELIVERY_DONE",
	"IN_CANCEL": "LOGISTICS_READY",
	"CANCELLED": "LOGISTICS_REQUEST_CANCELED",
	"TO_RETURN": "LOGISTICS_DELIVERY_DONE",
}
DEFAULT_FIELDS = (
	"order_sn",
	"region",
	"currency",
	"cod",
	"order_status",
	"message_to_seller",
	"create_time",
	"update_time",
	"days_to_ship",
	"ship_by_date",
	"booking_sn",
)
# How a shop reports item prices: after Shopee's item rebate, or the seller's price before it.
AFTER_REBATE, BEFORE_REBATE = "after_rebate", "before_rebate"
CARRIERS = (("SPX Express", 18025), ("Ninja Van", 18028), ("J&T Express", 18036))
PAYMENT_METHODS = ("Credit Card/Debit Card", "ShopeePay", "PayNow", "Online Banking", "Cash on Delivery")
BUYER_CANCEL_REASONS = ("Need to change delivery address", "Modify existing order", "Others/change of mind")
FIRST_NAMES = ("Alex", "Bella", "Chen", "Dinesh", "Eva", "Farah", "Gopal", "Hui Min", "Ivan", "Jia Hui")
LAST_NAMES = ("Tan", "Lim", "Ng", "Kumar", "Wong", "Lee", "Rahman", "Goh", "Ong", "Teo")
NOTES = ("", "", "", "", "Please pack carefully", "Gift, no invoice please", "Call before delivery")


class OrderEntry(NamedTuple):
	"""The compact index row of one order."""

	index: int
	order_sn: str
	shop: dict
	create_time: int


def derive_order(seed: int, entry: OrderEntry, buyer_pool: int, harsh: bool = False) -> dict:
	"""Every status-independent fact of one order, from its own random stream.

	Harsh mode draws its extras (listings without or with shared SKUs, Shopee rebates on any line,
	buyer fees, payment promotions, seller coin cash back) from a second stream, so the gentle data
	of a seed stays the same.
	"""
	rng = random.Random(mix(seed, entry.index, 0x0DE7))
	extra = random.Random(mix(seed, entry.index, 0x4A25)) if harsh else None
	rate, decimals = currency_spec(entry.shop["currency"])
	lines = _lines(rng, entry.index, rate, decimals, extra)
	money = _money(rng, lines, rate, decimals)
	if extra:
		_add_harsh_money(extra, money, entry.shop, rate, decimals)
	_spread_discounts(lines, money, decimals)
	buyer_no = mix(seed, entry.index, 0xB0) % buyer_pool
	pay_time = entry.create_time + rng.randint(60, 3600)
	carrier, channel_id = rng.choice(CARRIERS)
	method = rng.choices(PAYMENT_METHODS, weights=(40, 30, 15, 10, 5))[0]
	return {
		"entry": entry,
		"item_prices": entry.shop.get("item_prices", AFTER_REBATE),
		"lines": lines,
		"money": money,
		"decimals": decimals,
		"buyer": _buyer(seed, buyer_no, entry),
		"masked": mix(seed, entry.index, 0xA5) % 10 == 0,
		"pay_time": pay_time,
		"pickup_time": pay_time + rng.randint(4 * 3600, 2 * 86400),
		"carrier": carrier,
		"channel_id": channel_id,
		"payment_method": method,
		"message_to_seller": rng.choice(NOTES),
		"cancel": _cancellation(rng),
		"package_number": f"OFG{mix(seed, entry.index, 0xAC) % 10**12:012d}",
		"tracking_number": f"SPX{entry.shop['region']}{mix(seed, entry.index, 0x7A) % 10**11:011d}",
	}


def _lines(rng: random.Random, index: int, rate: Decimal, decimals: int, extra=None) -> list[dict]:
	count = rng.choices((1, 2, 3, 4), weights=(55, 25, 14, 6))[0]
	products = rng.sample(PRODUCTS, count)
	if index % 40 == 7:
		products.append(UNMAPPED_PRODUCT)
	if extra and extra.random() < 0.25:
		products.append(extra.choice(HARSH_PRODUCTS))
	bundle = len(products) >= 2 and rng.random() < 0.2
	shopee_promo = not bundle and rng.random() < 0.15
	if extra:
		shopee_promo = shopee_promo or extra.random() < 0.35
	group_id = 4_000_000_000 + index if bundle else 0
	return [
		_line(rng, product, rate, decimals, bundle, shopee_promo, group_id, index * 10 + position)
		for position, product in enumerate(products)
	]


def _line(rng, product, rate, decimals, bundle, shopee_promo, group_id, order_item_id) -> dict:
	"""One line; a Shopee rebate is per unit on a plain line and on the subtotal of a bundle line."""
	unit = rng.choice(sellable_units(product))
	quantity = rng.choice((1, 1, 1, 2, 2, 3))
	original = to_money(unit["price"] * rate, decimals)
	item_promo = not bundle and rng.random() < 0.3
	selling = to_money(original * (1 - Decimal(rng.choice((5, 10, 15, 20))) / 100), decimals)
	selling = selling if item_promo else original
	bundle_off = to_money(selling * quantity * Decimal(rng.choice((10, 15))) / 100, decimals) if bundle else 0
	seller_subtotal = selling * quantity - bundle_off
	shopee_unit = to_money(selling * Decimal("0.05"), decimals) if shopee_promo and not bundle else Decimal(0)
	rebate = shopee_unit * quantity
	if shopee_promo and bundle:
		rebate = to_money(seller_subtotal * Decimal("0.05"), decimals)
	discounted_total = seller_subtotal - rebate
	return {
		"product": product,
		"unit": unit,
		"quantity": quantity,
		"order_item_id": order_item_id,
		"promotion_group_id": group_id,
		"promotion_type": "bundle_deal" if bundle else ("product_promotion" if item_promo else ""),
		"promotion_id": group_id or (7_000_000 + order_item_id % 97 if item_promo else 0),
		"original_price": original,
		"unit_discounted_price": Decimal(0) if bundle else selling - shopee_unit,
		"unit_seller_price": Decimal(0) if bundle else selling,
		"original_total": original * quantity,
		"selling_total": selling * quantity,
		"seller_subtotal": seller_subtotal,
		"discounted_total": discounted_total,
		"seller_discount": (original - selling) * quantity + bundle_off,
		"shopee_discount": rebate,
	}


def _money(rng: random.Random, lines: list[dict], rate: Decimal, decimals: int) -> dict:
	subtotal = sum(line["discounted_total"] for line in lines)
	share = Decimal(rng.choice((5, 10))) / 100
	voucher_seller = to_money(subtotal * share, decimals) if rng.random() < 0.3 else Decimal(0)
	voucher_shopee = (
		to_money(min(subtotal * Decimal("0.08"), 5 * rate), decimals) if rng.random() < 0.2 else 0
	)
	coins = to_money(min(subtotal * Decimal("0.03"), 2 * rate), decimals) if rng.random() < 0.25 else 0
	actual_shipping = to_money(Decimal(rng.choice(("2.99", "3.49", "4.50", "5.90"))) * rate, decimals)
	if rng.random() < 0.45:
		buyer_shipping = Decimal(0)
		rebate = min(actual_shipping, to_money(2 * rate, decimals))
	else:
		buyer_shipping = min(
			actual_shipping, to_money(Decimal(rng.choice(("1.49", "2.49"))) * rate, decimals)
		)
		rebate = Decimal(0)
	buyer_total = subtotal - voucher_seller - voucher_shopee - coins + buyer_shipping
	fee_base = subtotal - voucher_seller
	commission_rate = Decimal(rng.choice((4, 5, 6))) / 100
	return {
		"order_original_price": sum(line["original_total"] for line in lines),
		"order_selling_price": sum(line["selling_total"] for line in lines),
		"order_discounted_price": subtotal,
		"seller_discount": sum(line["seller_discount"] for line in lines),
		"shopee_discount": sum(line["shopee_discount"] for line in lines),
		"voucher_from_seller": voucher_seller,
		"voucher_from_shopee": Decimal(voucher_shopee),
		"coins": Decimal(coins),
		"buyer_paid_shipping_fee": buyer_shipping,
		"actual_shipping_fee": actual_shipping,
		"shopee_shipping_rebate": rebate,
		"buyer_total_amount": buyer_total,
		"commission_fee": to_money(fee_base * commission_rate, decimals),
		"service_fee": to_money(fee_base * Decimal("0.03"), decimals) if rng.random() < 0.5 else Decimal(0),
		"seller_transaction_fee": to_money(buyer_total * Decimal("0.02"), decimals),
	}


def _add_harsh_money(extra: random.Random, money: dict, shop: dict, rate: Decimal, decimals: int) -> None:
	"""Buyer transaction fees (Indonesian shops), Shopee payment promotions, seller coin cash back."""
	subtotal = money["order_discounted_price"]
	fee = Decimal(0)
	if shop["region"] == "ID" and extra.random() < 0.4:
		fee = to_money(Decimal(1000) if shop["currency"] == "IDR" else Decimal("0.10") * rate, decimals)
	promotion = Decimal(0)
	if extra.random() < 0.12:
		promotion = to_money(min(subtotal * Decimal("0.02"), rate), decimals)
	cash_back = to_money(subtotal * Decimal("0.01"), decimals) if extra.random() < 0.12 else Decimal(0)
	money["buyer_total_amount"] += fee - promotion
	money.update(buyer_transaction_fee=fee, payment_promotion=promotion, seller_coin_cash_back=cash_back)


def _spread_discounts(lines: list[dict], money: dict, decimals: int) -> None:
	"""Split order-level vouchers and coins over the lines pro rata, remainder on the last line."""
	subtotal = money["order_discounted_price"]
	for key in ("voucher_from_seller", "voucher_from_shopee", "coins"):
		left = money[key]
		for line in lines[:-1]:
			part = to_money(money[key] * line["discounted_total"] / subtotal, decimals) if subtotal else 0
			line[key] = Decimal(part)
			left -= part
		lines[-1][key] = left


def _buyer(seed: int, buyer_no: int, entry: OrderEntry) -> dict:
	rng = random.Random(mix(seed, buyer_no, 0xB1))
	name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
	block, street, unit = rng.randint(1, 999), rng.randint(1, 99), rng.randint(1, 20)
	return {
		"user_id": 500_000_000 + buyer_no * 37,
		"username": "" if mix(seed, buyer_no, 0xB2) % 100 < 15 else f"sbx.buyer{buyer_no:05d}",
		"name": name,
		"phone": f"65{rng.randint(80000000, 99999999)}",
		"full_address": f"Blk {block} Sandbox Street {street}, #{unit:02d}-{rng.randint(1, 199):03d}",
		"city": "Sandbox City",
		"state": rng.choice(("Central", "East", "West", "North")),
		"zipcode": f"{rng.randint(10000, 829999):06d}",
		"region": entry.shop["region"],
	}


def _cancellation(rng: random.Random) -> dict:
	cancel_by = rng.choices(("buyer", "seller", "system"), weights=(50, 20, 30))[0]
	unpaid = cancel_by == "system" and rng.random() < 0.7
	reasons = {"buyer": "Customer Request", "seller": "Out of Stock", "system": "Late Shipment"}
	return {
		"cancel_by": cancel_by,
		"cancel_reason": "Unpaid Order" if unpaid else reasons[cancel_by],
		"buyer_cancel_reason": rng.choice(BUYER_CANCEL_REASONS) if cancel_by == "buyer" else "",
		"unpaid": unpaid,
	}


def is_paid(facts: dict, status: str) -> bool:
	"""Whether the buyer has paid, given the order's current status."""
	return status != "UNPAID" and not (status == "CANCELLED" and facts["cancel"]["unpaid"])


def order_detail(facts: dict, status: str, update_time: int, fields: set[str]) -> dict:
	"""get_order_detail's order: the default fields plus the requested optional ones."""
	full = _full_detail(facts, status, update_time)
	wanted = set(DEFAULT_FIELDS) | fields
	return {key: value for key, value in full.items() if key in wanted}


def _full_detail(facts: dict, status: str, update_time: int) -> dict:
	entry, money, buyer = facts["entry"], facts["money"], facts["buyer"]
	paid = is_paid(facts, status)
	cancel = _cancel_view(facts, status)
	detail = {
		"order_sn": entry.order_sn,
		"region": entry.shop["region"],
		"currency": entry.shop["currency"],
		"cod": facts["payment_method"] == "Cash on Delivery",
		"order_status": status,
		"message_to_seller": facts["message_to_seller"],
		"create_time": entry.create_time,
		"update_time": update_time,
		"days_to_ship": 3,
		"ship_by_date": facts["pay_time"] + 3 * 86400 if paid else 0,
		"booking_sn": "",
		"buyer_user_id": buyer["user_id"],
		"buyer_username": buyer["username"],
		"recipient_address": _address(buyer, facts["masked"]),
		"item_list": [_item_view(line, facts["item_prices"]) for line in facts["lines"]],
		"total_amount": money["buyer_total_amount"],
		"estimated_shipping_fee": money["actual_shipping_fee"],
		"actual_shipping_fee": money["actual_shipping_fee"],
		"actual_shipping_fee_confirmed": status in PICKED_UP_STATUSES,
		"package_list": [_package_view(facts, status)],
		"shipping_carrier": facts["carrier"],
		"payment_method": facts["payment_method"],
		"note": "",
		"note_update_time": 0,
		"split_up": False,
		"fulfillment_flag": "fulfilled_by_local_seller",
		"pickup_done_time": min(facts["pickup_time"], update_time) if status in PICKED_UP_STATUSES else 0,
		"dropshipper": "",
		"dropshipper_phone": "",
		"goods_to_declare": False,
		**cancel,
	}
	if paid:
		detail["pay_time"] = facts["pay_time"]
	return detail


def _cancel_view(facts: dict, status: str) -> dict:
	if status not in ("IN_CANCEL", "CANCELLED"):
		return {"cancel_by": "", "cancel_reason": "", "buyer_cancel_reason": ""}
	cancel = facts["cancel"]
	if status == "IN_CANCEL" or cancel["cancel_by"] == "buyer":
		reason = cancel["buyer_cancel_reason"] or BUYER_CANCEL_REASONS[0]
		return {"cancel_by": "buyer", "cancel_reason": "Customer Request", "buyer_cancel_reason": reason}
	return {
		"cancel_by": cancel["cancel_by"],
		"cancel_reason": cancel["cancel_reason"],
		"buyer_cancel_reason": "",
	}


def _address(buyer: dict, masked: bool) -> dict:
	address = {
		key: buyer[key] for key in ("name", "phone", "full_address", "city", "state", "zipcode", "region")
	}
	address.update(town="", district="")
	if masked:
		address.update(
			name=buyer["name"][0] + "****", phone="******" + buyer["phone"][-2:], full_address="****"
		)
	return address


def _item_view(line: dict, item_prices: str) -> dict:
	product = line["product"]
	unit_price = line["unit_seller_price" if item_prices == BEFORE_REBATE else "unit_discounted_price"]
	return {
		**line_identity(line),
		"model_quantity_purchased": line["quantity"],
		"model_original_price": line["original_price"],
		"model_discounted_price": unit_price,
		"wholesale": False,
		"weight": product["weight"],
		"add_on_deal": False,
		"main_item": False,
		"add_on_deal_id": 0,
		"promotion_type": line["promotion_type"],
		"promotion_id": line["promotion_id"],
		"promotion_group_id": line["promotion_group_id"],
		"order_item_id": line["order_item_id"],
		"image_info": {"image_url": ""},
	}


def _package_view(facts: dict, status: str) -> dict:
	items = [
		{
			"item_id": line["product"]["item_id"],
			"model_id": line["unit"]["model_id"],
			"model_quantity": line["quantity"],
			"order_item_id": line["order_item_id"],
			"promotion_group_id": line["promotion_group_id"],
		}
		for line in facts["lines"]
	]
	weight = sum(line["product"]["weight"] * line["quantity"] for line in facts["lines"])
	return {
		"package_number": facts["package_number"],
		"logistics_status": LOGISTICS_STATUS[status],
		"logistics_channel_id": facts["channel_id"],
		"shipping_carrier": facts["carrier"],
		"allow_self_design_awb": False,
		"item_list": items,
		"parcel_chargeable_weight_gram": round(weight * 1000),
		"group_shipment_id": None,
	}


def tracking_number(facts: dict, status: str) -> str:
	"""The parcel's tracking number, empty until shipment is arranged (PROCESSED)."""
	return facts["tracking_number"] if status in TRACKED_STATUSES else ""
