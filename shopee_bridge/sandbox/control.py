"""The sandbox's own HTTP controls under /_sandbox/ (loopback only, unauthenticated, JSON)."""

import ipaddress
import json

from shopee_bridge.sandbox import listing_api, logistics_api, product_api, returns_api

CONTROL_PREFIX = "/_sandbox/"


def is_loopback_host(host: str) -> bool:
	"""True for localhost names and 127.0.0.0/8 (or ::1) addresses."""
	host = (host or "").strip("[]").lower()
	if host == "localhost" or host.endswith(".localhost"):
		return True
	try:
		return ipaddress.ip_address(host).is_loopback
	except ValueError:
		return False


class ControlError(Exception):
	"""A bad control request: HTTP status and message."""

	def __init__(self, status: int, message: str):
		super().__init__(message)
		self.status = status
		self.message = message


def handle(
	sandbox, method: str, path: str, query: dict, raw_body: bytes, client_host: str
) -> tuple[int, dict]:
	"""Run one control request; returns (HTTP status, JSON payload)."""
	try:
		if not is_loopback_host(client_host):
			raise ControlError(403, "sandbox controls are loopback only")
		route = ROUTES.get((method, path[len(CONTROL_PREFIX) :]))
		if route is None:
			raise ControlError(404, f"no control {method} {path}")
		return 200, route(sandbox, query, _body(raw_body))
	except ControlError as error:
		return error.status, {
			"error": "error_param" if error.status == 400 else "error_not_found",
			"message": error.message,
		}
	except (KeyError, ValueError, TypeError) as error:
		return 400, {"error": "error_param", "message": f"{type(error).__name__}: {error}"}


def _body(raw_body: bytes) -> dict:
	if not raw_body.strip():
		return {}
	try:
		body = json.loads(raw_body)
	except ValueError:
		raise ControlError(400, "body is not JSON")
	if not isinstance(body, dict):
		raise ControlError(400, "body must be a JSON object")
	return body


def _required(body: dict, name: str):
	if body.get(name) in (None, ""):
		raise ControlError(400, f"{name} is required")
	return body[name]


def calls(sandbox, query: dict, body: dict) -> dict:
	return {"counts": sandbox.call_counts, "calls": sandbox.calls}


def reset_counts(sandbox, query: dict, body: dict) -> dict:
	sandbox.reset_counts()
	return {"ok": True}


def faults(sandbox, query: dict, body: dict) -> dict:
	sandbox.inject_fault(
		_required(body, "path"),
		_required(body, "kind"),
		count=int(body.get("count", 1)),
		retry_after=int(body.get("retry_after", 1)),
		delay=float(body.get("delay", 0.0)),
	)
	return {"ok": True}


def storm(sandbox, query: dict, body: dict) -> dict:
	"""Random faults on every API call ({"rate", "seed", "kinds"?, "delay"?}); rate 0 stops them."""
	rate = float(_required(body, "rate"))
	if not rate:
		sandbox.clear_faults()
		return {"ok": True, "counts": sandbox.random_fault_counts}
	kinds = tuple(body["kinds"]) if body.get("kinds") else None
	sandbox.random_faults(rate, int(body.get("seed", 1)), kinds, float(body.get("delay", 0.3)))
	return {"ok": True}


def expire_token(sandbox, query: dict, body: dict) -> dict:
	sandbox.expire_access_token(int(_required(body, "shop_id")))
	return {"ok": True}


def order_status(sandbox, query: dict, body: dict) -> dict:
	update_time = body.get("update_time")
	update_time = sandbox.set_order_status(
		_required(body, "order_sn"),
		_required(body, "status"),
		None if update_time is None else int(update_time),
	)
	return {"ok": True, "update_time": update_time}


def push(sandbox, query: dict, body: dict) -> dict:
	shop_id, timestamp = body.get("shop_id"), body.get("timestamp")
	status, content = sandbox.push(
		_required(body, "url"),
		int(_required(body, "code")),
		body.get("data") or {},
		shop_id=None if shop_id is None else int(shop_id),
		timestamp=None if timestamp is None else int(timestamp),
	)
	return {"status": status, "body": content.decode("utf-8", "replace")}


def tokens(sandbox, query: dict, body: dict) -> dict:
	return sandbox.issued_tokens(int(_required(query, "shop_id")))


def info(sandbox, query: dict, body: dict) -> dict:
	return {"partner_id": sandbox.partner_id, "url": sandbox.url, **sandbox.dataset.info()}


ROUTES = {
	("GET", "calls"): calls,
	("POST", "reset_counts"): reset_counts,
	("POST", "faults"): faults,
	("POST", "storm"): storm,
	("POST", "expire_token"): expire_token,
	("POST", "orders/status"): order_status,
	("POST", "push"): push,
	("GET", "tokens"): tokens,
	("GET", "info"): info,
}
ROUTES.update(logistics_api.CONTROL_ROUTES)
ROUTES.update(returns_api.CONTROL_ROUTES)
ROUTES.update(product_api.CONTROL_ROUTES)
ROUTES.update(listing_api.CONTROL_ROUTES)
