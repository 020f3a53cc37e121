"""What each order line and the whole order sold for: the booking identity.

The anchor is Shopee's escrow formula (shopee-api.md §9.1), which begins

    escrow_amount = original_cost_of_goods_sold - original_shopee_discount + seller_return_refund
                    + shopee_discount - voucher_from_seller - seller_coin_cash_back
                    + buyer_paid_shipping_fee - ... fees

so `original_cost_of_goods_sold` ("goods") is the goods at the seller's prices: after the seller's
item discounts and bundle deals, before Shopee's item rebate, which the seller keeps. The booking
identity, each term named as in Shopee's reference:

    sold_for = original_cost_of_goods_sold - voucher_from_seller + buyer_paid_shipping_fee
             = buyer_paid - buyer_transaction_fee
               + voucher_from_shopee + coins + original_shopee_discount + payment_promotion

- buyer_paid is the order's `total_amount` (escrow `buyer_total_amount` while it is absent).
- `buyer_transaction_fee` is charged to the buyer inside `total_amount`, but the escrow formula never
  credits it to the seller: it is not part of the sale.
- The Shopee-funded terms (vouchers, coins, the item rebate, payment promotions) are paid to the
  seller through escrow on the buyer's behalf.
- `seller_coin_cash_back` is coins the seller funds after the sale; the buyer's price does not
  change, so it is an escrow deduction like a fee (finance books it), not a discount on the sale.
- After a refund, escrow's final figures (`shopee_discount`, `cost_of_goods_sold`, `escrow_amount`)
  move while the `original_*` figures and `items[]` keep the sale: the sale is booked at original
  values and the refund becomes a credit note, never a smaller sale.

`residual` = right side - left side. Zero is the expected case; otherwise the order is still booked:
its lines, discount and shipping make `sold_for`, and the residual goes on the shop's "Shopee
difference" account, so the Sales Order total is the buyer side and the order is flagged.

Lines split `goods` using escrow `items[]` (line subtotals). Shopee's reference does not settle
whether `items[].discounted_price` (and `model_discounted_price`) are before or after Shopee's item
rebate, so the figures decide:
- Σ (discounted_price + shopee_discount) = goods: prices are after the rebate; a line is its
  subtotal plus its rebate;
- Σ discounted_price = goods: prices are before the rebate; a line is its subtotal;
- otherwise the lines escrow lists keep subtotal + rebate (Shopee's item identity
  original_price - seller_discount - shopee_discount = discounted_price) and the rest of goods is
  shared by the others in proportion to their order prices (list prices on bundle lines), or all of
  goods is shared in proportion to the lines' subtotals when that rest would be negative.
Either way the lines add up to goods exactly.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from shopee_bridge.mappers import shape
from shopee_bridge.mappers.money import ZERO, allocate, quantize

SHOPEE_FUNDED_TERMS = ("voucher_from_shopee", "coins", "original_shopee_discount", "payment_promotion")
AFTER_REBATE, BEFORE_REBATE, SHARED, ORDER_ONLY = "after_rebate", "before_rebate", "shared", "order"


class OrderTotalMismatchError(ValueError):
	"""Shopee's figures cannot make a sale at all (e.g. negative goods); the order cannot be booked."""


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
	model_name: str = ""


@dataclass(frozen=True)
class PricedOrder:
	currency: str
	lines: list[OrderLine]
	line_totals: list[Decimal]
	seller_discount: Decimal
	shipping: Decimal
	buyer_paid: Decimal
	buyer_fee: Decimal = ZERO
	shopee_funded_terms: dict = field(default_factory=dict)
	reading: str = ORDER_ONLY

	@property
	def goods(self) -> Decimal:
		return sum(self.line_totals, ZERO)

	@property
	def sold_for(self) -> Decimal:
		"""What the seller sold for: goods - seller-funded discounts + buyer-paid shipping."""
		return self.goods - self.seller_discount + self.shipping

	@property
	def shopee_funded(self) -> Decimal:
		return quantize(sum(self.shopee_funded_terms.values(), ZERO), self.currency)

	@property
	def buyer_side(self) -> Decimal:
		"""buyer paid - buyer transaction fee + Shopee-funded."""
		return self.buyer_paid - quantize(self.buyer_fee, self.currency) + self.shopee_funded

	@property
	def residual(self) -> Decimal:
		return self.buyer_side - self.sold_for

	@property
	def grand_total(self) -> Decimal:
		"""The Sales Order total: what the seller sold for plus any residual, i.e. the buyer side."""
		return self.sold_for + self.residual

	@property
	def source(self) -> str:
		return "order" if self.reading == ORDER_ONLY else "escrow"


def id_text(value, default: str = "") -> str:
	"""An int64 Shopee id as a string ("" or `default` when absent)."""
	return shape.shopee_id(value, "an item or model id", default)


def parse_lines(order: dict, currency: str) -> list[OrderLine]:
	"""The order's item_list as OrderLines; lines with no quantity left are dropped."""
	lines = []
	for item in shape.list_of_dicts(shape.require_dict(order, "The order").get("item_list"), "item_list"):
		qty = shape.whole_number(item.get("model_quantity_purchased"), "model_quantity_purchased", 0)
		if qty <= 0:
			continue
		unit_price = quantize(item.get("model_discounted_price"), currency)
		original_price = quantize(item.get("model_original_price"), currency)
		is_bundle = item.get("promotion_type") == "bundle_deal" or (unit_price == 0 and original_price > 0)
		sku = shape.text(item.get("model_sku"), "model_sku") or shape.text(item.get("item_sku"), "item_sku")
		lines.append(
			OrderLine(
				item_id=id_text(item.get("item_id")),
				model_id=id_text(item.get("model_id"), default="0"),
				sku=sku or None,
				item_name=shape.text(item.get("item_name"), "item_name"),
				qty=qty,
				unit_price=unit_price,
				original_price=original_price,
				is_bundle=is_bundle,
				model_name=shape.text(item.get("model_name"), "model_name"),
			)
		)
	return lines


def price_order(order: dict, escrow: dict | None, currency: str) -> PricedOrder:
	"""The booking identity from the escrow breakdown when given, else an estimate from the order alone."""
	lines = parse_lines(order, currency)
	if escrow is None:
		return _price_from_order(order, lines, currency)
	return _price_from_escrow(order, lines, escrow_income(escrow, order.get("order_sn")), currency)


def escrow_income(escrow: dict, order_sn: str | None) -> dict:
	"""`order_income` of a get_escrow_detail response (whole envelope or its `response`)."""
	shape.require_dict(escrow, "The escrow detail")
	payload = escrow["response"] if isinstance(escrow.get("response"), dict) else escrow
	if payload.get("order_sn") and order_sn and payload["order_sn"] != order_sn:
		raise ValueError(f"Escrow detail is for order {payload['order_sn']}, not {order_sn}")
	income = payload.get("order_income")
	if not isinstance(income, dict):
		raise ValueError(f"Escrow detail for order {order_sn} has no order_income")
	shape.list_of_dicts(income.get("items"), "order_income.items")
	return income


def _price_from_order(order: dict, lines: list[OrderLine], currency: str) -> PricedOrder:
	"""Without escrow (an unpaid draft): bundle lines share what is left of total_amount.

	The order detail does not say who funded vouchers and coins, nor what the buyer paid for shipping,
	so the total is what the buyer paid: an excess over the lines is booked as shipping, a shortfall
	as seller discount, and nothing as Shopee-funded.
	"""
	totals = [None if line.is_bundle else line.unit_price * line.qty for line in lines]
	priced_total = sum((total for total in totals if total is not None), ZERO)
	bundle_list_price = sum((line.original_price * line.qty for line in lines if line.is_bundle), ZERO)
	buyer_paid = _buyer_paid(order, currency)
	if buyer_paid is None:
		bundle_total = bundle_list_price
	else:
		bundle_total = min(max(buyer_paid - priced_total, ZERO), bundle_list_price)
	unpriced = [i for i, total in enumerate(totals) if total is None]
	shares = allocate(bundle_total, [lines[i].original_price * lines[i].qty for i in unpriced], currency)
	for i, share in zip(unpriced, shares, strict=True):
		totals[i] = share
	items_total = sum(totals, ZERO)
	if buyer_paid is None:
		buyer_paid = items_total
	gap = buyer_paid - items_total
	return PricedOrder(
		currency=currency,
		lines=lines,
		line_totals=[quantize(total, currency) for total in totals],
		seller_discount=quantize(max(-gap, ZERO), currency),
		shipping=quantize(max(gap, ZERO), currency),
		buyer_paid=quantize(buyer_paid, currency),
		buyer_fee=quantize(ZERO, currency),
	)


def _price_from_escrow(order: dict, lines: list[OrderLine], income: dict, currency: str) -> PricedOrder:
	"""The identity from escrow: goods split over the lines, every other term read as Shopee names it."""

	def amount(key: str) -> Decimal:
		return quantize(income.get(key), currency)

	matched = _match_escrow_items(lines, income.get("items") or [])
	goods = _goods(income, lines, matched, currency)
	line_totals, reading = split_goods(goods, lines, matched, currency)
	terms = {key: amount(key) for key in SHOPEE_FUNDED_TERMS}
	if income.get("original_shopee_discount") is None:
		terms["original_shopee_discount"] = amount("shopee_discount")
	buyer_paid = _buyer_paid(order, currency)
	return PricedOrder(
		currency=currency,
		lines=lines,
		line_totals=line_totals,
		seller_discount=amount("voucher_from_seller"),
		shipping=amount("buyer_paid_shipping_fee"),
		buyer_paid=amount("buyer_total_amount") if buyer_paid is None else buyer_paid,
		buyer_fee=amount("buyer_transaction_fee"),
		shopee_funded_terms=terms,
		reading=reading,
	)


def _goods(income: dict, lines: list[OrderLine], matched: list[dict | None], currency: str) -> Decimal:
	"""original_cost_of_goods_sold; without it, the escrow items (subtotal + rebate) or the order lines."""
	if income.get("original_cost_of_goods_sold") is not None:
		goods = quantize(income["original_cost_of_goods_sold"], currency)
	elif matched and all(matched):
		goods = sum(_item_amount(item, "discounted_price", currency) for item in matched)
		goods += sum(_item_amount(item, "shopee_discount", currency) for item in matched)
	else:
		goods = sum((_order_weight(line) for line in lines), ZERO)
	if goods < 0:
		raise OrderTotalMismatchError(f"Escrow says the goods of the order sold for {goods}")
	return goods


def split_goods(
	goods: Decimal, lines: list[OrderLine], matched: list[dict | None], currency: str
) -> tuple[list[Decimal], str]:
	"""Line totals adding up to goods exactly, and which reading of the item prices made them."""
	if lines and all(matched):
		subtotals = [_item_amount(item, "discounted_price", currency) for item in matched]
		rebates = [_item_amount(item, "shopee_discount", currency) for item in matched]
		after = [subtotal + rebate for subtotal, rebate in zip(subtotals, rebates, strict=True)]
		if sum(after, ZERO) == goods:
			return after, AFTER_REBATE
		if sum(subtotals, ZERO) == goods:
			return subtotals, BEFORE_REBATE
	if any(matched) and not all(matched):
		totals = _fill_missing_lines(goods, lines, matched, currency)
		if totals is not None:
			return totals, SHARED
	weights = [
		_item_amount(item, "discounted_price", currency) if item else _order_weight(line)
		for line, item in zip(lines, matched, strict=True)
	]
	return allocate(goods, weights, currency), SHARED


def _fill_missing_lines(
	goods: Decimal, lines: list[OrderLine], matched: list[dict | None], currency: str
) -> list[Decimal] | None:
	"""Lines escrow lists keep subtotal + rebate; the others share the rest of goods (None if negative)."""
	totals = [
		_item_amount(item, "discounted_price", currency) + _item_amount(item, "shopee_discount", currency)
		if item
		else None
		for item in matched
	]
	rest = goods - sum((total for total in totals if total is not None), ZERO)
	if rest < 0:
		return None
	missing = [i for i, total in enumerate(totals) if total is None]
	for i, share in zip(
		missing, allocate(rest, [_order_weight(lines[i]) for i in missing], currency), strict=True
	):
		totals[i] = share
	return totals


def _item_amount(item: dict, key: str, currency: str) -> Decimal:
	return quantize(item.get(key), currency)


def _order_weight(line: OrderLine) -> Decimal:
	"""A line's value from the order detail alone: its price, or its list price on a bundle line."""
	return (line.original_price if line.is_bundle else line.unit_price) * line.qty


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


def _buyer_paid(order: dict, currency: str) -> Decimal | None:
	"""total_amount, or None while it is not known (Shopee only sends it once the order is paid)."""
	if order.get("order_status") == "UNPAID" or order.get("total_amount") is None:
		return None
	return quantize(order["total_amount"], currency)
