"""Property-based tests: malformed, truncated, wrongly typed, oversized and unicode-heavy input.

Every function that takes Shopee's JSON either returns a sound result or raises its own clear error
(a ValueError subclass naming what is wrong); nothing else escapes to become a 500 or an unclear
"KeyError" in a waiting row.
"""

import copy
import json
import time
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopee_bridge.auth import PushVerificationError, push_signature, verify_push
from shopee_bridge.mappers.escrow import order_income_record
from shopee_bridge.mappers.orders import ShopContext, map_address, map_customer, map_sales_order
from shopee_bridge.webhooks import MAX_INT32, MalformedPush, idempotency_key, parse_push

FIXTURES = Path(__file__).parent / "fixtures" / "orders"
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
	st.none(),
	st.booleans(),
	st.integers(min_value=-(2**70), max_value=2**70),
	st.floats(allow_nan=True, allow_infinity=True),
	st.text(max_size=300),
	st.text(alphabet=st.characters(min_codepoint=0x80), max_size=50),  # unicode-heavy
	st.sampled_from(["", "****", "0", "1e400", "NaN", "12.345", "-0", "\u202e\u0000"]),
)
json_values = st.recursive(
	scalars,
	lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
	max_leaves=12,
)


def _check_push(push) -> None:
	assert type(push.code) is int and 0 <= push.code <= MAX_INT32
	assert push.shop_id == "" or (push.shop_id.isdigit() and len(push.shop_id) <= 20)
	assert len(push.order_sn) <= 64
	assert push.timestamp is None or 0 <= push.timestamp <= MAX_INT32
	assert isinstance(push.data, dict)


@SETTINGS
@given(st.binary(max_size=2000))
def test_any_bytes_parse_to_a_push_or_malformed(raw):
	try:
		push = parse_push(raw)
	except MalformedPush:
		return
	_check_push(push)
	assert len(idempotency_key(push, raw)) == 40


@SETTINGS
@given(code=json_values, shop_id=json_values, timestamp=json_values, data=json_values, extra=json_values)
def test_wrongly_typed_push_fields_never_escape_as_other_errors(code, shop_id, timestamp, data, extra):
	message = {"code": code, "shop_id": shop_id, "timestamp": timestamp, "data": data, "extra": extra}
	raw = json.dumps(message, allow_nan=True).encode()
	try:
		push = parse_push(raw)
	except MalformedPush:
		return
	_check_push(push)
	key = idempotency_key(push, raw)
	assert key == idempotency_key(parse_push(raw), raw) and int(key, 16) >= 0


@SETTINGS
@given(
	data=st.dictionaries(
		st.sampled_from(["ordersn", "order_sn", "status", "update_time", "tracking_no", "return_sn", "x"]),
		json_values,
		max_size=6,
	),
	code=st.sampled_from([3, 4, 29, 0, 15]),
)
def test_push_data_as_a_json_string_is_the_same_push(data, code):
	as_object = json.dumps({"shop_id": 7, "code": code, "timestamp": 1, "data": data}).encode()
	as_string = json.dumps({"shop_id": 7, "code": code, "timestamp": 1, "data": json.dumps(data)}).encode()
	try:
		first = parse_push(as_object)
	except MalformedPush:
		return
	assert parse_push(as_string) == first


@SETTINGS
@given(
	authorization=st.one_of(st.none(), st.text(max_size=200)),
	timestamp=json_values,
	body=st.binary(max_size=500),
)
def test_push_verification_refuses_everything_but_a_fresh_signed_body(authorization, timestamp, body):
	stamp = timestamp if type(timestamp) is int and abs(timestamp) < 2**62 else None
	try:
		verify_push("key", "https://shop.example/api/method/x", body, authorization, stamp)
	except PushVerificationError:
		return
	assert authorization.strip().lower() == push_signature("key", "https://shop.example/api/method/x", body)
	assert abs(time.time() - stamp) <= 300


def test_a_fresh_signed_body_verifies():
	body = b'{"code": 0}'
	signature = push_signature("key", "https://shop.example/x", body)
	verify_push("key", "https://shop.example/x", body, signature.upper(), int(time.time()))


def _fixture(case: str) -> dict:
	return json.loads((FIXTURES / f"{case}.input.json").read_text())


def _replace(target: dict, path: list, value) -> None:
	for key in path[:-1]:
		target = target[key]
	target[path[-1]] = value


ORDER_PATHS = [
	["order_sn"], ["order_status"], ["currency"], ["create_time"], ["update_time"], ["ship_by_date"],
	["total_amount"], ["buyer_username"], ["buyer_user_id"], ["recipient_address"], ["item_list"],
	["recipient_address", "full_address"], ["recipient_address", "region"], ["item_list", 0],
	["item_list", 0, "item_id"], ["item_list", 0, "model_id"], ["item_list", 0, "model_quantity_purchased"],
	["item_list", 0, "model_discounted_price"], ["item_list", 0, "model_original_price"],
	["item_list", 0, "item_name"], ["item_list", 0, "model_sku"], ["item_list", 0, "promotion_type"],
]  # fmt: skip
INCOME_PATHS = [
	["order_income"], ["order_income", "items"], ["order_income", "original_cost_of_goods_sold"],
	["order_income", "voucher_from_seller"], ["order_income", "buyer_total_amount"],
	["order_income", "buyer_transaction_fee"], ["order_income", "original_shopee_discount"],
	["order_income", "items", 0], ["order_income", "items", 0, "discounted_price"],
	["order_income", "items", 0, "item_id"], ["order_sn"],
]  # fmt: skip


@SETTINGS
@given(
	case=st.sampled_from(["vouchers_coins", "bundle_escrow", "idr_whole", "shipping_fee"]),
	order_path=st.sampled_from(ORDER_PATHS),
	income_path=st.sampled_from(INCOME_PATHS),
	order_value=json_values,
	income_value=json_values,
)
def test_mappers_give_a_booking_or_a_clear_error(case, order_path, income_path, order_value, income_value):
	given_ = _fixture(case)
	order, escrow = copy.deepcopy(given_["order"]), copy.deepcopy(given_["escrow"])
	_replace(order, order_path, order_value)
	_replace(escrow, income_path, income_value)
	shop = ShopContext(**given_["shop"])
	lookup = lambda item_id, model_id, sku: "ITEM"  # noqa: E731
	for call in (
		lambda: map_customer(order, shop),
		lambda: map_address(order, shop),
		lambda: map_sales_order(order, escrow, shop, lookup),
		lambda: order_income_record(escrow, order.get("order_sn") if isinstance(order, dict) else None),
	):
		try:
			result = call()
		except ValueError as error:
			assert str(error)
			continue
		if isinstance(result, dict) and "grand_total" in result:
			assert isinstance(result["grand_total"], Decimal) and result["grand_total"].is_finite()
			assert result["grand_total"] == result["sold_for"] + result["amount_residual"]
