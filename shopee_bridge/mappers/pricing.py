"""What each order line and the whole order sold for, from get_order_detail and get_escrow_detail.

Reading of Shopee's amounts used here:
- `model_discounted_price` is the unit price the buyer paid, after seller and Shopee item discounts;
  it is 0 on bundle-deal lines.
- Escrow `items[].discounted_price` and `items[].shopee_discount` are line subtotals (for all
  `quantity_purchased` units): Shopee's reference says so, and a sandbox escrow shows qty 3 with
  discounted_price 3 and merchant_subtotal 3.
- Shopee's item rebate (`shopee_discount`) is added back to the line: the seller sold for it and
  Shopee pays it. Shopee vouchers, coins and payment promotions stay order-level Shopee-funded amounts.
- `seller_coin_cash_back` does not lower what the buyer paid (the buyer gets coins afterwards) but the
  seller funds it, so it joins the seller discount and is netted out of the Shopee-funded amount.
Then lines - seller_discount + shipping == grand_total == buyer_paid + shopee_funded, to the cent.
"""

from dataclasses import dataclass
from decimal import Decimal

from shopee_bridge.mappers.money import ZERO, allocate, quantize

SELLER_FUNDED_KEYS = ("voucher_from_seller", "seller_coin_cash_back")
SHOPEE_FUNDED_KEYS = ("voucher_from_shopee", "coins", "shopee_discount", "payment_promotion")


class OrderTotalMismatchError(ValueError):
	"""The escrow breakdown does not add up to what the buyer paid; the order cannot be booked as is."""


@dataclass(frozen=True)
class OrderLine:
	item_id: str
	model_id: str
	sku: str | None
	item_name: str
	qty: int
	unit_price: Decimal
	original_price: Decimal
	is_bundle: bool


@dataclass(frozen=True)
class PricedOrder:
	currency: str
	lines: list[OrderLine]
	line_totals: list[Decimal]
	seller_discount: Decimal
	shipping: Decimal
	shopee_funded: Decimal
	buyer_paid: Decimal
	source: str

	@property
	def grand_total(self) -> Decimal:
		return self.buyer_paid + self.shopee_funded


def id_text(value, default: str = "") -> str:
	"""An int64 Shopee id as a string ("" or `default` when absent)."""
	if value is None or value == "":
		return default
	if isinstance(value, float) and value.is_integer():
		value = int(value)
	return str(value)


def parse_lines(order: dict, currency: str) -> list[OrderLine]:
	"""The order's item_list as OrderLines; lines with no quantity left are dropped."""
	lines = []
	for item in order.get("item_list") or []:
		qty = int(item.get("model_quantity_purchased") or 0)
		if qty <= 0:
			continue
		unit_price = quantize(item.get("model_discounted_price"), currency)
		original_price = quantize(item.get("model_original_price"), currency)
		is_bundle = item.get("promotion_type") == "bundle_deal" or (unit_price == 0 and original_price > 0)
		sku = (item.get("model_sku") or "").strip() or (item.get("item_sku") or "").strip() or None
		lines.append(
			OrderLine(
				item_id=id_text(item.get("item_id")),
				model_id=id_text(item.get("model_id"), default="0"),
				sku=sku,
				item_name=(item.get("item_name") or "").strip(),
				qty=qty,
				unit_price=unit_price,
				original_price=original_price,
				is_bundle=is_bundle,
			)
		)
	return lines


def price_order(order: dict, escrow: dict | None, currency: str) -> PricedOrder:
	"""Line totals and order amounts, from the escrow breakdown when given, else from the order alone."""
	lines = parse_lines(order, currency)
	if escrow is None:
		return _price_from_order(order, lines, currency)
	return _price_from_escrow(order, lines, escrow_income(escrow, order.get("order_sn")), currency)


def escrow_income(escrow: dict, order_sn: str | None) -> dict:
	"""`order_income` of a get_escrow_detail response (whole envelope or its `response`)."""
	payload = escrow["response"] if isinstance(escrow.get("response"), dict) else escrow
	if payload.get("order_sn") and order_sn and payload["order_sn"] != order_sn:
		raise ValueError(f"Escrow detail is for order {payload['order_sn']}, not {order_sn}")
	income = payload.get("order_income")
	if not isinstance(income, dict):
		raise ValueError(f"Escrow detail for order {order_sn} has no order_income")
	return income


def _price_from_order(order: dict, lines: list[OrderLine], currency: str) -> PricedOrder:
	"""Without escrow: bundle lines share what is left of total_amount, and any gap is shipping or discount.

	The order detail does not say who funded vouchers and coins, nor what the buyer paid for shipping,
	so the grand total is what the buyer paid: an excess over the lines is booked as shipping, a
	shortfall as seller discount, and nothing as Shopee-funded (source "order" marks this estimate).
	"""
	totals = [None if line.is_bundle else line.unit_price * line.qty for line in lines]
	priced_total = sum((total for total in totals if total is not None), ZERO)
	bundle_list_price = sum((line.original_price * line.qty for line in lines if line.is_bundle), ZERO)
	buyer_paid = _buyer_paid(order, currency)
	if buyer_paid is None:
		bundle_total = bundle_list_price
	else:
		bundle_total = min(max(buyer_paid - priced_total, ZERO), bundle_list_price)
	totals = _fill_unpriced(order, lines, totals, bundle_total, currency)
	items_total = sum(totals, ZERO)
	if buyer_paid is None:
		buyer_paid = items_total
	gap = buyer_paid - items_total
	return _priced(lines, totals, currency, max(-gap, ZERO), max(gap, ZERO), ZERO, buyer_paid, "order")


def _price_from_escrow(order: dict, lines: list[OrderLine], income: dict, currency: str) -> PricedOrder:
	"""With escrow: explicit seller/Shopee-funded amounts, checked against what the buyer paid."""

	def amount(key: str) -> Decimal:
		return quantize(income.get(key), currency)

	matched = _match_escrow_items(lines, income.get("items") or [])
	totals = [_escrow_line_total(line, item, currency) for line, item in zip(lines, matched, strict=True)]
	seller_discount = sum((amount(key) for key in SELLER_FUNDED_KEYS), ZERO)
	shopee_funded = sum((amount(key) for key in SHOPEE_FUNDED_KEYS), ZERO) - amount("seller_coin_cash_back")
	shipping = amount("buyer_paid_shipping_fee")
	buyer_paid = _buyer_paid(order, currency)
	if buyer_paid is None:
		buyer_paid = amount("buyer_total_amount")
	items_target = buyer_paid + shopee_funded + seller_discount - shipping
	priced_total = sum((total for total in totals if total is not None), ZERO)
	totals = _fill_unpriced(order, lines, totals, items_target - priced_total, currency)
	priced = _priced(lines, totals, currency, seller_discount, shipping, shopee_funded, buyer_paid, "escrow")
	_check_totals(order, priced)
	return priced


def _escrow_line_total(line: OrderLine, item: dict | None, currency: str) -> Decimal | None:
	"""Line subtotal plus Shopee's item rebate; None for a bundle line the escrow does not list."""
	rebate = quantize(item.get("shopee_discount"), currency) if item else ZERO
	if not line.is_bundle:
		return line.unit_price * line.qty + rebate
	if item is None:
		return None
	return quantize(item.get("discounted_price"), currency) + rebate


def _match_escrow_items(lines: list[OrderLine], items: list[dict]) -> list[dict | None]:
	"""The escrow item of each line by (item_id, model_id), taken in order when a pair repeats."""
	pool: dict[tuple[str, str], list[dict]] = {}
	for item in items:
		key = (id_text(item.get("item_id")), id_text(item.get("model_id"), default="0"))
		pool.setdefault(key, []).append(item)
	matched = []
	for line in lines:
		candidates = pool.get((line.item_id, line.model_id))
		matched.append(candidates.pop(0) if candidates else None)
	return matched


def _fill_unpriced(
	order: dict, lines: list[OrderLine], totals: list, remaining: Decimal, currency: str
) -> list[Decimal]:
	"""Give the lines without a total their share of `remaining`, weighted by list price x qty."""
	unpriced = [i for i, total in enumerate(totals) if total is None]
	if not unpriced:
		return totals
	if remaining < 0:
		raise OrderTotalMismatchError(
			f"Order {order.get('order_sn')}: bundle lines would get a negative total ({remaining})"
		)
	shares = allocate(remaining, [lines[i].original_price * lines[i].qty for i in unpriced], currency)
	filled = list(totals)
	for i, share in zip(unpriced, shares, strict=True):
		filled[i] = share
	return filled


def _buyer_paid(order: dict, currency: str) -> Decimal | None:
	"""total_amount, or None while it is not known (Shopee only sends it once the order is paid)."""
	if order.get("order_status") == "UNPAID" or order.get("total_amount") is None:
		return None
	return quantize(order["total_amount"], currency)


def _priced(lines, totals, currency, seller_discount, shipping, shopee_funded, buyer_paid, source):
	"""A PricedOrder with every amount rounded to the currency's step."""
	return PricedOrder(
		currency=currency,
		lines=lines,
		line_totals=[quantize(total, currency) for total in totals],
		seller_discount=quantize(seller_discount, currency),
		shipping=quantize(shipping, currency),
		shopee_funded=quantize(shopee_funded, currency),
		buyer_paid=quantize(buyer_paid, currency),
		source=source,
	)


def _check_totals(order: dict, priced: PricedOrder) -> None:
	"""Raise when lines - seller discount + shipping differs from buyer paid + Shopee-funded."""
	items_total = sum(priced.line_totals, ZERO)
	booked = items_total - priced.seller_discount + priced.shipping
	if booked != priced.grand_total:
		raise OrderTotalMismatchError(
			f"Order {order.get('order_sn')}: lines {items_total} - seller discount {priced.seller_discount}"
			f" + shipping {priced.shipping} = {booked}, but buyer paid {priced.buyer_paid}"
			f" + Shopee-funded {priced.shopee_funded} = {priced.grand_total}"
		)
