"""Orders a test places on listings (SandboxServer.place_order): new READY_TO_SHIP orders.

The order's buyer, carrier, payment method and parcel come from its own random stream like any
generated order; its lines are the given models at the listing's current price, with no promotion,
and vouchers / coins / shipping follow the generated orders' rules (orders._money), so escrow,
wallet and the money identities of data.py hold for it too.
"""

import random
from decimal import Decimal

from shopee_bridge.sandbox.catalogue import currency_spec, mix
from shopee_bridge.sandbox.orders import OrderEntry, _money, _spread_discounts, derive_order

PAID_AFTER = 30  # seconds from create_time to pay_time


def _line(taken: dict, order_item_id: int) -> dict:
	listing, unit, quantity = taken["listing"], taken["unit"], taken["quantity"]
	price = Decimal(unit["price"])
	total = price * quantity
	return {
		"product": {
			"item_id": listing["item_id"],
			"item_name": listing["item_name"],
			"item_sku": listing["item_sku"],
			"weight": float(unit.get("weight") or listing["details"]["weight"]),
			"price": price,
			"models": [],
		},
		"unit": {
			"model_id": unit["model_id"],
			"model_name": unit["model_name"],
			"model_sku": unit["model_sku"],
			"price": price,
		},
		"quantity": quantity,
		"order_item_id": order_item_id,
		"promotion_group_id": 0,
		"promotion_type": "",
		"promotion_id": 0,
		"original_price": price,
		"unit_discounted_price": price,
		"unit_seller_price": price,
		"original_total": total,
		"selling_total": total,
		"seller_subtotal": total,
		"discounted_total": total,
		"seller_discount": Decimal(0),
		"shopee_discount": Decimal(0),
	}


def placed_facts(seed: int, entry: OrderEntry, buyer_pool: int, taken: list[dict]) -> dict:
	"""The facts of a placed order (see orders.derive_order) with the taken lines."""
	facts = derive_order(seed, entry, buyer_pool)
	rate, decimals = currency_spec(entry.shop["currency"])
	lines = [_line(row, entry.index * 10 + position) for position, row in enumerate(taken)]
	money = _money(random.Random(mix(seed, entry.index, 0x91ACE)), lines, rate, decimals)
	_spread_discounts(lines, money, decimals)
	pay_time = entry.create_time + PAID_AFTER
	facts.update(lines=lines, money=money, pay_time=pay_time, pickup_time=pay_time + 86400)
	return facts
