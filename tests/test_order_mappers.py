"""Shopee order mappers: hand-checked golden files in tests/fixtures/orders, plus focused rules.

The expected files are written and checked by hand; nothing regenerates them from the code.
"""

import copy
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from shopee_bridge.mappers.money import allocate, currency_step, quantize, split_line, to_decimal
from shopee_bridge.mappers.orders import (
	OrderTotalMismatchError,
	ShopContext,
	UnmappedSKUError,
	check_lines_mapped,
	customer_key,
	local_datetime,
	map_address,
	map_customer,
	map_lines,
	map_sales_order,
	order_stage,
	stages_to_apply,
	unmapped_lines,
)
from shopee_bridge.mappers.stages import is_active

FIXTURES = Path(__file__).parent / "fixtures" / "orders"
CASES = [
	"bundle_escrow",
	"bundle_no_escrow",
	"cancelled",
	"idr_whole",
	"masked_address",
	"missing_username",
	"multi_item",
	"shipping_fee",
	"single_item",
	"unmapped_sku",
	"vouchers_coins",
]
BOOKED_CASES = [case for case in CASES if case != "unmapped_sku"]


def load(case: str) -> tuple[dict, dict]:
	given = json.loads((FIXTURES / f"{case}.input.json").read_text())
	expected = json.loads((FIXTURES / f"{case}.expected.json").read_text())
	return given, expected


def lookup_for(item_map: dict):
	"""Item lookup over a fixture's map: SKU first, then "item_id:model_id"."""

	def lookup(item_id, model_id, sku):
		return item_map.get(sku) or item_map.get(f"{item_id}:{model_id}")

	return lookup


def book(case: str, **changes) -> dict:
	"""map_sales_order of a fixture, with top-level order fields replaced by `changes`."""
	given, _ = load(case)
	order = {**given["order"], **changes}
	return map_sales_order(
		order, given["escrow"], ShopContext(**given["shop"]), lookup_for(given["item_map"])
	)


def jsonable(value):
	if isinstance(value, Decimal):
		return str(value)
	if isinstance(value, date):
		return value.isoformat()
	if isinstance(value, dict):
		return {key: jsonable(item) for key, item in value.items()}
	if isinstance(value, list):
		return [jsonable(item) for item in value]
	return value


def test_golden_cases_are_all_present():
	assert sorted(p.name.removesuffix(".input.json") for p in FIXTURES.glob("*.input.json")) == CASES
	assert sorted(p.name.removesuffix(".expected.json") for p in FIXTURES.glob("*.expected.json")) == CASES


@pytest.mark.parametrize("case", CASES)
def test_golden(case):
	given, expected = load(case)
	shop, order, escrow = ShopContext(**given["shop"]), given["order"], given["escrow"]
	actual = {
		"stage": order_stage(order["order_status"]),
		"customer": map_customer(order, shop),
		"address": map_address(order, shop),
	}
	try:
		actual["sales_order"] = map_sales_order(order, escrow, shop, lookup_for(given["item_map"]))
	except UnmappedSKUError as error:
		actual["error"] = {"type": type(error).__name__, "skus": error.skus, "message": str(error)}
	assert jsonable(actual) == expected


MONEY_FIXTURES = Path(__file__).parent / "fixtures" / "money"
MONEY_CASES = sorted(p.name.removesuffix(".input.json") for p in MONEY_FIXTURES.glob("*.input.json"))
MONEY_KEYS = (
	"goods_amount",
	"seller_discount_amount",
	"shipping_charge",
	"sold_for",
	"buyer_paid_amount",
	"buyer_transaction_fee",
	"shopee_funded_amount",
	"amount_residual",
	"grand_total",
	"price_reading",
)


def assert_identity(sales_order: dict) -> None:
	"""The booking identity of pricing.py, exact and in the currency's steps."""
	lines_total = sum(row["rate"] * row["qty"] for row in sales_order["items"])
	assert lines_total == sales_order["goods_amount"]
	sold_for = lines_total - sales_order["seller_discount_amount"] + sales_order["shipping_charge"]
	assert sold_for == sales_order["sold_for"]
	buyer_side = (
		sales_order["buyer_paid_amount"]
		- sales_order["buyer_transaction_fee"]
		+ sales_order["shopee_funded_amount"]
	)
	assert buyer_side - sold_for == sales_order["amount_residual"]
	assert sales_order["grand_total"] == sold_for + sales_order["amount_residual"] == buyer_side
	step = currency_step(sales_order["currency"])
	amounts = [row["rate"] for row in sales_order["items"]] + [
		sales_order[key] for key in MONEY_KEYS if key != "price_reading"
	]
	assert all(
		isinstance(amount, Decimal) and amount.as_tuple().exponent == step.as_tuple().exponent
		for amount in amounts
	)


@pytest.mark.parametrize("case", BOOKED_CASES)
def test_money_identity(case):
	sales_order = book(case)
	assert_identity(sales_order)
	assert sales_order["amount_residual"] == 0


def test_money_cases_cover_the_issue():
	assert MONEY_CASES == [
		"bundle_rebate",
		"buyer_fee_idr",
		"no_sku_listing",
		"rebate_after",
		"rebate_before",
		"refund_full_before_sync",
		"refund_partial_before_sync",
		"residual_unknown_term",
	]


@pytest.mark.parametrize("case", MONEY_CASES)
def test_money_golden(case):
	"""Hand-computed bookings (tests/fixtures/money): rebates read either way, buyer fees, refunds."""
	given = json.loads((MONEY_FIXTURES / f"{case}.input.json").read_text())
	expected = json.loads((MONEY_FIXTURES / f"{case}.expected.json").read_text())["sales_order"]
	sales_order = map_sales_order(
		given["order"], given["escrow"], ShopContext(**given["shop"]), lookup_for(given["item_map"])
	)
	assert_identity(sales_order)
	actual = jsonable({key: sales_order[key] for key in MONEY_KEYS})
	actual["items"] = [
		{"item_code": row["item_code"], "qty": row["qty"], "rate": str(row["rate"])}
		for row in sales_order["items"]
	]
	assert actual == expected


def test_either_rebate_reading_books_the_same_sale():
	def booking(case):
		given = json.loads((MONEY_FIXTURES / f"{case}.input.json").read_text())
		sales_order = map_sales_order(
			given["order"], given["escrow"], ShopContext(**given["shop"]), lookup_for(given["item_map"])
		)
		return {
			key: value
			for key, value in sales_order.items()
			if key not in ("shopee_order_sn", "price_reading")
		}

	assert booking("rebate_after") == booking("rebate_before")


def test_a_refund_before_booking_never_shrinks_the_sale():
	given = json.loads((MONEY_FIXTURES / "refund_partial_before_sync.input.json").read_text())
	income = given["escrow"]["order_income"]
	unrefunded = copy.deepcopy(given["escrow"])
	unrefunded["order_income"].update(
		shopee_discount=income["original_shopee_discount"],
		cost_of_goods_sold=income["order_discounted_price"],
		seller_return_refund=0,
		drc_adjustable_refund=0,
	)
	shop, lookup = ShopContext(**given["shop"]), lookup_for(given["item_map"])
	refunded = map_sales_order(given["order"], given["escrow"], shop, lookup)
	assert refunded == map_sales_order(given["order"], unrefunded, shop, lookup)


@pytest.mark.parametrize("case", BOOKED_CASES)
def test_map_lines_matches_sales_order_items(case):
	given, _ = load(case)
	rows = map_lines(given["order"], given["escrow"], lookup_for(given["item_map"]))
	assert rows == book(case)["items"]


def test_map_lines_raises_for_unmapped_skus_only_after_checking_every_line():
	given, _ = load("unmapped_sku")
	calls = []

	def lookup(item_id, model_id, sku):
		calls.append((item_id, model_id, sku))
		return None

	with pytest.raises(UnmappedSKUError) as raised:
		map_lines(given["order"], None, lookup)
	assert len(calls) == 4
	assert calls[2] == ("24099990000", "0", None)
	assert raised.value.skus == ["PB-10K-BLK", "PB-10K-PNK", "item_id=24099990000 model_id=0", "PB-POUCH"]
	assert raised.value.order_sn == "240312SGUN0099"


def test_unmapped_lines_names_what_blocks_the_order_without_pricing_it():
	given, _ = load("unmapped_sku")
	assert unmapped_lines(given["order"], lambda item_id, model_id, sku: None) == [
		"PB-10K-BLK",
		"PB-10K-PNK",
		"item_id=24099990000 model_id=0",
		"PB-POUCH",
	]
	assert unmapped_lines(given["order"], lambda item_id, model_id, sku: sku != "PB-POUCH") == ["PB-POUCH"]
	multi, _ = load("multi_item")
	assert unmapped_lines(multi["order"], lookup_for(multi["item_map"])) == []
	check_lines_mapped(multi["order"], lookup_for(multi["item_map"]))
	with pytest.raises(UnmappedSKUError, match="PB-POUCH"):
		check_lines_mapped(given["order"], lambda item_id, model_id, sku: None)


def test_ids_beyond_float_precision_stay_exact():
	given, _ = load("single_item")
	order = copy.deepcopy(given["order"])
	order["item_list"][0].update(item_id=2**60 + 1, model_id=2**62 + 3)
	rows = map_lines(order, None, lambda item_id, model_id, sku: "X")
	assert (rows[0]["shopee_item_id"], rows[0]["shopee_model_id"]) == (
		"1152921504606846977",
		"4611686018427387907",
	)


def test_escrow_envelope_is_unwrapped():
	given, _ = load("vouchers_coins")
	envelope = {"request_id": "r1", "error": "", "message": "", "response": given["escrow"]}
	shop, lookup = ShopContext(**given["shop"]), lookup_for(given["item_map"])
	assert map_sales_order(given["order"], envelope, shop, lookup) == book("vouchers_coins")


def test_escrow_of_another_order_is_refused():
	given, _ = load("vouchers_coins")
	escrow = {**given["escrow"], "order_sn": "240505OTHER999"}
	with pytest.raises(ValueError, match="240505OTHER999"):
		map_sales_order(given["order"], escrow, ShopContext(**given["shop"]), lookup_for(given["item_map"]))


def test_escrow_that_does_not_add_up_is_booked_with_its_residual():
	sales_order = book("vouchers_coins", total_amount=66.0)
	assert_identity(sales_order)
	assert sales_order["sold_for"] == Decimal("72.50")
	assert sales_order["amount_residual"] == Decimal("-0.25")
	assert sales_order["grand_total"] == Decimal("72.25")


def test_negative_goods_cannot_be_booked():
	given, _ = load("vouchers_coins")
	escrow = copy.deepcopy(given["escrow"])
	escrow["order_income"]["original_cost_of_goods_sold"] = -1
	with pytest.raises(OrderTotalMismatchError, match="-1"):
		map_sales_order(given["order"], escrow, ShopContext(**given["shop"]), lookup_for(given["item_map"]))


def test_bundle_lines_missing_from_escrow_share_the_rest():
	given, _ = load("bundle_escrow")
	escrow = copy.deepcopy(given["escrow"])
	escrow["order_income"]["items"] = [
		item for item in escrow["order_income"]["items"] if not item["activity_type"]
	]
	sales_order = map_sales_order(
		given["order"], escrow, ShopContext(**given["shop"]), lookup_for(given["item_map"])
	)
	bundle_total = sum(row["rate"] * row["qty"] for row in sales_order["items"] if row["is_bundle"])
	# 64.30 paid + 0.50 coins - 4.90 shipping - 9.90 trimmer, split 40:18 by list price.
	assert bundle_total == Decimal("50.00")
	assert [(row["qty"], row["rate"]) for row in sales_order["items"] if row["is_bundle"]] == [
		(2, Decimal("17.24")),
		(1, Decimal("15.52")),
	]
	assert sales_order["grand_total"] == Decimal("64.80")


def test_unpaid_order_is_priced_at_list_prices_for_bundles():
	sales_order = book("bundle_no_escrow", order_status="UNPAID", total_amount=0)
	assert [row["rate"] for row in sales_order["items"]] == [
		Decimal("15.00"),
		Decimal("10.00"),
		Decimal("19.00"),
	]
	assert sales_order["buyer_paid_amount"] == sales_order["grand_total"] == Decimal("74.00")
	assert sales_order["seller_discount_amount"] == sales_order["shipping_charge"] == Decimal("0.00")


def test_currency_must_be_the_shops():
	given, _ = load("single_item")
	shop = ShopContext(**{**given["shop"], "currency": "MYR"})
	with pytest.raises(ValueError, match="SGD"):
		map_sales_order(given["order"], None, shop, lookup_for(given["item_map"]))


def test_delivery_date_falls_back_and_never_precedes_the_order():
	assert book("single_item", ship_by_date=0)["delivery_date"] == date(2024, 3, 11)
	assert book("single_item", ship_by_date=1710000000)["delivery_date"] == date(2024, 3, 11)


def test_local_datetime_is_naive_in_the_shop_zone():
	assert local_datetime(1716171300, "America/Sao_Paulo") == datetime(2024, 5, 19, 23, 15)
	assert local_datetime(1716171300, "Asia/Jakarta") == datetime(2024, 5, 20, 9, 15)


@pytest.mark.parametrize(
	("fields", "key"),
	[
		({"buyer_username": " tan.mei.ling ", "buyer_user_id": 5}, "tan.mei.ling"),
		({"buyer_username": "****", "buyer_user_id": 445566778}, "uid:445566778"),
		({"buyer_username": "", "buyer_user_id": 0}, "order:SN1"),
		({}, "order:SN1"),
	],
)
def test_customer_key_fallbacks(fields, key):
	assert customer_key({"order_sn": "SN1", **fields}) == key


def test_customer_without_any_buyer_id_is_named_after_the_order():
	shop = ShopContext(1, "SGD", "SG", "Shopee SG", "Singapore", "Asia/Singapore")
	customer = map_customer({"order_sn": "SN1", "buyer_username": "", "buyer_user_id": None}, shop)
	assert customer["customer_name"] == "Shopee buyer of order SN1"
	assert (customer["shopee_buyer_username"], customer["shopee_buyer_user_id"]) == ("order:SN1", None)


@pytest.mark.parametrize(
	("parts", "city"),
	[
		({"city": "Shah Alam", "state": "Selangor", "district": "D", "town": "T"}, "Shah Alam"),
		({"state": "Selangor", "district": "D", "town": "T"}, "Selangor"),
		({"district": "D", "town": "T"}, "D"),
		({"town": "T"}, "T"),
		({"zipcode": "40150"}, "-"),
	],
)
def test_city_fallback(parts, city):
	shop = ShopContext(1, "MYR", "MY", "Shopee MY", "Malaysia", "Asia/Kuala_Lumpur")
	address = map_address({"order_sn": "SN1", "recipient_address": parts}, shop)
	assert address["city"] == city
	assert address["country"] == "Malaysia"
	assert address["address_line1"]


def test_no_address_without_recipient():
	shop = ShopContext(1, "MYR", "MY", "Shopee MY", "Malaysia", "Asia/Kuala_Lumpur")
	assert map_address({"order_sn": "SN1"}, shop) is None
	assert map_address({"order_sn": "SN1", "recipient_address": {"name": " ", "region": ""}}, shop) is None


def test_unknown_region_is_refused():
	shop = ShopContext(1, "EUR", "ES", "Shopee ES", "Spain", "Europe/Madrid")
	with pytest.raises(ValueError, match="'ES'"):
		map_address({"order_sn": "SN1", "recipient_address": {"city": "Madrid", "region": "ES"}}, shop)


def test_address_dedupe_key_ignores_spacing_and_case_but_not_the_buyer():
	given, _ = load("masked_address")
	shop, order = ShopContext(**given["shop"]), given["order"]
	respaced = {
		**order,
		"recipient_address": {k: f" {v.lower()}  " for k, v in order["recipient_address"].items()},
	}
	other_buyer = {**order, "buyer_username": "someone.else"}
	key = map_address(order, shop)["dedupe_key"]
	assert map_address(respaced, shop)["dedupe_key"] == key
	assert map_address(other_buyer, shop)["dedupe_key"] != key


@pytest.mark.parametrize(
	("status", "stage"),
	[
		("UNPAID", "skip"),
		("INVOICE_PENDING", "skip"),
		("PENDING", "skip"),
		("READY_TO_SHIP", "order"),
		("PROCESSED", "order"),
		("RETRY_SHIP", "order"),
		("SHIPPED", "delivered"),
		("TO_CONFIRM_RECEIVE", "delivered"),
		("COMPLETED", "completed"),
		("TO_RETURN", "completed"),
		("IN_CANCEL", "cancelled"),
		("CANCELLED", "cancelled"),
		("SOMETHING_NEW", "skip"),
		(None, "skip"),
	],
)
def test_order_stage(status, stage):
	assert order_stage(status) == stage


def test_unpaid_orders_can_be_booked():
	assert order_stage("UNPAID", book_unpaid=True) == "draft"
	assert order_stage("PENDING", book_unpaid=True) == "skip"


@pytest.mark.parametrize(
	("done", "target", "at_shipment", "todo"),
	[
		([], "completed", False, ["sales_order", "delivery_note", "sales_invoice"]),
		([], "completed", True, ["sales_order", "delivery_note", "sales_invoice"]),
		(["sales_order"], "completed", False, ["delivery_note", "sales_invoice"]),
		(["sales_order", "delivery_note", "sales_invoice"], "completed", False, []),
		([], "delivered", False, ["sales_order", "delivery_note"]),
		([], "delivered", True, ["sales_order", "delivery_note", "sales_invoice"]),
		(["sales_order", "delivery_note"], "delivered", True, ["sales_invoice"]),
		([], "order", False, ["sales_order"]),
		(["sales_order", "delivery_note"], "order", False, []),
		([], "skip", False, []),
		([], "cancelled", False, []),
		(["sales_order"], "cancelled", False, ["cancel"]),
		(["sales_order", "delivery_note"], "cancelled", False, ["cancel"]),
		(["sales_order", "cancel"], "cancelled", False, []),
		(["sales_order", "cancel"], "completed", False, []),
		([], "draft", False, []),
		(["sales_order_draft"], "draft", False, []),
		(["sales_order_draft"], "order", False, ["sales_order"]),
		(["sales_order_draft"], "cancelled", False, ["cancel"]),
	],
)
def test_stages_to_apply(done, target, at_shipment, todo):
	assert stages_to_apply(done, target, invoice_at_shipment=at_shipment) == todo


def test_ready_to_ship_jumping_to_completed_applies_each_stage_once():
	done = ["sales_order"]
	assert stages_to_apply(done, order_stage("READY_TO_SHIP")) == []
	todo = stages_to_apply(done, order_stage("COMPLETED"))
	assert todo == ["delivery_note", "sales_invoice"]
	assert stages_to_apply(done + todo, order_stage("COMPLETED")) == []


@pytest.mark.parametrize(
	("status", "active"),
	[
		("READY_TO_SHIP", True),
		("SHIPPED", True),
		("COMPLETED", True),
		("IN_CANCEL", False),
		("CANCELLED", False),
		("UNPAID", False),
	],
)
def test_a_cancelled_order_is_reinstated_only_when_shopee_reports_it_active(status, active):
	# IN_CANCEL → READY_TO_SHIP happens when the seller rejects the buyer's cancellation request
	assert is_active(order_stage(status)) is active


def test_stages_to_apply_rejects_unknown_names():
	with pytest.raises(ValueError, match="shipment"):
		stages_to_apply(["shipment"], "completed")
	with pytest.raises(ValueError, match="returned"):
		stages_to_apply([], "returned")


def test_to_decimal_keeps_the_json_text():
	assert to_decimal(19.9) == Decimal("19.9")
	assert to_decimal(0.1 + 0.2) == Decimal("0.30000000000000004")
	assert to_decimal(None) == to_decimal("") == Decimal(0)
	with pytest.raises(ValueError):
		to_decimal("abc")
	with pytest.raises(ValueError):
		to_decimal(True)


def test_quantize_per_currency():
	assert quantize(2.675, "SGD") == Decimal("2.68")
	assert str(quantize(125000.0, "IDR")) == "125000"
	assert str(quantize(48000.5, "VND")) == "48001"
	assert str(quantize(-0.001, "MYR")) == "0.00"
	assert str(quantize(349, "twd")) == "349"


@pytest.mark.parametrize("currency", ["MYR", "IDR"])
def test_allocate_and_split_add_up_exactly(currency):
	step = currency_step(currency)
	for total_units in (0, 1, 7, 4999, 123457):
		total = total_units * step
		for weights in (
			[Decimal(45), Decimal(10)],
			[Decimal(1)] * 3,
			[Decimal(0), Decimal(0)],
			[Decimal("0.5")],
		):
			parts = allocate(total, weights, currency)
			assert sum(parts) == total and all(part >= 0 for part in parts)
		for qty in (1, 2, 3, 7):
			rows = split_line(total, qty, currency)
			assert sum(q * rate for q, rate in rows) == total
			assert sum(q for q, _ in rows) == qty and len(rows) <= 2


def test_every_paid_harsh_sandbox_order_books_with_zero_residual():
	"""The mapper on a harsh sandbox (SGD after-rebate, IDR before-rebate shops): every paid order closes."""
	from shopee_bridge.mappers.pricing import price_order
	from shopee_bridge.sandbox.data import Dataset

	shops = [
		{"shop_id": 1, "region": "SG", "currency": "SGD"},
		{"shop_id": 2, "region": "ID", "currency": "IDR", "item_prices": "before_rebate"},
	]
	dataset = Dataset(seed=11, orders=600, shops=shops, harsh=True)
	readings, fees = set(), 0
	for index in range(len(dataset)):
		order = dataset.order_detail(index, {"item_list", "total_amount"})
		if order["order_status"] == "UNPAID":
			continue
		escrow = json.loads(json.dumps(dataset.escrow_detail(index), default=str))
		priced = price_order(json.loads(json.dumps(order, default=str)), escrow, order["currency"])
		assert priced.residual == 0, order["order_sn"]
		assert priced.goods == Decimal(str(escrow["order_income"]["original_cost_of_goods_sold"]))
		readings.add(priced.reading)
		fees += priced.buyer_fee > 0
	assert {"after_rebate", "before_rebate"} <= readings and fees
