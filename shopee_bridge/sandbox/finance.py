"""Escrow, returns and wallet views of the sandbox data, derived from the per-order facts."""

import random
from decimal import Decimal
from typing import NamedTuple

from shopee_bridge.sandbox.catalogue import line_identity, mix, to_money

DAY = 86400
TO_RETURN_STATES = ("REQUESTED", "PROCESSING", "JUDGING", "SELLER_DISPUTE")
SETTLED_RETURN_STATES = ("ACCEPTED", "ACCEPTED", "CLOSED", "CANCELLED")
RETURN_REASONS = ("NOT_RECEIPT", "WRONG_ITEM", "ITEM_DAMAGED", "CHANGE_MIND", "ITEM_MISSING")
WITHDRAWAL_EVERY_DAYS = 3
TRANSACTION_TYPES = {
	"ESCROW_VERIFIED_ADD": 101,
	"ESCROW_VERIFIED_MINUS": 102,
	"WITHDRAWAL_CREATED": 201,
	"WITHDRAWAL_COMPLETED": 202,
	"WITHDRAWAL_CANCELLED": 203,
}
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
	"""The compact index row of one return."""

	return_sn: str
	order_index: int
	create_time: int
	update_time: int
	status: str


def escrow_amount(money: dict, refund: Decimal) -> Decimal:
	"""Shopee's escrow formula (local shop) over the components the sandbox uses."""
	original_cogs = money["order_discounted_price"] + money["shopee_discount"]
	return (
		original_cogs
		- money["shopee_discount"]
		- refund
		+ money["shopee_discount"]
		- money["voucher_from_seller"]
		+ money["buyer_paid_shipping_fee"]
		- money["actual_shipping_fee"]
		+ money["shopee_shipping_rebate"]
		- money["seller_transaction_fee"]
		- money["service_fee"]
		- money["commission_fee"]
	)


def escrow_detail(facts: dict, return_sns: list[str], refund: Decimal) -> dict:
	"""get_escrow_detail's response for one order; refund is an accepted return's refund amount."""
	money = facts["money"]
	escrow = escrow_amount(money, refund)
	income = {
		"escrow_amount": escrow,
		"escrow_amount_after_adjustment": escrow,
		"buyer_total_amount": money["buyer_total_amount"],
		"original_cost_of_goods_sold": money["order_discounted_price"] + money["shopee_discount"],
		"cost_of_goods_sold": money["order_discounted_price"],
		"original_shopee_discount": money["shopee_discount"],
		"order_seller_discount": money["seller_discount"],
		"seller_return_refund": -refund,
		"drc_adjustable_refund": -refund,
		"estimated_shipping_fee": money["actual_shipping_fee"],
		"final_shipping_fee": money["buyer_paid_shipping_fee"]
		- money["actual_shipping_fee"]
		+ money["shopee_shipping_rebate"],
		"credit_card_transaction_fee": money["seller_transaction_fee"],
		"buyer_payment_method": facts["payment_method"],
		"seller_voucher_code": ["SBXSELLER10"] if money["voucher_from_seller"] else [],
		"items": [_escrow_item(line) for line in facts["lines"]],
	}
	income.update({key: value for key, value in money.items() if key not in income})
	income.update(dict.fromkeys(ZERO_INCOME_FIELDS, Decimal(0)))
	return {
		"order_sn": facts["entry"].order_sn,
		"buyer_user_name": facts["buyer"]["username"],
		"return_order_sn_list": return_sns,
		"order_income": income,
		"buyer_payment_info": _buyer_payment(facts),
	}


def _escrow_item(line: dict) -> dict:
	"""One escrow line; like Shopee, the prices are line subtotals (unit price x quantity)."""
	bundle = line["promotion_type"] == "bundle_deal"
	return {
		**line_identity(line),
		"original_price": line["original_total"],
		"selling_price": line["selling_total"],
		"discounted_price": line["discounted_total"],
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
	seed: int, index: int, status: str, create: int, update: int, anchor: int
) -> ReturnEntry | None:
	"""The return of an order, if it has one: every TO_RETURN order and ~12% of COMPLETED ones."""
	decision = mix(seed, index, 0x2E7)
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
	return_sn = f"{mix(seed, index, 0x2E8) % 10**9:09d}{index:06d}"
	return ReturnEntry(return_sn, index, opened, max(opened, closed), state)


def return_refund(seed: int, ret: ReturnEntry, facts: dict) -> tuple[dict, int, Decimal]:
	"""(returned line, quantity, refund amount) of a return; the refund never exceeds the order total."""
	rng = random.Random(mix(seed, ret.order_index, 0x2E9))
	line = rng.choice(facts["lines"])
	quantity = rng.randint(1, line["quantity"])
	refund = line["discounted_total"] * quantity / line["quantity"]
	refund = to_money(refund, facts["decimals"])
	return line, quantity, min(refund, facts["money"]["buyer_total_amount"])


def accepted_refund(seed: int, ret: ReturnEntry | None, facts: dict) -> Decimal:
	"""The amount an accepted return takes back from the seller's escrow (0 otherwise)."""
	if ret is None or ret.status != "ACCEPTED":
		return Decimal(0)
	return return_refund(seed, ret, facts)[2]


def return_view(seed: int, ret: ReturnEntry, facts: dict, detail: bool = False) -> dict:
	"""A get_return_list row, or with detail=True the get_return_detail response."""
	line, quantity, refund = return_refund(seed, ret, facts)
	decision = mix(seed, ret.order_index, 0x2EA)
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
	view = {
		"return_sn": ret.return_sn,
		"order_sn": facts["entry"].order_sn,
		"status": ret.status,
		"create_time": ret.create_time,
		"update_time": ret.update_time,
		"due_date": ret.create_time + 3 * DAY,
		"refund_amount": refund,
		"currency": facts["entry"].shop["currency"],
		"amount_before_discount": line["selling_total"] * quantity / line["quantity"],
		"reason": RETURN_REASONS[decision % len(RETURN_REASONS)],
		"text_reason": "Sandbox return",
		"tracking_number": f"RTN{decision % 10**10:010d}",
		"needs_logistics": decision % 3 != 0,
		"user": {"username": facts["buyer"]["username"], "email": "", "portrait": ""},
		"item": [item],
		"return_solution": 0 if decision % 3 != 0 else 1,
		"return_refund_request_type": 0,
		"validation_type": "seller_validation",
	}
	if detail:
		view.update(_return_extras(ret, refund))
	return view


def _return_extras(ret: ReturnEntry, refund: Decimal) -> dict:
	open_state = ret.status in TO_RETURN_STATES
	return {
		"negotiation": {
			"negotiation_status": "PENDING_RESPOND" if open_state else "TERMINATED",
			"latest_solution": "RETURN_REFUND",
			"latest_offer_amount": refund,
			"offer_due_date": ret.create_time + 3 * DAY,
		},
		"seller_proof": {"seller_proof_status": "PENDING" if open_state else "NOT_NEEDED"},
		"seller_compensation": {"seller_compensation_status": "NOT_REQUIRED"},
		"reverse_logistics_status": "LOGISTICS_PENDING_ARRANGE" if open_state else "LOGISTICS_DELIVERY_DONE",
	}


def withdrawal_times(anchor: int, first_time: int) -> list[int]:
	"""Withdrawal moments, every few days at 10:00 UTC, from the data's start to the anchor, ascending."""
	moment = anchor - anchor % DAY + 10 * 3600
	moment = moment if moment <= anchor else moment - WITHDRAWAL_EVERY_DAYS * DAY
	times = []
	while moment >= first_time:
		times.append(moment)
		moment -= WITHDRAWAL_EVERY_DAYS * DAY
	return times[::-1]


def escrow_row(index: int, order_sn: str, time: int, amount: Decimal, balance: Decimal) -> dict:
	"""The ESCROW_VERIFIED_ADD (or _MINUS when negative) wallet row of one completed order."""
	kind = "ESCROW_VERIFIED_ADD" if amount >= 0 else "ESCROW_VERIFIED_MINUS"
	row = _wallet_row(200_000_000 + index, kind, amount, balance, time, order_sn)
	row["description"] = f"Income from order {order_sn}"
	return row


def withdrawal_row(shop_no: int, number: int, time: int, amount: Decimal) -> dict:
	"""The WITHDRAWAL_CREATED wallet row that empties the balance (the amount is negative)."""
	withdrawal_id = 60_000_000 + shop_no * 100_000 + number
	row = _wallet_row(900_000_000 + shop_no * 100_000 + number, "WITHDRAWAL_CREATED", amount, 0, time)
	row.update(withdrawal_id=withdrawal_id, root_withdrawal_id=withdrawal_id, withdrawal_type="MANUAL")
	row["description"] = "Withdrawal to bank account"
	return row


def _wallet_row(transaction_id, kind, amount, balance, time, order_sn="") -> dict:
	return {
		"transaction_id": transaction_id,
		"status": "COMPLETED",
		"transaction_type": kind,
		"amount": amount,
		"current_balance": Decimal(balance),
		"create_time": time,
		"order_sn": order_sn,
		"refund_sn": "",
		"withdrawal_type": "",
		"withdrawal_id": 0,
		"root_withdrawal_id": 0,
		"transaction_fee": Decimal(0),
		"reason": "",
		"buyer_name": "",
	}
