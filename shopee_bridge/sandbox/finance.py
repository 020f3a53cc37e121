"""Escrow and returns views of the sandbox data, derived from the per-order facts (the wallet: wallet.py)."""

import random
from decimal import Decimal
from typing import NamedTuple

from shopee_bridge.sandbox.catalogue import line_identity, mix, to_money

DAY = 86400
TO_RETURN_STATES = ("REQUESTED", "PROCESSING", "JUDGING", "SELLER_DISPUTE")
NEGOTIABLE_STATES = ("REQUESTED", "PROCESSING")
SETTLED_RETURN_STATES = ("ACCEPTED", "ACCEPTED", "CLOSED", "CANCELLED")
RETURN_REASONS = ("NOT_RECEIPT", "WRONG_ITEM", "ITEM_DAMAGED", "CHANGE_MIND", "ITEM_MISSING")
# How a harsh completed order's escrow ends after an accepted return (ReturnEntry.ending):
ZERO_ESCROW = "zero_escrow"  # full refund, fees waived: Shopee releases nothing and writes no wallet row
RETURN_SHIPPING = "return_shipping"  # the same, but the seller pays the return parcel: escrow is minus it
OVER_REFUND = "over_refund"  # a partial refund larger than what Shopee owed: escrow negative
FULL_ENDINGS = (ZERO_ESCROW, RETURN_SHIPPING)
# per 100 harsh completed orders: (ending, how many), on top of the ordinary returns
ENDING_SHARES = ((ZERO_ESCROW, 3), (RETURN_SHIPPING, 2), (OVER_REFUND, 2))
ZERO_INCOME_FIELDS = (
	"seller_coin_cash_back",
	"payment_promotion",
	"credit_card_promotion",
	"shipping_fee_discount_from_3pl",
	"seller_shipping_discount",
	"reverse_shipping_fee",
	"final_return_to_seller_shipping_fee",
	"seller_lost_compensation",
	"buyer_transaction_fee",
	"campaign_fee",
	"order_ams_commission_fee",
	"seller_order_processing_fee",
	"escrow_tax",
	"withholding_tax",
	"total_adjustment_amount",
)


class ReturnEntry(NamedTuple):
	"""The compact index row of one return; a full return takes back every unit of the order.

	`refund` is the amount agreed in a negotiation (None: the returned units' value) and `solution`
	the solution it settled on (None: as the buyer requested; 0 return and refund, 1 refund only).
	`ending` is how the order's escrow ends once the return is accepted (ZERO_ESCROW, RETURN_SHIPPING,
	OVER_REFUND; "": the refund of the returned units, fees kept).
	"""

	return_sn: str
	order_index: int
	create_time: int
	update_time: int
	status: str
	full: bool = False
	refund: Decimal | None = None
	solution: int | None = None
	ending: str = ""


class Refund(NamedTuple):
	"""What an accepted return takes back: the buyer's refund and the Shopee rebate on those units.

	`waived`: Shopee charges no fees (nor the seller's coin cash back) on an order refunded in full;
	`reverse_shipping`: the return parcel the seller pays for.
	"""

	amount: Decimal = Decimal(0)
	rebate: Decimal = Decimal(0)
	waived: bool = False
	reverse_shipping: Decimal = Decimal(0)


WAIVED_FEES = ("seller_coin_cash_back", "seller_transaction_fee", "service_fee", "commission_fee")


def escrow_amount(money: dict, refund: Refund) -> Decimal:
	"""Shopee's escrow formula (local shop) over the components the sandbox uses."""
	original_cogs = money["order_discounted_price"] + money["shopee_discount"]
	fees = Decimal(0) if refund.waived else sum((money.get(key, 0) for key in WAIVED_FEES), Decimal(0))
	return (
		original_cogs
		- money["shopee_discount"]
		- refund.amount
		+ money["shopee_discount"]
		- refund.rebate
		- money["voucher_from_seller"]
		+ money["buyer_paid_shipping_fee"]
		- money["actual_shipping_fee"]
		+ money["shopee_shipping_rebate"]
		- refund.reverse_shipping
		- fees
	)


def escrow_detail(facts: dict, return_sns: list[str], refund: Refund) -> dict:
	"""get_escrow_detail's response for one order, after any accepted refund.

	Like Shopee, a refund moves the "final" figures (shopee_discount, cost_of_goods_sold, escrow)
	while the original_* figures and items[] keep the sale.
	"""
	money = facts["money"]
	escrow = escrow_amount(money, refund)
	before_rebate = facts["item_prices"] == "before_rebate"
	goods = money["order_discounted_price"] + money["shopee_discount"]
	discounted = goods if before_rebate else money["order_discounted_price"]
	income = {
		"escrow_amount": escrow,
		"escrow_amount_after_adjustment": escrow,
		"buyer_total_amount": money["buyer_total_amount"],
		"order_discounted_price": discounted,
		"original_cost_of_goods_sold": goods,
		"cost_of_goods_sold": discounted - refund.amount,
		"shopee_discount": money["shopee_discount"] - refund.rebate,
		"original_shopee_discount": money["shopee_discount"],
		"order_seller_discount": money["seller_discount"],
		"seller_return_refund": -refund.amount,
		"drc_adjustable_refund": -refund.amount,
		"estimated_shipping_fee": money["actual_shipping_fee"],
		"final_shipping_fee": money["buyer_paid_shipping_fee"]
		- money["actual_shipping_fee"]
		+ money["shopee_shipping_rebate"],
		"credit_card_transaction_fee": money["seller_transaction_fee"],
		"reverse_shipping_fee": refund.reverse_shipping,
		"buyer_payment_method": facts["payment_method"],
		"seller_voucher_code": ["SBXSELLER10"] if money["voucher_from_seller"] else [],
		"items": [_escrow_item(line, before_rebate) for line in facts["lines"]],
	}
	if refund.waived:
		income.update({key: Decimal(0) for key in (*WAIVED_FEES, "credit_card_transaction_fee")})
	income.update({key: value for key, value in money.items() if key not in income})
	income.update({key: Decimal(0) for key in ZERO_INCOME_FIELDS if key not in income})
	return {
		"order_sn": facts["entry"].order_sn,
		"buyer_user_name": facts["buyer"]["username"],
		"return_order_sn_list": return_sns,
		"order_income": income,
		"buyer_payment_info": _buyer_payment(facts),
	}


def _escrow_item(line: dict, before_rebate: bool) -> dict:
	"""One escrow line; like Shopee, the prices are line subtotals (unit price x quantity)."""
	bundle = line["promotion_type"] == "bundle_deal"
	return {
		**line_identity(line),
		"original_price": line["original_total"],
		"selling_price": line["selling_total"],
		"discounted_price": line["seller_subtotal" if before_rebate else "discounted_total"],
		"seller_discount": line["seller_discount"],
		"shopee_discount": line["shopee_discount"],
		"discount_from_voucher_seller": line["voucher_from_seller"],
		"discount_from_voucher_shopee": line["voucher_from_shopee"],
		"discount_from_coin": line["coins"],
		"quantity_purchased": line["quantity"],
		"activity_type": "bundle_deal" if bundle else "",
		"activity_id": line["promotion_group_id"],
		"is_main_item": False,
	}


def _buyer_payment(facts: dict) -> dict:
	money = facts["money"]
	return {
		"buyer_payment_method": facts["payment_method"],
		"buyer_total_amount": money["buyer_total_amount"],
		"merchant_subtotal": money["order_discounted_price"],
		"shipping_fee": money["buyer_paid_shipping_fee"],
		"seller_voucher": money["voucher_from_seller"],
		"shopee_voucher": money["voucher_from_shopee"],
		"shopee_coins_redeemed": money["coins"],
		"credit_card_promotion": Decimal(0),
		"insurance_premium": Decimal(0),
		"buyer_service_fee": Decimal(0),
		"buyer_tax_amount": Decimal(0),
		"is_paid_by_credit_card": facts["payment_method"] == "Credit Card/Debit Card",
	}


def plan_return(
	seed: int, index: int, status: str, create: int, update: int, anchor: int, harsh: bool = False
) -> ReturnEntry | None:
	"""The return of an order, if it has one: every TO_RETURN order and ~12% of COMPLETED ones.

	In harsh mode a third of the returns take back the whole order, and a few more COMPLETED orders
	end with an accepted return that leaves their escrow at zero or below (ENDING_SHARES).
	"""
	decision = mix(seed, index, 0x2E7)
	ending = harsh_ending(seed, index) if harsh and status == "COMPLETED" else ""
	if ending:
		opened = min(anchor, create + 3 * DAY + decision % (3 * DAY))
		closed = min(anchor, max(opened, update) + (decision >> 8) % DAY)
		solution = 0 if ending == RETURN_SHIPPING else 1
		args = (return_sn_for(seed, index), index, opened, max(opened, closed), "ACCEPTED")
		return ReturnEntry(*args, full=True, solution=solution, ending=ending)
	if status == "COMPLETED" and decision % 100 < 12:
		state = SETTLED_RETURN_STATES[decision % len(SETTLED_RETURN_STATES)]
		opened = min(anchor, create + 3 * DAY + decision % (3 * DAY))
		closed = min(anchor, max(opened, update) + (decision >> 8) % DAY)
	elif status == "TO_RETURN":
		state = TO_RETURN_STATES[decision % len(TO_RETURN_STATES)]
		opened = update
		closed = min(anchor, opened + (decision >> 8) % DAY)
	else:
		return None
	full = harsh and decision % 3 == 1
	return ReturnEntry(return_sn_for(seed, index), index, opened, max(opened, closed), state, full)


def harsh_ending(seed: int, index: int) -> str:
	"""The escrow ending planned for a harsh completed order ("" for most)."""
	draw = mix(seed, index, 0x2EB) % 100
	for ending, share in ENDING_SHARES:
		if draw < share:
			return ending
		draw -= share
	return ""


def return_sn_for(seed: int, index: int) -> str:
	"""The return_sn of an order's return (an order has at most one)."""
	return f"{mix(seed, index, 0x2E8) % 10**9:09d}{index:06d}"


def opened_return(
	seed: int, index: int, now: int, full: bool = False, solution: int | None = None
) -> ReturnEntry:
	"""A return request the buyer opens now (REQUESTED); solution None lets the data decide it."""
	return ReturnEntry(return_sn_for(seed, index), index, now, now, "REQUESTED", full, None, solution)


def returned_units(seed: int, ret: ReturnEntry, facts: dict) -> list[tuple[dict, int, Decimal]]:
	"""(line, quantity, refund) of each returned line; the refunds never exceed what the buyer paid."""
	if ret.full:
		picked = [(line, line["quantity"]) for line in facts["lines"]]
	else:
		rng = random.Random(mix(seed, ret.order_index, 0x2E9))
		line = rng.choice(facts["lines"])
		picked = [(line, rng.randint(1, line["quantity"]))]
	left, units = facts["money"]["buyer_total_amount"], []
	for line, quantity in picked:
		refund = min(
			to_money(line["discounted_total"] * quantity / line["quantity"], facts["decimals"]), left
		)
		left -= refund
		units.append((line, quantity, refund))
	agreed = ret.refund if ret.refund is not None else ending_refund(ret, facts, units)
	if agreed is None:
		return units
	parts = _spread(agreed, [refund for _line, _quantity, refund in units], facts["decimals"])
	return [(line, quantity, part) for (line, quantity, _refund), part in zip(units, parts, strict=True)]


def ending_refund(ret: ReturnEntry, facts: dict, units: list) -> Decimal | None:
	"""The refund that makes the escrow end as ret.ending plans; None when the order cannot end so.

	A full refund gives back everything the seller got for the order before fees (escrow 0, or minus the
	return parcel); an over-refund is what Shopee owed plus part of its fees, so the fees make it negative.
	Either never exceeds what the buyer paid, nor the returned units' refund.
	"""
	money, step = facts["money"], Decimal(1).scaleb(-facts["decimals"])
	if ret.ending in FULL_ENDINGS:
		amount = (
			money["order_discounted_price"]
			- money["voucher_from_seller"]
			+ money["buyer_paid_shipping_fee"]
			- money["actual_shipping_fee"]
			+ money["shopee_shipping_rebate"]
		)
		return amount if 0 < amount <= money["buyer_total_amount"] else None
	if ret.ending == OVER_REFUND:
		owed = escrow_amount(money, Refund())
		amount = owed + max(to_money(money["commission_fee"] / 2, facts["decimals"]), step)
		fits = owed > 0 and amount <= sum(refund for _line, _quantity, refund in units)
		return amount if fits else None
	return None


def effective_ending(seed: int, ret: ReturnEntry, facts: dict) -> str:
	"""ret.ending when the order can end that way and no negotiation replaced its refund; else ""."""
	if not ret.ending or ret.refund is not None:
		return ""
	units = returned_units(seed, ret._replace(ending=""), facts)
	return ret.ending if ending_refund(ret, facts, units) is not None else ""


def _spread(amount: Decimal, weights: list[Decimal], decimals: int) -> list[Decimal]:
	"""amount split in proportion to weights, in the currency's steps, adding up exactly."""
	step = Decimal(1).scaleb(-decimals)
	units = int(to_money(amount, decimals) / step)
	if not sum(weights):
		weights = [Decimal(1)] * len(weights)
	exact = [Decimal(units) * weight / sum(weights) for weight in weights]
	parts = [int(share) for share in exact]
	for i in sorted(range(len(exact)), key=lambda i: (parts[i] - exact[i], i))[: units - sum(parts)]:
		parts[i] += 1
	return [part * step for part in parts]


def accepted_refund(seed: int, ret: ReturnEntry | None, facts: dict) -> Refund:
	"""What an accepted return takes back from the seller's escrow (nothing otherwise)."""
	if ret is None or ret.status != "ACCEPTED":
		return Refund()
	units = returned_units(seed, ret, facts)
	rebate = sum(
		to_money(line["shopee_discount"] * quantity / line["quantity"], facts["decimals"])
		for line, quantity, _refund in units
	)
	amount = Decimal(sum(refund for _line, _quantity, refund in units))
	ending = effective_ending(seed, ret, facts)
	if ending in FULL_ENDINGS:  # the whole order goes back: Shopee takes its whole rebate back too
		reverse = facts["money"]["actual_shipping_fee"] if ending == RETURN_SHIPPING else Decimal(0)
		return Refund(amount, Decimal(rebate), waived=True, reverse_shipping=reverse)
	if ret.refund is not None or ending:  # an agreed refund takes back the rebate in the same proportion
		full = sum(
			refund
			for _line, _quantity, refund in returned_units(seed, ret._replace(refund=None, ending=""), facts)
		)
		rebate = to_money(rebate * amount / full, facts["decimals"]) if full else Decimal(0)
	return Refund(amount, Decimal(rebate))


def return_view(
	seed: int, ret: ReturnEntry, facts: dict, detail: bool = False, state: dict | None = None
) -> dict:
	"""A get_return_list row, or with detail=True the get_return_detail response.

	`state` holds what seller actions changed (negotiation, dispute, reverse parcel); see returns_api.
	"""
	units = returned_units(seed, ret, facts)
	refund = sum(amount for _line, _quantity, amount in units)
	decision = mix(seed, ret.order_index, 0x2EA)
	needs_logistics = decision % 3 != 0 if ret.solution is None else ret.solution == 0
	items = [_return_item(line, quantity, amount, facts, detail) for line, quantity, amount in units]
	before_discount = sum(line["selling_total"] * quantity / line["quantity"] for line, quantity, _ in units)
	view = {
		"return_sn": ret.return_sn,
		"order_sn": facts["entry"].order_sn,
		"status": ret.status,
		"create_time": ret.create_time,
		"update_time": ret.update_time,
		"due_date": ret.create_time + 3 * DAY,
		"refund_amount": refund,
		"currency": facts["entry"].shop["currency"],
		"amount_before_discount": before_discount,
		"reason": RETURN_REASONS[decision % len(RETURN_REASONS)],
		"text_reason": "Sandbox return",
		"tracking_number": f"RTN{decision % 10**10:010d}" if needs_logistics else "",
		"needs_logistics": needs_logistics,
		"user": {"username": facts["buyer"]["username"], "email": "", "portrait": ""},
		"item": items,
		"return_solution": 0 if needs_logistics else 1,
		"return_refund_request_type": 0,
		"validation_type": "seller_validation",
	}
	if detail:
		view.update(_return_extras(ret, refund, needs_logistics, decision, facts["decimals"], state or {}))
	return view


def _return_item(line: dict, quantity: int, refund: Decimal, facts: dict, detail: bool) -> dict:
	item = {
		"item_id": line["product"]["item_id"],
		"model_id": line["unit"]["model_id"],
		"name": line["product"]["item_name"],
		"images": [],
		"amount": quantity,
		"item_price": to_money(line["discounted_total"] / line["quantity"], facts["decimals"]),
		"is_add_on_deal": False,
		"is_main_item": False,
		"item_sku": line["product"]["item_sku"],
		"variation_sku": line["unit"]["model_sku"],
	}
	if detail:
		item["refund_amount"] = refund
	return item


def _return_extras(
	ret: ReturnEntry, refund: Decimal, needs_logistics: bool, decision: int, decimals: int, state: dict
) -> dict:
	"""Negotiation, proofs, the buyer's evidence and the reverse parcel, after any seller action.

	Some buyers ask for a partial refund only (they keep the goods): their offer is half the refund.
	"""
	partial_ask = decision % 4 == 1 and needs_logistics
	negotiation = {
		"negotiation_status": "PENDING_RESPOND" if ret.status in NEGOTIABLE_STATES else "TERMINATED",
		"latest_solution": "REFUND" if partial_ask or not needs_logistics else "RETURN_REFUND",
		"latest_offer_amount": to_money(refund / 2, decimals) if partial_ask else refund,
		"latest_offer_creator": "buyer",
		"counter_limit": 2,
		"offer_due_date": ret.create_time + 3 * DAY,
		**state.get("negotiation", {}),
	}
	open_state = ret.status in TO_RETURN_STATES
	return {
		"negotiation": negotiation,
		"seller_proof": {
			"seller_proof_status": state.get("seller_proof_status", "PENDING" if open_state else "NOT_NEEDED")
		},
		"seller_compensation": {"seller_compensation_status": "NOT_REQUIRED"},
		"reverse_logistics_status": state.get(
			"reverse_logistics_status", _reverse_status(ret, needs_logistics)
		),
		"image": [
			f"https://sandbox.invalid/returns/{ret.return_sn}/{n}.jpg" for n in range(1 + decision % 3)
		],
		"buyer_videos": [
			{
				"thumbnail_url": f"https://sandbox.invalid/returns/{ret.return_sn}/video.jpg",
				"video_url": f"https://sandbox.invalid/returns/{ret.return_sn}/video.mp4",
			}
		]
		if decision % 5 == 0
		else [],
		"dispute_reason": state.get("dispute_reason", []),
		"dispute_text_reason": state.get("dispute_text_reason", []),
		"return_ship_due_date": ret.create_time + 5 * DAY if needs_logistics else 0,
		"return_seller_due_date": ret.create_time + 8 * DAY if needs_logistics else 0,
	}


def _reverse_status(ret: ReturnEntry, needs_logistics: bool) -> str:
	"""Where the parcel coming back is: generated ACCEPTED returns have it back already."""
	if not needs_logistics:
		return ""
	if ret.status in TO_RETURN_STATES:
		return "LOGISTICS_PENDING_ARRANGE"
	return "LOGISTICS_DELIVERY_DONE" if ret.status == "ACCEPTED" else "LOGISTICS_NOT_START"
