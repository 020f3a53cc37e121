"""The sandbox's request plumbing: Call and Reply, Shopee's common checks and the parameter helpers.

Every endpoint module imports from here; this module imports no endpoint module (see routes.py).
"""

import hmac
from dataclasses import dataclass, field

from shopee_bridge import auth
from shopee_bridge.sandbox.errors import ApiError

MAX_CLOCK_DRIFT = 300
ACCEPT_HTML = "sandbox_accept_html"  # set by the server for a request that accepts text/html
MAX_WINDOW = 15 * 86400
MAX_BATCH = 50
MAX_PAGE_SIZE = 100


@dataclass
class Call:
	"""One incoming API request, plus the shop it was authenticated for.

	body holds the JSON object, or the text fields of a multipart form; files the form's files
	(field name -> list of forms.Upload).
	"""

	method: str
	path: str
	query: dict
	body: dict
	shop_id: int | None = None
	files: dict = field(default_factory=dict)


@dataclass
class Reply:
	"""What to answer: HTTP status, JSON payload (None for no body) and extra headers."""

	status: int
	payload: dict | list | bytes | None
	headers: dict = field(default_factory=dict)


def check_common(sandbox, call: Call) -> None:
	"""partner_id, timestamp, sign and (shop APIs) access_token and shop_id, as Shopee checks them."""
	query = call.query
	partner_id = _int(query, "partner_id", "There is no partner_id in query.")
	if partner_id != sandbox.partner_id:
		raise ApiError("invalid_partner_id", "Invalid partner_id.")
	timestamp = _int(query, "timestamp", "no timestamp")
	if abs(sandbox.clock() - timestamp) > MAX_CLOCK_DRIFT:
		raise ApiError("error_param", "Timestamp is expired")
	given = query.get("sign") or _missing("There is no sign in query.")
	if auth.is_public_path(call.path):
		expected = auth.sign(sandbox.partner_key, query["partner_id"], call.path, query["timestamp"])
	else:
		token = query.get("access_token") or _missing("There is no access_token in query.")
		shop = query.get("shop_id") or _missing("There is no shop_id in query.")
		expected = auth.sign(
			sandbox.partner_key, query["partner_id"], call.path, query["timestamp"], token, shop
		)
	if not hmac.compare_digest(expected.encode(), str(given).encode()):
		raise ApiError("error_sign", "Wrong sign.")
	if not auth.is_public_path(call.path):
		call.shop_id = _int(query, "shop_id")
		if not sandbox.tokens_valid(query["access_token"], call.shop_id):
			raise ApiError("invalid_acceess_token", "Invalid access_token.")


def _missing(message: str):
	raise ApiError("error_param", message)


def _int(params: dict, name: str, missing: str | None = None, default=None) -> int:
	value = params.get(name)
	if value in (None, ""):
		if default is not None:
			return default
		raise ApiError("error_param", missing or f"{name} is required.")
	try:
		return int(value)
	except (TypeError, ValueError):
		raise ApiError("error_param", f"Invalid {name}.")


def _page_size(params: dict) -> int:
	size = _int(params, "page_size")
	if not 1 <= size <= MAX_PAGE_SIZE:
		raise ApiError("error_param", "page_size should be between 1 and 100.")
	return size


def _window(params: dict, start: str, end: str, required: bool = False, error: str = "error_param"):
	"""(from, to) of a ≤15-day range, or None when neither bound is given and it is optional."""
	if not required and params.get(start) in (None, "") and params.get(end) in (None, ""):
		return None
	time_from, time_to = _int(params, start), _int(params, end)
	if time_to < time_from:
		raise ApiError(error, f"{start} must not be later than {end}.")
	if time_to - time_from > MAX_WINDOW:
		raise ApiError(error, "The time range of the query cannot exceed 15 days.")
	return time_from, time_to


def _sn_list(raw, name: str) -> list[str]:
	values = raw.split(",") if isinstance(raw, str) else list(raw or [])
	values = list(dict.fromkeys(str(value).strip() for value in values if str(value).strip()))
	if not 1 <= len(values) <= MAX_BATCH:
		raise ApiError("error_param", f"{name} should contain 1 to 50 values.")
	return values


def _fields(params: dict) -> set[str]:
	return {
		name.strip() for name in str(params.get("response_optional_fields") or "").split(",") if name.strip()
	}


def _check_body_partner(sandbox, body: dict) -> None:
	if _int(body, "partner_id") != sandbox.partner_id:
		raise ApiError("invalid_partner_id", "Invalid partner_id.")


def _find_orders(sandbox, call: Call, order_sn_list) -> tuple[list[int], list[str]]:
	"""Indexes of the shop's orders among 1..50 order_sn, and the order_sn it does not have."""
	indexes, missing = [], []
	for order_sn in _sn_list(order_sn_list, "order_sn_list"):
		index = sandbox.dataset.index_of(order_sn, call.shop_id)
		if index is None:
			missing.append(order_sn)
		else:
			indexes.append(index)
	return indexes, missing


def _order_index(sandbox, call: Call, params: dict) -> int:
	order_sn = params.get("order_sn") or _missing("order_sn is required.")
	index = sandbox.dataset.index_of(str(order_sn), call.shop_id)
	if index is None:
		raise ApiError("error_not_found", f"Order {order_sn} not found.", 404)
	return index
