"""Pure webhook helpers: parsing a push, its idempotency key and the retry schedule (no frappe import)."""

import hashlib
import json
from dataclasses import dataclass

from shopee_bridge.constants import BACKOFF_SCHEDULE, PUSH_CODES


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
	if not isinstance(message, dict) or not isinstance(message.get("code"), int):
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
	return Push(
		code=code,
		shop_id=str(message.get("shop_id") or data.get("shop_id") or ""),
		timestamp=_int_or_none(message.get("timestamp")),
		data=data,
		order_sn=str(data.get("ordersn") or data.get("order_sn") or ""),
		event=PUSH_CODES.get(code, f"unknown_push_{code}"),
	)


def _int_or_none(value) -> int | None:
	try:
		return int(value)
	except (TypeError, ValueError):
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
