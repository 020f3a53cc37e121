"""Shopee API errors: the exception family, response classification and secret scrubbing.

No frappe import: the client and its tests run under plain pytest.
"""

import re
from collections.abc import Iterable, Mapping

import requests
from urllib3.exceptions import MaxRetryError, NewConnectionError

MASK = "***"
SECRET_KEYS = frozenset({"sign", "access_token", "refresh_token", "code", "partner_key", "authorization"})
# Secrets that leak through URLs or echoed messages, e.g. "...?sign=abc&access_token=xyz".
_SECRET_PAIR = re.compile(
	r"(?i)\b(sign|access_token|refresh_token|code|partner_key|authorization)(['\"]?\s*[=:]\s*['\"]?)[^&\s'\",}]+"
)

TOKEN_INVALID_CODES = frozenset({"invalid_acceess_token", "invalid_access_token"})
REAUTHORIZATION_CODES = frozenset(
	{
		"refresh_token_expired",
		"error_shop_refresh_token",
		"error_merchant_refresh_token",
		"shop_access_expired",
		"merchant_access_expired",
		"shop_no_linked",
		"merchant_no_linked",
		"shop_banned",
		"merchant_banned",
		"partner_shop_no_link",
		"invalid_refresh_token",
	}
)
AUTH_CODES = frozenset(
	{
		"error_auth",
		"error_sign",
		"invalid_partner_id",
		"invalid_code",
		"error_permission",
		"error_api_permission",
		"error_api_call_restricted",
		"error_kyc_auth",
		"error_ashop_api_permission",
		"api_suspended",
		"error_partner_key_expired",
		"source_ip_undeclared",
	}
)
SERVER_CODES = frozenset({"error_server", "error_inner", "error_system_busy", "error_network"})
NOT_FOUND_CODES = frozenset({"error_not_found", "error_data"})


def scrub(text: str, secrets: Iterable[str | None] = ()) -> str:
	"""Mask known secret values and any key=value secret pair in free text."""
	text = _SECRET_PAIR.sub(lambda match: f"{match.group(1)}{match.group(2)}{MASK}", str(text))
	for secret in secrets:
		if secret and len(str(secret)) >= 4:
			text = text.replace(str(secret), MASK)
	return text


def redact(mapping: Mapping | None) -> dict:
	"""A copy of mapping with secret values (sign, tokens, code, keys) replaced by "***", recursively."""
	return {key: _redact_value(key, value) for key, value in (mapping or {}).items()}


def _redact_value(key, value):
	if str(key).lower() in SECRET_KEYS:
		return MASK
	if isinstance(value, Mapping):
		return redact(value)
	if isinstance(value, list | tuple):
		return [redact(item) if isinstance(item, Mapping) else item for item in value]
	return value


class ShopeeError(Exception):
	"""A failed Shopee call; code is Shopee's error string (e.g. "error_param")."""

	def __init__(
		self,
		message: str = "",
		*,
		code: str = "",
		request_id: str = "",
		http_status: int | None = None,
		path: str = "",
	):
		self.code = code or ""
		self.message = scrub(message or "")
		self.request_id = request_id or ""
		self.http_status = http_status
		self.path = path or ""
		super().__init__(self.message)

	def __str__(self) -> str:
		parts = [f"{self.code or 'error'}: {self.message}" if self.message else self.code or "error"]
		if self.path:
			parts.append(f"path={self.path}")
		if self.http_status is not None:
			parts.append(f"http={self.http_status}")
		if self.request_id:
			parts.append(f"request_id={self.request_id}")
		return " ".join(parts)

	def __repr__(self) -> str:
		return f"{type(self).__name__}({self!s})"


class ShopeeAuthError(ShopeeError):
	"""Signature, partner or permission problem; retrying cannot help."""


class ShopeeTokenInvalid(ShopeeAuthError):
	"""The access token is expired or revoked: refresh once and replay."""


class ShopeeReauthorizationRequired(ShopeeAuthError):
	"""The shop link or refresh token is gone: the seller must authorize the app again."""


class ShopeeRateLimitError(ShopeeError):
	"""Too many requests (error_rate_limit / HTTP 429)."""

	def __init__(self, message: str = "", *, retry_after: float | None = None, **kwargs):
		super().__init__(message, **kwargs)
		self.retry_after = retry_after


class ShopeeDailyLimitError(ShopeeError):
	"""The app's daily call cap is used up; it resets at 00:00 UTC+8."""


class ShopeeParamError(ShopeeError):
	"""Shopee rejected a parameter (error_param, *invalid_time, ...)."""


class ShopeeNotFoundError(ShopeeError):
	"""Unknown id or wrong shop (error_not_found, error_data)."""


class ShopeeServerError(ShopeeError):
	"""Transient failure: HTTP 5xx, error_server family, timeout or connection error.

	sent: False when the request certainly never reached Shopee, True when it may have.
	answered: Shopee itself replied with an error envelope, so the call was not applied.
	"""

	def __init__(self, message: str = "", *, sent: bool | None = None, answered: bool = False, **kwargs):
		super().__init__(message, **kwargs)
		self.sent = sent
		self.answered = answered

	def may_repeat(self, idempotent: bool) -> bool:
		"""Whether sending the call again cannot apply it twice."""
		return idempotent or self.sent is False or self.answered


def error_suffix(code: str | None) -> str:
	"""The error code without its module prefix ("order.error_param" -> "error_param")."""
	return (code or "").rsplit(".", 1)[-1].strip().lower()


def _error_class(code: str, message: str, http_status: int | None) -> type[ShopeeError]:
	suffix = error_suffix(code)
	if suffix in TOKEN_INVALID_CODES:
		return ShopeeTokenInvalid
	if suffix in REAUTHORIZATION_CODES:
		return ShopeeReauthorizationRequired
	if suffix == "error_auth" and "access_token" in message.lower():
		return ShopeeTokenInvalid
	if suffix in AUTH_CODES:
		return ShopeeAuthError
	if suffix == "error_rate_limit" or http_status == 429:
		return ShopeeRateLimitError
	if suffix == "error_limit":
		return ShopeeDailyLimitError
	if suffix == "error_param" or suffix.endswith("invalid_time"):
		return ShopeeParamError
	if suffix in NOT_FOUND_CODES:
		return ShopeeNotFoundError
	if suffix in SERVER_CODES or (http_status or 0) >= 500:
		return ShopeeServerError
	return ShopeeError


def error_from_response(http_status: int | None, payload: dict | None, path: str) -> ShopeeError | None:
	"""Classify one HTTP answer; None when it is a success."""
	if isinstance(payload, dict) and payload.get("error"):
		code, message = str(payload["error"]), str(payload.get("message") or "")
		cls = _error_class(code, message, http_status)
		extra = {"sent": True, "answered": True} if cls is ShopeeServerError else {}
		return cls(
			message,
			code=code,
			request_id=payload.get("request_id") or "",
			http_status=http_status,
			path=path,
			**extra,
		)
	request_id = payload.get("request_id", "") if isinstance(payload, dict) else ""
	kwargs = {"request_id": request_id, "http_status": http_status, "path": path}
	if http_status == 429:
		return ShopeeRateLimitError("too many requests", code="error_rate_limit", **kwargs)
	if http_status is not None and http_status >= 500:
		return ShopeeServerError(f"HTTP {http_status}", code="error_server", sent=True, **kwargs)
	if http_status is not None and http_status >= 400:
		return ShopeeError(f"HTTP {http_status}", code=f"http_{http_status}", **kwargs)
	if not isinstance(payload, dict):
		return ShopeeServerError(
			"response is not a JSON object", code="error_invalid_response", sent=True, **kwargs
		)
	return None


def transport_error(exc: requests.RequestException, path: str) -> ShopeeServerError:
	"""A timeout or connection failure as a ShopeeServerError, with whether it may have been sent."""
	if isinstance(exc, requests.ConnectTimeout):
		return ShopeeServerError("connect timeout", code="connect_timeout", sent=False, path=path)
	if isinstance(exc, requests.ReadTimeout):
		return ShopeeServerError("read timeout", code="read_timeout", sent=True, path=path)
	reason = exc.args[0] if exc.args else None
	if isinstance(reason, MaxRetryError) and isinstance(reason.reason, NewConnectionError):
		return ShopeeServerError("connection refused", code="connect_failed", sent=False, path=path)
	# Dropped mid-exchange: the server may have received (and applied) the request.
	return ShopeeServerError(
		f"connection error ({type(exc).__name__})", code="connection_error", sent=True, path=path
	)


def refresh_failure(exc: ShopeeError) -> ShopeeError:
	"""Map a failed token refresh: a refused refresh token means the seller must re-authorize."""
	suffix = error_suffix(exc.code)
	refused = suffix in ("error_auth", *TOKEN_INVALID_CODES) or (
		suffix == "error_param" and "refresh" in exc.message.lower()
	)
	if isinstance(exc, ShopeeReauthorizationRequired) or not refused:
		return exc
	return ShopeeReauthorizationRequired(
		exc.message or "refresh token refused",
		code=exc.code,
		request_id=exc.request_id,
		http_status=exc.http_status,
		path=exc.path,
	)
