"""The sandbox's error type and Shopee's JSON envelope."""

import json
import uuid
from decimal import Decimal

HTTP_FOR_ERROR = {
	"error_param": 400,
	"order.order_list_invalid_time": 400,
	"error_sign": 403,
	"error_auth": 403,
	"invalid_partner_id": 403,
	"invalid_acceess_token": 403,
	"invalid_code": 403,
	"invalid_shop_id": 403,
	"refresh_token_expired": 403,
	"error_not_found": 404,
	"error_rate_limit": 429,
	"error_server": 500,
}


class ApiError(Exception):
	"""A Shopee error answer: envelope error code and message, with the matching HTTP status."""

	def __init__(self, error: str, message: str, status: int | None = None, headers: dict | None = None):
		super().__init__(f"{error}: {message}")
		self.error = error
		self.message = message
		self.status = status or HTTP_FOR_ERROR.get(error, 400)
		self.headers = headers or {}


def request_id() -> str:
	"""A unique hex request id, like Shopee's."""
	return uuid.uuid4().hex


def error_envelope(error: str, message: str) -> dict:
	return {"request_id": request_id(), "error": error, "message": message}


def success_envelope(response, warning=None) -> dict:
	"""{request_id, error "", message "", response} (+ warning)."""
	envelope = {"request_id": request_id(), "error": "", "message": "", "response": response}
	if warning:
		envelope["warning"] = warning
	return envelope


def top_level_envelope(fields: dict) -> dict:
	"""The token APIs' and get_shop_info's shape: fields at top level next to request_id/error/message."""
	return {**fields, "request_id": request_id(), "error": "", "message": ""}


def _json_default(value):
	if isinstance(value, Decimal):
		return float(value)
	raise TypeError(f"{type(value).__name__} is not JSON serializable")


def dump_json(payload) -> bytes:
	"""Compact JSON; Decimal amounts become JSON numbers."""
	return json.dumps(payload, default=_json_default, separators=(",", ":")).encode()
