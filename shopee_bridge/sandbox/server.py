"""SandboxServer: a loopback HTTP server imitating the Shopee Open Platform v2 endpoints the app uses."""

import ipaddress
import json
import random
import socket
import threading
import time
from collections import Counter, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import requests

from shopee_bridge import auth
from shopee_bridge.sandbox import control, forms, listings, routes
from shopee_bridge.sandbox.calls import ACCEPT_HTML, Call, Reply
from shopee_bridge.sandbox.control import is_loopback_host
from shopee_bridge.sandbox.data import Dataset
from shopee_bridge.sandbox.errors import ApiError, dump_json, error_envelope
from shopee_bridge.sandbox.tokens import TokenStore

FAULT_KINDS = (
	"rate_limit",
	"server_error",
	"slow",
	"drop",
	"invalid_token",
	"drop_after_apply",
	"bad_gateway_after_apply",
)
# The call is applied, then the answer is lost: hung up, or a gateway's bare 502 (no Shopee envelope).
APPLIED_FAULTS = ("drop_after_apply", "bad_gateway_after_apply")
ANY_PATH = "*"
# What a storm draws from: every fault but those that apply a write and lose its answer.
STORM_KINDS = ("rate_limit", "server_error", "slow", "drop", "invalid_token")
PARTNER_LEVEL_PUSH_CODES = (1, 2, 12)
DROP = object()


class SandboxServer:
	"""A ThreadingHTTPServer on 127.0.0.1 with seeded data, Shopee's checks and fault injection."""

	def __init__(
		self,
		partner_id: int,
		partner_key: str,
		seed: int = 1,
		orders: int = 50,
		shops: list[dict] | None = None,
		host: str = "127.0.0.1",
		port: int = 0,
		push_key: str | None = None,
		harsh: bool = False,
		anchor: int | None = None,
		days: int = 60,
		only_status: str | None = None,
	):
		if not _is_ipv4_loopback("127.0.0.1" if host == "localhost" else host):
			raise ValueError(f"the sandbox only listens on IPv4 loopback, not {host!r}")
		self.partner_id = int(partner_id)
		self.partner_key = partner_key
		self.push_key = push_key
		self.host = "127.0.0.1" if host == "localhost" else host
		self.port = int(port)
		self.clock = time.time
		self.dataset = Dataset(
			seed=seed,
			orders=orders,
			shops=shops,
			anchor=anchor,
			harsh=harsh,
			days=days,
			only_status=only_status,
		)
		self.tokens = TokenStore([shop["shop_id"] for shop in self.dataset.shops], clock=lambda: self.clock())
		self._lock = threading.Lock()
		self._faults: dict[str, deque] = {}
		self._random_faults = None
		self.random_fault_counts: dict[str, int] = {}
		self._counts: Counter = Counter()
		self._calls: list[dict] = []
		self._httpd: ThreadingHTTPServer | None = None
		self._thread: threading.Thread | None = None

	# -- lifecycle ---------------------------------------------------------------------------

	def start(self) -> "SandboxServer":
		"""Bind and serve in a daemon thread."""
		if self._httpd is not None:
			return self
		httpd = ThreadingHTTPServer((self.host, self.port), _Handler)
		httpd.daemon_threads = True
		httpd.sandbox = self
		self._httpd = httpd
		self.port = httpd.server_address[1]
		self._thread = threading.Thread(
			target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="shopee-sandbox", daemon=True
		)
		self._thread.start()
		return self

	def stop(self) -> None:
		"""Stop serving and release the port."""
		if self._httpd is None:
			return
		self._httpd.shutdown()
		self._httpd.server_close()
		self._thread.join(timeout=5)
		self._httpd = self._thread = None

	def __enter__(self) -> "SandboxServer":
		return self.start()

	def __exit__(self, *exc_info) -> None:
		self.stop()

	@property
	def url(self) -> str:
		return f"http://{self.host}:{self.port}"

	# -- controls ----------------------------------------------------------------------------

	def inject_fault(
		self, path: str, kind: str, count: int = 1, retry_after: int = 1, delay: float = 0.0
	) -> None:
		"""Make the next `count` calls to path (or "*" for any API path) fail in the given way."""
		if kind not in FAULT_KINDS:
			raise ValueError(f"unknown fault kind {kind!r}; use one of {', '.join(FAULT_KINDS)}")
		fault = {"kind": kind, "left": int(count), "retry_after": int(retry_after), "delay": float(delay)}
		with self._lock:
			self._faults.setdefault(path, deque()).append(fault)

	def clear_faults(self) -> None:
		"""Forget every fault not yet used, and stop random faults."""
		with self._lock:
			self._faults.clear()
			self._random_faults = None

	def random_faults(
		self, rate: float, seed: int, kinds: tuple[str, ...] | None = None, delay: float = 0.3
	) -> None:
		"""From now on each API call fails with probability `rate`, in a kind drawn from `kinds` (seeded).

		Token endpoints are spared, so the faults fall on the calls the app retries, not on the login.
		"""
		kinds = kinds or STORM_KINDS
		unknown = set(kinds) - set(FAULT_KINDS)
		if unknown:
			raise ValueError(f"unknown fault kinds {sorted(unknown)}")
		with self._lock:
			self._random_faults = (float(rate), random.Random(seed), tuple(kinds), float(delay))
			self.random_fault_counts = {}

	def _random_fault(self, path: str) -> dict | None:
		if not self._random_faults or path.startswith("/api/v2/auth/"):
			return None
		rate, rng, kinds, delay = self._random_faults
		if rng.random() >= rate:
			return None
		kind = rng.choice(kinds)
		self.random_fault_counts[kind] = self.random_fault_counts.get(kind, 0) + 1
		return {"kind": kind, "left": 0, "retry_after": 1, "delay": delay}

	def _take_fault(self, path: str) -> dict | None:
		with self._lock:
			drawn = self._random_fault(path)
			if drawn:
				return drawn
			for key in (path, ANY_PATH):
				queue = self._faults.get(key)
				while queue and queue[0]["left"] <= 0:
					queue.popleft()
				if queue:
					queue[0]["left"] -= 1
					return dict(queue[0])
		return None

	def expire_access_token(self, shop_id: int) -> None:
		"""The shop's access tokens stop working now (the refresh token still works)."""
		self.tokens.expire_access(int(shop_id))

	def issued_tokens(self, shop_id: int) -> dict:
		"""The shop's current token pair and expiry times."""
		return self.tokens.current(int(shop_id))

	def tokens_valid(self, access_token: str, shop_id: int) -> bool:
		return self.tokens.is_valid_access(access_token, shop_id)

	def amend_order(
		self, order_sn: str, order_fields: dict | None = None, income: dict | None = None
	) -> None:
		"""Report other figures for an order from now on (e.g. a buyer-side amount escrow does not name)."""
		self.dataset.amend_order(order_sn, order_fields, income)

	def set_order_status(self, order_sn: str, status: str, update_time: int | None = None) -> int:
		"""Move an order to status (update_time defaults to now); returns the new update_time."""
		return self.dataset.set_status(order_sn, status, update_time)

	def set_item_status(self, shop_id: int, item_id: int, status: str) -> None:
		"""Shopee moderates a listing: BANNED, REVIEWING or SHOPEE_DELETE (NORMAL lifts it); update_time moves."""
		listings.moderate(self.dataset.products, int(shop_id), int(item_id), status, int(self.clock()))

	def place_order(self, shop_id: int, lines: list[dict]) -> str:
		"""A buyer orders [{item_id, model_id, quantity}] of NORMAL listings: a new READY_TO_SHIP order
		(get_order_list / get_order_detail list it) at the listings' prices; their stock goes down."""
		return self.dataset.place_order(int(shop_id), lines, int(self.clock()))

	@property
	def call_counts(self) -> dict[str, int]:
		with self._lock:
			return dict(self._counts)

	@property
	def calls(self) -> list[dict]:
		with self._lock:
			return [dict(call) for call in self._calls]

	def reset_counts(self) -> None:
		"""Forget the recorded calls and counts."""
		with self._lock:
			self._counts.clear()
			self._calls.clear()

	def _record(self, record: dict) -> None:
		with self._lock:
			self._counts[record["path"]] += 1
			self._calls.append(record)

	def push(
		self,
		url: str,
		code: int,
		data: dict,
		shop_id: int | None = None,
		timestamp: int | None = None,
		key: str | None = None,
	) -> tuple[int, bytes]:
		"""POST a Shopee-style signed push to a loopback url; returns (HTTP status, body).

		shop_id defaults to the first shop, except for partner-level codes (1, 2, 12), which then omit it.
		"""
		if not is_loopback_host(urlsplit(url).hostname or ""):
			raise ValueError("the sandbox only pushes to loopback URLs")
		message = {
			"code": int(code),
			"timestamp": int(self.clock() if timestamp is None else timestamp),
			"data": data,
		}
		if shop_id is not None or int(code) not in PARTNER_LEVEL_PUSH_CODES:
			message = {"shop_id": int(shop_id or self.dataset.shops[0]["shop_id"]), **message}
		raw = json.dumps(message, separators=(",", ":")).encode()
		signature = auth.push_signature(key or self.push_key or self.partner_key, url, raw)
		with requests.Session() as session:
			session.trust_env = False  # never route loopback pushes through an environment proxy
			headers = {"Authorization": signature, "Content-Type": "application/json"}
			response = session.post(url, data=raw, headers=headers, timeout=10)
		return response.status_code, response.content

	# -- request handling --------------------------------------------------------------------

	def serve_api(self, method: str, path: str, query: dict, raw_body: bytes, content_type: str = ""):
		"""Answer one API call (faults first, then Shopee's checks); DROP means hang up.

		The call is counted on arrival; its status and error are filled in once answered.
		"""
		body = _body_for_record(raw_body, content_type)
		record = {"method": method, "path": path, "query": query, "body": body, "status": None, "error": ""}
		self._record(record)
		try:
			reply = self._answer(method, path, query, raw_body, content_type)
		except ApiError as error:
			reply = Reply(error.status, error_envelope(error.error, error.message), error.headers)
		with self._lock:
			if reply is DROP:
				record["error"] = "connection_dropped"
			else:
				payload = reply.payload if isinstance(reply.payload, dict) else {}
				record.update(status=reply.status, error=payload.get("error", ""))
		return reply

	def _answer(self, method: str, path: str, query: dict, raw_body: bytes, content_type: str = ""):
		fault = self._take_fault(path)
		if fault and fault["kind"] not in APPLIED_FAULTS:
			if fault["kind"] == "drop":
				return DROP
			if fault["kind"] == "slow":
				time.sleep(fault["delay"])
			else:
				raise _fault_error(fault)
		if forms.is_multipart(content_type):
			fields, files = forms.parse_form(content_type, raw_body)
			call = Call(method, path, query, fields, files=files)
		else:
			call = Call(method, path, query, _parse_body(raw_body))
		reply = routes.handle(self, call)
		if fault and fault["kind"] == "drop_after_apply":
			return DROP
		if fault and fault["kind"] == "bad_gateway_after_apply":
			return Reply(502, b"<html>502 Bad Gateway</html>", {"Content-Type": "text/html"})
		return reply


def _is_ipv4_loopback(host: str) -> bool:
	try:
		return ipaddress.IPv4Address(host).is_loopback
	except ValueError:
		return False


def _body_for_record(raw_body: bytes, content_type: str = ""):
	if forms.is_multipart(content_type):
		try:
			return forms.describe(*forms.parse_form(content_type, raw_body))
		except ApiError:
			return f"<multipart body, {len(raw_body)} bytes>"
	try:
		return json.loads(raw_body) if raw_body.strip() else None
	except ValueError:
		return raw_body.decode("utf-8", "replace")


def _parse_body(raw_body: bytes) -> dict:
	if not raw_body.strip():
		return {}
	try:
		body = json.loads(raw_body)
	except ValueError:
		raise ApiError("error_param", "The request body is not a valid json format")
	if not isinstance(body, dict):
		raise ApiError("error_param", "The request body should be a JSON object.")
	return body


def _fault_error(fault: dict) -> ApiError:
	kind = fault["kind"]
	if kind == "rate_limit":
		return ApiError(
			"error_rate_limit", "Too many requests.", 429, {"Retry-After": str(fault["retry_after"])}
		)
	if kind == "server_error":
		return ApiError("error_server", "Something wrong. Please try later.", 500)
	return ApiError("invalid_acceess_token", "Invalid access_token.", 403)


def _flat_query(raw_query: str) -> dict:
	"""Query parameters; a repeated key keeps all its values as a list."""
	parsed = parse_qs(raw_query, keep_blank_values=True)
	return {key: values[0] if len(values) == 1 else values for key, values in parsed.items()}


class _Handler(BaseHTTPRequestHandler):
	server_version = "ShopeeSandbox/1.0"
	sys_version = ""

	def do_GET(self) -> None:
		self._serve("GET")

	def do_POST(self) -> None:
		self._serve("POST")

	def log_message(self, format: str, *args) -> None:
		"""Quiet: the calls are recorded on the SandboxServer instead."""

	def _serve(self, method: str) -> None:
		sandbox = self.server.sandbox
		parts = urlsplit(self.path)
		query = _flat_query(parts.query)
		raw_body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
		if parts.path.startswith(control.CONTROL_PREFIX):
			status, payload = control.handle(
				sandbox, method, parts.path, query, raw_body, self.client_address[0]
			)
			self._send(status, payload, {})
			return
		if "text/html" in (self.headers.get("Accept") or ""):
			query[ACCEPT_HTML] = "1"  # a person's browser: auth_partner shows its page
		content_type = self.headers.get("Content-Type") or ""
		reply = sandbox.serve_api(method, parts.path, query, raw_body, content_type)
		if reply is DROP:
			self._hang_up()
		else:
			self._send(reply.status, reply.payload, reply.headers)

	def _send(self, status: int, payload, headers: dict) -> None:
		"""JSON payloads are encoded; bytes (a downloaded document) go out as they are."""
		body = payload if isinstance(payload, bytes) else b"" if payload is None else dump_json(payload)
		headers = {"Content-Type": "application/json", **headers}
		try:
			self.send_response(status)
			self.send_header("Content-Length", str(len(body)))
			for name, value in headers.items():
				self.send_header(name, value)
			self.end_headers()
			self.wfile.write(body)
		except (BrokenPipeError, ConnectionResetError):
			self.close_connection = True  # the client gave up (e.g. its read timeout beat a "slow" fault)

	def _hang_up(self) -> None:
		"""Close the connection without a single byte of response."""
		self.close_connection = True
		try:
			self.connection.shutdown(socket.SHUT_RDWR)
		except OSError:
			pass
