"""Pure webhook helpers: parsing a push, its idempotency key and the retry schedule (no frappe import)."""

import hashlib
import json
from dataclasses import dataclass

from shopee_bridge.constants import BACKOFF_SCHEDULE, PUSH_CODES

MAX_INT32 = 2**31 - 1
MAX_ORDER_SN_LENGTH = 64


class MalformedPush(ValueError):
	"""The body is not a Shopee push message."""


@dataclass(frozen=True)
class Push:
	code: int
	shop_id: str
	timestamp: int | None
	data: dict
	order_sn: str
	event: str


def parse_push(raw_body: bytes) -> Push:
	"""Parse a push body {"shop_id","code","timestamp","data"}; raise MalformedPush when it is not one."""
	try:
		message = json.loads(raw_body or b"")
	except (ValueError, UnicodeDecodeError) as e:
		raise MalformedPush(f"body is not JSON: {e}")
	if not isinstance(message, dict) or type(message.get("code")) is not int:
		raise MalformedPush("body has no integer 'code'")
	data = message.get("data")
	if isinstance(data, str):
		# get_lost_push_message delivers data as a JSON string
		try:
			data = json.loads(data)
		except ValueError:
			data = {"raw": data}
	data = data if isinstance(data, dict) else {}
	code = message["code"]
	if not 0 <= code <= MAX_INT32:
		raise MalformedPush(f"push code {code} is out of range")
	shop_id = _id_text(message.get("shop_id") or data.get("shop_id"))
	if not (shop_id.isdigit() and len(shop_id) <= 20) and shop_id:
		raise MalformedPush("shop_id is not a Shopee shop id")
	order_sn = _id_text(data.get("ordersn") or data.get("order_sn"))
	if len(order_sn) > MAX_ORDER_SN_LENGTH:
		raise MalformedPush("order_sn is too long to be a Shopee order number")
	timestamp = _int_or_none(message.get("timestamp"))
	return Push(
		code=code,
		shop_id=shop_id,
		timestamp=timestamp if timestamp is not None and 0 <= timestamp <= MAX_INT32 else None,
		data=data,
		order_sn=order_sn,
		event=PUSH_CODES.get(code, f"unknown_push_{code}"),
	)


def _id_text(value) -> str:
	"""A Shopee id (int or string) as text; "" when absent."""
	if value is None or isinstance(value, bool):
		return ""
	if isinstance(value, float) and value.is_integer():
		value = int(value)
	return str(value).strip()


def _int_or_none(value) -> int | None:
	if isinstance(value, bool):
		return None
	try:
		return int(value)
	except (TypeError, ValueError, OverflowError):
		return None


def idempotency_key(push: Push, raw_body: bytes) -> str:
	"""A stable key per event: shop, code and the event's natural id, else a SHA-1 of the canonical body."""
	natural = _natural_id(push)
	if natural:
		basis = f"{push.shop_id}|{push.code}|{natural}"
	else:
		basis = f"{push.shop_id}|{push.code}|body:{canonical_body_sha1(raw_body)}"
	return hashlib.sha1(basis.encode()).hexdigest()


def _natural_id(push: Push) -> str:
	data = push.data
	if push.code == 3 and push.order_sn and data.get("update_time"):
		return f"{push.order_sn}|{data.get('status', '')}|{data['update_time']}"
	if push.code == 4 and push.order_sn and data.get("tracking_no"):
		return f"{push.order_sn}|{data.get('package_number', '')}|{data['tracking_no']}"
	if push.code == 29 and data.get("return_sn") and data.get("update_time"):
		return f"{data['return_sn']}|{data.get('status', '')}|{data['update_time']}"
	return ""


def canonical_body_sha1(raw_body: bytes) -> str:
	"""SHA-1 of the JSON body with sorted keys, so key order and whitespace don't make new events."""
	try:
		canonical = json.dumps(json.loads(raw_body), sort_keys=True, separators=(",", ":"))
	except (ValueError, UnicodeDecodeError):
		canonical = raw_body.decode("utf-8", "replace")
	return hashlib.sha1(canonical.encode()).hexdigest()


def retry_delay(attempts: int, schedule: tuple[int, ...] = BACKOFF_SCHEDULE) -> int:
	"""Seconds to wait after the given number of failed attempts (1-based); the last step repeats."""
	if attempts < 1:
		return 0
	return schedule[min(attempts, len(schedule)) - 1]


def is_exhausted(attempts: int, max_attempts: int) -> bool:
	"""True when a failed row has used all its attempts and should go to Dead."""
	return attempts >= max(1, max_attempts)
