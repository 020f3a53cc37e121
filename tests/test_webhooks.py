import json

import pytest

from shopee_bridge.constants import BACKOFF_SCHEDULE
from shopee_bridge.webhooks import (
	MalformedPush,
	canonical_body_sha1,
	idempotency_key,
	is_exhausted,
	parse_push,
	retry_delay,
)


def body(**message) -> bytes:
	return json.dumps(message).encode()


def test_parse_order_status_push():
	push = parse_push(
		body(
			shop_id=600001,
			code=3,
			timestamp=1700,
			data={"ordersn": "SN1", "status": "SHIPPED", "update_time": 1699},
		)
	)
	assert (push.code, push.shop_id, push.timestamp, push.order_sn) == (3, "600001", 1700, "SN1")
	assert push.event == "order_status_push"


def test_parse_return_push_uses_order_sn_with_underscore():
	push = parse_push(body(shop_id=1, code=29, timestamp=1, data={"order_sn": "SN9", "return_sn": "R1"}))
	assert push.order_sn == "SN9" and push.event == "return_updates_push"


def test_parse_lost_push_with_string_data():
	push = parse_push(body(shop_id=1, code=3, timestamp=1, data=json.dumps({"ordersn": "SN2"})))
	assert push.order_sn == "SN2"


def test_parse_unknown_code_gets_unknown_event_name():
	assert parse_push(body(code=999, data={})).event == "unknown_push_999"


def test_partner_level_push_without_shop_id():
	push = parse_push(body(code=1, timestamp=5, data={"shop_id_list": [1, 2]}))
	assert push.shop_id == ""


@pytest.mark.parametrize("raw", [b"", b"not json", b"[1,2]", b'{"code":"3"}', b'{"data":{}}', b"\xff\xfe"])
def test_malformed_bodies_raise(raw):
	with pytest.raises(MalformedPush):
		parse_push(raw)


def test_order_push_key_uses_order_status_and_update_time():
	a = body(shop_id=1, code=3, timestamp=100, data={"ordersn": "SN", "status": "SHIPPED", "update_time": 90})
	b = body(shop_id=1, code=3, timestamp=105, data={"ordersn": "SN", "status": "SHIPPED", "update_time": 90})
	c = body(
		shop_id=1, code=3, timestamp=100, data={"ordersn": "SN", "status": "COMPLETED", "update_time": 95}
	)
	# Shopee's retry of the same change carries a new timestamp but is the same event
	assert idempotency_key(parse_push(a), a) == idempotency_key(parse_push(b), b)
	assert idempotency_key(parse_push(a), a) != idempotency_key(parse_push(c), c)


def test_same_event_in_two_shops_gets_two_keys():
	a = body(shop_id=1, code=3, data={"ordersn": "SN", "status": "S", "update_time": 9})
	b = body(shop_id=2, code=3, data={"ordersn": "SN", "status": "S", "update_time": 9})
	assert idempotency_key(parse_push(a), a) != idempotency_key(parse_push(b), b)


def test_tracking_push_key_uses_tracking_number():
	a = body(shop_id=1, code=4, timestamp=1, data={"ordersn": "SN", "tracking_no": "T1"})
	b = body(shop_id=1, code=4, timestamp=2, data={"ordersn": "SN", "tracking_no": "T2"})
	assert idempotency_key(parse_push(a), a) != idempotency_key(parse_push(b), b)


def test_push_without_natural_id_falls_back_to_canonical_body_hash():
	a = b'{"code": 5, "shop_id": 1, "data": {"x": 1, "y": 2}}'
	b = b'{"shop_id":1,"data":{"y":2,"x":1},"code":5}'
	c = b'{"shop_id":1,"data":{"y":3,"x":1},"code":5}'
	assert canonical_body_sha1(a) == canonical_body_sha1(b)
	assert idempotency_key(parse_push(a), a) == idempotency_key(parse_push(b), b)
	assert idempotency_key(parse_push(a), a) != idempotency_key(parse_push(c), c)


def test_key_is_a_sha1_hex_that_fits_a_data_field():
	raw = body(shop_id=1, code=3, data={"ordersn": "SN" * 32, "status": "S" * 300, "update_time": 9})
	key = idempotency_key(parse_push(raw), raw)
	assert len(key) == 40 and int(key, 16) >= 0


@pytest.mark.parametrize(
	"message",
	[
		{"shop_id": 1, "code": 3, "data": {"ordersn": "SN" * 100}},  # longer than any order_sn
		{"shop_id": "12ab", "code": 3, "data": {}},  # not a shop id
		{"shop_id": 1, "code": True, "data": {}},  # a bool is not a push code
		{"shop_id": 1, "code": 2**40, "data": {}},  # out of range for the inbox
		{"shop_id": 1, "code": -1, "data": {}},
	],
)
def test_values_the_inbox_cannot_hold_are_malformed(message):
	with pytest.raises(MalformedPush):
		parse_push(json.dumps(message).encode())


def test_backoff_schedule_matches_design():
	assert BACKOFF_SCHEDULE == (60, 300, 900, 3600, 10800)
	assert [retry_delay(n) for n in range(1, 9)] == [60, 300, 900, 3600, 10800, 10800, 10800, 10800]
	assert retry_delay(0) == 0


def test_exhaustion_at_max_attempts():
	assert not is_exhausted(7, 8)
	assert is_exhausted(8, 8)
	assert is_exhausted(1, 0)  # a nonsensical maximum still ends retries
