"""Shopee Open Platform v2 HTTP client: signing, retries, token refresh and thin endpoint methods.

No frappe import: the app passes in its own token store, lock and call logger.
"""

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import requests

from shopee_bridge import auth
from shopee_bridge.client_endpoints import (
	DEFAULT_ORDER_FIELDS,
	MAX_BATCH,
	MAX_WINDOW,
	Repeated,
	ShopeeEndpoints,
	chunked,
	time_windows,
)
from shopee_bridge.client_errors import (
	SECRET_KEYS,
	ShopeeAuthError,
	ShopeeDailyLimitError,
	ShopeeError,
	ShopeeNotFoundError,
	ShopeeParamError,
	ShopeeRateLimitError,
	ShopeeReauthorizationRequired,
	ShopeeServerError,
	ShopeeTokenInvalid,
	error_from_response,
	redact,
	refresh_failure,
	scrub,
	transport_error,
)

PRODUCTION_URL = "https://partner.shopeemobile.com"
SANDBOX_URL = "https://openplatform.sandbox.test-stable.shopee.sg"
TOKEN_GET_PATH = "/api/v2/auth/token/get"
TOKEN_REFRESH_PATH = "/api/v2/auth/access_token/get"
REFRESH_TOKEN_LIFETIME = 30 * 86400

__all__ = [
	"DEFAULT_ORDER_FIELDS",
	"MAX_BATCH",
	"MAX_WINDOW",
	"CallRecord",
	"MemoryTokenStore",
	"ShopeeAuthError",
	"ShopeeClient",
	"ShopeeDailyLimitError",
	"ShopeeError",
	"ShopeeFile",
	"ShopeeNotFoundError",
	"ShopeeParamError",
	"ShopeeRateLimitError",
	"ShopeeReauthorizationRequired",
	"ShopeeServerError",
	"ShopeeTokenInvalid",
	"TokenStore",
	"Tokens",
	"chunked",
	"error_from_response",
	"redact",
	"time_windows",
]

logger = logging.getLogger(__name__)


@dataclass
class Tokens:
	"""One shop's token pair with absolute expiry times (Unix seconds)."""

	access_token: str = field(repr=False)
	refresh_token: str = field(repr=False)
	access_expires_at: int
	refresh_expires_at: int | None = None

	@classmethod
	def from_response(cls, payload: dict, now: float) -> "Tokens":
		"""Build from a token/get or access_token/get answer (top-level fields, expire_in seconds)."""
		if not payload.get("access_token") or not payload.get("refresh_token"):
			raise ShopeeError("token response without a token pair", code="error_invalid_response")
		return cls(
			access_token=payload["access_token"],
			refresh_token=payload["refresh_token"],
			access_expires_at=int(now) + int(payload.get("expire_in") or 0),
			refresh_expires_at=int(now) + REFRESH_TOKEN_LIFETIME,
		)


class TokenStore(Protocol):
	def load(self, shop_id: int) -> Tokens | None: ...

	def save(self, shop_id: int, tokens: Tokens) -> None: ...


class MemoryTokenStore:
	"""A process-local TokenStore (tests, scripts)."""

	def __init__(self, initial: dict[int, Tokens] | None = None):
		self._tokens = dict(initial or {})

	def load(self, shop_id: int) -> Tokens | None:
		return self._tokens.get(shop_id)

	def save(self, shop_id: int, tokens: Tokens) -> None:
		self._tokens[shop_id] = tokens


@dataclass
class CallRecord:
	"""One HTTP attempt, safe to log: params are redacted."""

	method: str
	path: str
	http_status: int | None
	error: str
	duration_ms: int
	request_id: str
	attempt: int
	params: dict


def _encode_query(params: dict | None) -> dict:
	"""GET parameters as Shopee expects them: lists comma-joined, booleans lower-case, None dropped."""
	encoded = {}
	for key, value in (params or {}).items():
		if value is None:
			continue
		if isinstance(value, Repeated):  # requests sends a list as one key per value
			encoded[key] = list(value)
			continue
		if isinstance(value, bool):
			value = "true" if value else "false"
		elif isinstance(value, list | tuple | set):
			value = ",".join(str(item) for item in value)
		encoded[key] = value
	return encoded


def _retry_after(response: requests.Response) -> float | None:
	try:
		return max(0.0, float(response.headers.get("Retry-After", "")))
	except ValueError:
		return None


@dataclass(frozen=True)
class ShopeeFile:
	"""A document Shopee sent as raw bytes (e.g. a shipping label PDF)."""

	content: bytes = field(repr=False)
	content_type: str = ""


def _file_summary(files: dict | None) -> dict:
	"""What the call log keeps of uploaded files: name and size, never the content."""
	return {field: f"{upload[0]} ({len(upload[1])} bytes)" for field, upload in (files or {}).items()}


def _is_json(response: requests.Response) -> bool:
	return "json" in response.headers.get("Content-Type", "").lower()


def _json_or_none(response: requests.Response):
	try:
		return response.json()
	except ValueError:
		return None


class ShopeeClient(ShopeeEndpoints):
	"""Shopee v2 client for one shop (shop_id None for partner-level calls)."""

	def __init__(
		self,
		base_url: str,
		partner_id: int,
		partner_key: str,
		shop_id: int | None = None,
		token_store: TokenStore | None = None,
		*,
		timeout=(5, 30),
		max_retries: int = 4,
		backoff_base: float = 1.0,
		backoff_cap: float = 60.0,
		on_call: Callable[[CallRecord], None] | None = None,
		session: requests.Session | None = None,
		sleep: Callable[[float], None] = time.sleep,
		clock: Callable[[], float] = time.time,
		rng: random.Random | None = None,
		refresh_margin: int = 300,
		lock=None,
	):
		self.base_url = base_url.rstrip("/")
		self.partner_id = int(partner_id)
		self._partner_key = partner_key
		self.shop_id = int(shop_id) if shop_id is not None else None
		self.token_store = token_store if token_store is not None else MemoryTokenStore()
		self.timeout = timeout
		self.max_retries = max_retries
		self.backoff_base = backoff_base
		self.backoff_cap = backoff_cap
		self.on_call = on_call
		self.session = session or requests.Session()
		self.sleep = sleep
		self.clock = clock
		self.rng = rng or random.Random()
		self.refresh_margin = refresh_margin
		self.lock = lock if lock is not None else threading.Lock()

	def __repr__(self) -> str:
		return (
			f"ShopeeClient(base_url={self.base_url!r}, partner_id={self.partner_id}, shop_id={self.shop_id})"
		)

	# ---- core -------------------------------------------------------------------------------------

	def request(
		self,
		method: str,
		path: str,
		params=None,
		body=None,
		*,
		idempotent: bool | None = None,
		file: bool = False,
		files: dict | None = None,
	):
		"""Call path (signed, retried, one token refresh on an invalid token); return the JSON envelope.

		With file=True a successful non-JSON answer (a downloaded document) is returned as a ShopeeFile.
		files ({field: (filename, bytes, content type)}) sends body as multipart/form-data fields.
		"""
		method = method.upper()
		idempotent = method == "GET" if idempotent is None else idempotent
		send = (method, path, params, body, idempotent)
		if auth.is_public_path(path):
			return self._send(*send, None, file, files)
		if self.shop_id is None:
			raise ValueError(f"{path} is a shop call; create the client with a shop_id")
		access_token = self._fresh_access_token()
		try:
			return self._send(*send, access_token, file, files)
		except ShopeeTokenInvalid:
			access_token = self._recover_access_token(access_token)
			return self._send(*send, access_token, file, files)

	def backoff_delay(self, attempt: int) -> float:
		"""Exponential backoff for retry number attempt (0-based), capped, with jitter in [0.5, 1.0]x."""
		return min(self.backoff_cap, self.backoff_base * 2**attempt) * self.rng.uniform(0.5, 1.0)

	def _send(
		self, method, path, params, body, idempotent: bool, access_token: str | None, file=False, files=None
	):
		attempt = 0
		while True:
			try:
				return self._attempt(method, path, params, body, access_token, attempt + 1, file, files)
			except ShopeeError as exc:
				delay = self._retry_delay(exc, attempt, idempotent)
				if delay is None or attempt >= self.max_retries:
					raise
			self.sleep(delay)
			attempt += 1

	def _retry_delay(self, exc: ShopeeError, attempt: int, idempotent: bool) -> float | None:
		if isinstance(exc, ShopeeRateLimitError):
			if exc.retry_after is not None:
				return min(self.backoff_cap, exc.retry_after)
			return self.backoff_delay(attempt)
		if isinstance(exc, ShopeeServerError) and exc.may_repeat(idempotent):
			return self.backoff_delay(attempt)
		return None

	def _attempt(
		self, method, path, params, body, access_token: str | None, attempt: int, file=False, files=None
	):
		query = self._signed_query(path, access_token)
		query.update(_encode_query(params))
		if files:  # multipart/form-data: body's fields as text parts next to the files
			payload_args = {"data": body or {}, "files": files}
		else:
			payload_args = {"json": (body or {}) if method == "POST" else None}
		started = time.monotonic()
		http_status, payload = None, None
		try:
			response = self.session.request(
				method, self.base_url + path, params=query, timeout=self.timeout, **payload_args
			)
			http_status = response.status_code
			if file and http_status == 200 and not _is_json(response):
				payload = ShopeeFile(response.content, response.headers.get("Content-Type", ""))
				error = (
					None if payload.content else ShopeeServerError("empty document", code="error_empty_file")
				)
			else:
				payload = _json_or_none(response)
				error = error_from_response(http_status, payload, path)
				if file and error is None:
					error = ShopeeError(f"{path} answered JSON, not a document", code="error_not_a_file")
			if isinstance(error, ShopeeRateLimitError) and error.retry_after is None:
				error.retry_after = _retry_after(response)
		except requests.RequestException as exc:
			error = transport_error(exc, path)
		duration_ms = int((time.monotonic() - started) * 1000)
		sent_params = {**query, **(body or {}), **_file_summary(files)}
		self._record(method, path, http_status, error, payload, duration_ms, attempt, sent_params)
		if error is not None:
			error.message = scrub(error.message, self._secrets(sent_params))
			raise error
		return payload

	def _signed_query(self, path: str, access_token: str | None) -> dict:
		shop_id = self.shop_id if access_token else None
		return auth.signed_query(
			self._partner_key, self.partner_id, path, access_token, shop_id, timestamp=int(self.clock())
		)

	def _record(self, method, path, http_status, error, payload, duration_ms, attempt, params) -> None:
		if self.on_call is None:
			return
		request_id = payload.get("request_id", "") if isinstance(payload, dict) else ""
		record = CallRecord(
			method=method,
			path=path,
			http_status=http_status,
			error=error.code if error is not None else "",
			duration_ms=duration_ms,
			request_id=request_id or "",
			attempt=attempt,
			params=redact(params),
		)
		try:
			self.on_call(record)
		except Exception:
			# A failing logger must not turn an applied call into an apparent failure (and a resend).
			logger.exception("on_call callback failed for %s", path)

	def _secrets(self, sent_params: dict) -> list[str]:
		"""Every secret value an echoed error message could contain."""
		return [self._partner_key, *(str(v) for k, v in sent_params.items() if k.lower() in SECRET_KEYS)]

	# ---- tokens -----------------------------------------------------------------------------------

	def _load_tokens(self) -> Tokens:
		tokens = self.token_store.load(self.shop_id)
		if tokens is None or not tokens.access_token:
			raise ShopeeReauthorizationRequired(f"no tokens stored for shop {self.shop_id}", code="no_tokens")
		return tokens

	def _expiring(self, tokens: Tokens) -> bool:
		return tokens.access_expires_at - self.clock() <= self.refresh_margin

	def _fresh_access_token(self) -> str:
		"""The stored access token, refreshed first if it expires within refresh_margin."""
		tokens = self._load_tokens()
		if not self._expiring(tokens):
			return tokens.access_token
		with self.lock:
			tokens = self._load_tokens()
			if self._expiring(tokens):
				tokens = self._refresh_locked(tokens)
			return tokens.access_token

	def _recover_access_token(self, rejected: str) -> str:
		"""A working token after Shopee rejected `rejected`: another worker's rotation, or a refresh."""
		with self.lock:
			tokens = self._load_tokens()
			if tokens.access_token != rejected:
				return tokens.access_token
			return self._refresh_locked(tokens).access_token

	def refresh_access_token(self) -> Tokens:
		"""Rotate this shop's token pair (POST /api/v2/auth/access_token/get) and save it."""
		if self.shop_id is None:
			raise ValueError("refresh_access_token needs a client with a shop_id")
		with self.lock:
			return self._refresh_locked(self._load_tokens())

	def _refresh_locked(self, tokens: Tokens) -> Tokens:
		body = {"refresh_token": tokens.refresh_token, "partner_id": self.partner_id, "shop_id": self.shop_id}
		try:
			# Not idempotent: the refresh token is single-use, so a maybe-applied refresh is never resent.
			payload = self._send("POST", TOKEN_REFRESH_PATH, None, body, False, None)
		except ShopeeError as exc:
			raise refresh_failure(exc) from None
		new_tokens = Tokens.from_response(payload, self.clock())
		self.token_store.save(self.shop_id, new_tokens)
		return new_tokens

	def get_access_token(
		self, code: str, shop_id: int | None = None, *, main_account_id: int | None = None
	) -> Tokens:
		"""Exchange an authorization code (POST /api/v2/auth/token/get); saved to the store for a shop."""
		if (shop_id is None) == (main_account_id is None):
			raise ValueError("pass exactly one of shop_id and main_account_id")
		body = {"code": code, "partner_id": self.partner_id}
		if shop_id is not None:
			body["shop_id"] = int(shop_id)
		else:
			body["main_account_id"] = int(main_account_id)
		payload = self.request("POST", TOKEN_GET_PATH, body=body, idempotent=False)
		tokens = Tokens.from_response(payload, self.clock())
		if shop_id is not None:
			self.token_store.save(int(shop_id), tokens)
		return tokens
