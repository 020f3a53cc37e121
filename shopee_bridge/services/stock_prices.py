"""Prices to push: each mapped Item's rate in the Price List Shopee Settings name, in the shop's currency.

Off unless Shopee Settings push prices. The rate is the Item Price of that list for the Item in its
stock UOM, for no particular customer, valid today (the latest valid_from wins), rounded to the step
Shopee takes in the currency. A row whose Item has no such price gets none pushed; a Price List in
another currency than the shop's is an error on every row, shown in Desk.
"""

from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import getdate, nowdate

from shopee_bridge.mappers import catalogue as mapper


def price_targets(shop, settings, rows: list[dict]) -> dict[str, "mapper.PriceTarget | str"]:
	"""{row name: the price the model should have, or why none can be pushed}; {} when prices are off."""
	price_list = settings.get("push_price_list")
	if not settings.get("push_prices") or not price_list or not rows:
		return {}
	currency = frappe.db.get_value("Price List", price_list, "currency")
	if currency != shop.currency:
		reason = _("Price List {0} is in {1}, the shop sells in {2}").format(
			price_list, currency, shop.currency
		)
		return {row.name: reason for row in rows}
	rates = item_rates(price_list, sorted({row.item_code for row in rows}))
	targets = {}
	for row in rows:
		rate = rates.get(row.item_code)
		if rate is not None:
			known = Decimal(row.shopee_price) if row.get("shopee_price") else None
			targets[row.name] = mapper.PriceTarget(
				row.item_id, row.model_id, mapper.shopee_price(rate, currency), known
			)
	return targets


def item_rates(price_list: str, item_codes: list[str]) -> dict[str, float]:
	"""{item_code: rate} of the Price List valid today, for no customer, in each Item's stock UOM."""
	today = getdate(nowdate())
	prices = frappe.get_all(
		"Item Price",
		filters={"price_list": price_list, "item_code": ["in", item_codes]},
		fields=["item_code", "price_list_rate", "uom", "customer", "valid_from", "valid_upto"],
		order_by="valid_from desc",
	)
	rates = {}
	for price in prices:
		stock_uom = frappe.get_cached_value("Item", price.item_code, "stock_uom")
		if price.item_code in rates or price.customer or price.uom not in (None, "", stock_uom):
			continue
		if (price.valid_from and getdate(price.valid_from) > today) or (
			price.valid_upto and getdate(price.valid_upto) < today
		):
			continue
		rates[price.item_code] = price.price_list_rate
	return rates
