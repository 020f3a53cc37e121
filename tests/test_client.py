"""Tier-1 tests of ShopeeClient against the local Shopee sandbox server: faults, retries, tokens, paging."""

import itertools
import random
import secrets
import socket
import threading
import time
import traceback
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from shopee_bridge import auth
from shopee_bridge.clients import (
	CallRecord,
	MemoryTokenStore,
	ShopeeAuthError,
	ShopeeClient,
	ShopeeDailyLimitError,
	ShopeeError,
	ShopeeNotFoundError,
	ShopeeParamError,
	ShopeeRateLimitError,
	ShopeeReauthorizationRequired,
	ShopeeServerError,
	ShopeeTokenInvalid,
	Tokens,
	error_from_response,
	redact,
	time_windows,
)

SHOP_INFO = "/api/v2/shop/get_shop_info"
ORDER_LIST = "/api/v2/order/get_order_list"
ORDER_DETAIL = "/api/v2/order/get_order_detail"
REFRESH = "/api/v2/auth/access_token/get"
TOKEN_GET = "/api/v2/auth/token/get"
ESCROW_BATCH = "/api/v2/payment/get_escrow_detail_batch"
DAY = 86400


class Env:
	"""One test's view of the sandbox: recorded sleeps and call records, a shared token store and lock."""

	def __init__(self, srv, partner):
		self.srv = srv
		self.partner_id = partner["partner_id"]
		self.partner_key = partner["partner_key"]
		self.sleeps: list[float] = []
		self.records: list[CallRecord] = []
		self.store = MemoryTokenStore()
		self.lock = threading.Lock()

	def client(self, shop_id=None, **overrides) -> ShopeeClient:
		options = {
			"token_store": self.store,
			"timeout": (2, 5),
			"max_retries": 3,
			"backoff_base": 0.01,
			"backoff_cap": 10.0,
			"sleep": self.sleeps.append,
			"on_call": self.records.append,
			"rng": random.Random(7),
			"lock": self.lock,
		}
		options.update(overrides)
		return ShopeeClient(self.srv.url, self.partner_id, self.partner_key, shop_id, **options)

	def authorize(self, **overrides) -> ShopeeClient:
		"""Run the OAuth dance against the sandbox; return a shop client with tokens in the store."""
		code, shop_id = _authorization_code(self)
		client = self.client(shop_id, **overrides)
		tokens = client.get_access_token(code, shop_id)
		assert self.store.load(shop_id) == tokens
		self.reset()
		return client

	def reset(self) -> None:
		self.srv.reset_counts()
		self.sleeps.clear()
		self.records.clear()

	def count(self, path: str) -> int:
		return self.srv.call_counts.get(path, 0)


@pytest.fixture
def env(sandbox, partner):
	sandbox.reset_counts()
	return Env(sandbox, partner)


@pytest.fixture
def shop(env) -> ShopeeClient:
	return env.authorize()


def _authorization_code(env) -> tuple[str, int]:
	"""The code and shop_id the sandbox's auth_partner redirect hands to the callback."""
	url = auth.authorization_url(env.srv.url, env.partner_id, env.partner_key, redirect="http://127.0.0.1/cb")
	answer = requests.get(url, allow_redirects=False, timeout=5)
	assert answer.status_code == 302
	query = parse_qs(urlparse(answer.headers["Location"]).query)
	return query["code"][0], int(query["shop_id"][0])


def _wait_for(condition, attempts: int = 100) -> bool:
	"""Poll condition (a slow sandbox handler finishes after the client gave up)."""
	for _ in range(attempts):
		if condition():
			return True
		time.sleep(0.05)
	return False


def _free_port() -> int:
	with socket.socket() as sock:
		sock.bind(("127.0.0.1", 0))
		return sock.getsockname()[1]


# ---- happy path --------------------------------------------------------------------------------------


def test_oauth_then_shop_info(env, shop):
	info = shop.get_shop_info()
	assert not info.get("error")
	assert env.count(SHOP_INFO) == 1
	tokens = env.store.load(shop.shop_id)
	issued = env.srv.issued_tokens(shop.shop_id)
	assert tokens.access_token == issued["access_token"]
	assert tokens.refresh_token == issued["refresh_token"]
	assert [(r.path, r.http_status, r.error, r.attempt) for r in env.records] == [(SHOP_INFO, 200, "", 1)]


# ---- rate limits and server errors -------------------------------------------------------------------


def test_rate_limit_honours_retry_after(env, shop):
	env.srv.inject_fault(SHOP_INFO, "rate_limit", count=2, retry_after=3)
	shop.get_shop_info()
	assert env.count(SHOP_INFO) == 3
	assert len(env.sleeps) == 2
	assert all(delay >= 3 for delay in env.sleeps)
	assert [r.error for r in env.records] == ["error_rate_limit", "error_rate_limit", ""]
	assert [r.http_status for r in env.records] == [429, 429, 200]


def test_retry_after_is_capped_by_backoff_cap(env):
	shop = env.authorize(backoff_cap=2.0)
	env.srv.inject_fault(SHOP_INFO, "rate_limit", count=1, retry_after=30)
	shop.get_shop_info()
	assert env.sleeps == [2.0]
	assert env.count(SHOP_INFO) == 2


def test_server_error_retried_then_success(env, shop):
	env.srv.inject_fault(SHOP_INFO, "server_error", count=2)
	shop.get_shop_info()
	assert env.count(SHOP_INFO) == 3
	assert len(env.sleeps) == 2
	# Backoff doubles per retry, jittered within [0.5, 1.0]x of 0.01 * 2**n.
	assert 0.005 <= env.sleeps[0] <= 0.01
	assert 0.01 <= env.sleeps[1] <= 0.02
	assert [r.attempt for r in env.records] == [1, 2, 3]


def test_retries_exhausted_raise_after_max_retries_plus_one(env, shop):
	env.srv.inject_fault(SHOP_INFO, "server_error", count=4)
	with pytest.raises(ShopeeServerError) as caught:
		shop.get_shop_info()
	assert env.count(SHOP_INFO) == shop.max_retries + 1 == 4
	assert len(env.sleeps) == 3
	assert caught.value.http_status == 500
	assert caught.value.code == "error_server"
	assert caught.value.path == SHOP_INFO


def test_param_error_is_not_retried(env, shop):
	now = int(time.time())
	with pytest.raises(ShopeeParamError):
		# Bypass the client's own 15-day check to see Shopee's answer.
		shop.request(
			"GET",
			ORDER_LIST,
			{"time_range_field": "update_time", "time_from": now - 40 * DAY, "time_to": now, "page_size": 10},
		)
	assert env.count(ORDER_LIST) == 1
	assert env.sleeps == []


# ---- timeouts and dropped connections ----------------------------------------------------------------


def test_slow_get_beyond_read_timeout_is_retried(env):
	shop = env.authorize(timeout=(2, 0.25))
	env.srv.inject_fault(SHOP_INFO, "slow", count=1, delay=1.0)
	shop.get_shop_info()
	# The sandbox records a slow call when its handler finishes, after the client gave up on it.
	assert _wait_for(lambda: env.count(SHOP_INFO) >= 2)
	assert env.count(SHOP_INFO) == 2
	assert [r.error for r in env.records] == ["read_timeout", ""]
	assert len(env.sleeps) == 1


def test_slow_post_write_is_not_repeated(env):
	# Token refresh is the sandbox's non-idempotent write: it consumes the single-use refresh token.
	shop = env.authorize(timeout=(2, 0.25))
	before = env.store.load(shop.shop_id)
	env.srv.inject_fault(REFRESH, "slow", count=1, delay=1.0)
	with pytest.raises(ShopeeServerError) as caught:
		shop.refresh_access_token()
	assert caught.value.sent is True
	assert caught.value.code == "read_timeout"
	assert _wait_for(lambda: env.count(REFRESH) >= 1)
	assert env.count(REFRESH) == 1
	assert env.sleeps == []
	assert env.store.load(shop.shop_id) == before
	# The slow refresh was applied server-side, so resending the old refresh token could only fail.
	assert _wait_for(lambda: env.srv.issued_tokens(shop.shop_id)["refresh_token"] != before.refresh_token)


def test_dropped_connection_on_get_is_retried(env, shop):
	env.srv.inject_fault(SHOP_INFO, "drop", count=1)
	shop.get_shop_info()
	assert env.count(SHOP_INFO) == 2
	assert [r.http_status for r in env.records] == [None, 200]
	assert env.records[0].error == "connection_error"


def test_dropped_connection_on_post_write_is_not_repeated(env):
	code, shop_id = _authorization_code(env)
	client = env.client(shop_id)
	env.srv.inject_fault(TOKEN_GET, "drop", count=1)
	with pytest.raises(ShopeeServerError) as caught:
		client.get_access_token(code, shop_id)
	assert caught.value.sent is True
	assert caught.value.code == "connection_error"
	assert env.count(TOKEN_GET) == 1
	assert env.store.load(shop_id) is None
	# "drop" never applied the call, so the single-use code still works when the caller decides to resend.
	tokens = client.get_access_token(code, shop_id)
	assert tokens.access_token == env.srv.issued_tokens(shop_id)["access_token"]


def test_read_only_post_is_retried_after_a_drop(env, shop):
	order_sn = env.srv.dataset.order_sns(shop.shop_id)[0]
	env.srv.inject_fault(ESCROW_BATCH, "drop", count=1)
	details = shop.get_escrow_detail_batch([order_sn])
	assert [d["escrow_detail"]["order_sn"] for d in details] == [order_sn]
	assert env.count(ESCROW_BATCH) == 2


def test_connection_refused_is_retried_even_for_writes():
	sleeps, records = [], []
	client = ShopeeClient(
		f"http://127.0.0.1:{_free_port()}",
		1,
		secrets.token_hex(16),
		sleep=sleeps.append,
		on_call=records.append,
		max_retries=2,
		backoff_base=0.01,
	)
	with pytest.raises(ShopeeServerError) as caught:
		client.request("POST", "/api/v2/public/get_shops_by_partner", body={"page_no": 1})
	assert caught.value.sent is False
	assert caught.value.code == "connect_failed"
	assert [(r.attempt, r.http_status, r.error) for r in records] == [
		(n, None, "connect_failed") for n in (1, 2, 3)
	]
	assert len(sleeps) == 2


# ---- tokens ------------------------------------------------------------------------------------------


def test_invalid_token_refreshes_once_and_replays(env, shop):
	before = env.store.load(shop.shop_id)
	env.srv.inject_fault(SHOP_INFO, "invalid_token", count=1)
	shop.get_shop_info()
	assert env.count(REFRESH) == 1
	assert env.count(SHOP_INFO) == 2
	after = env.store.load(shop.shop_id)
	assert after.access_token != before.access_token
	assert after.refresh_token != before.refresh_token
	assert after.access_token == env.srv.issued_tokens(shop.shop_id)["access_token"]


def test_second_token_error_raises_without_another_refresh(env, shop):
	env.srv.inject_fault(SHOP_INFO, "invalid_token", count=2)
	with pytest.raises(ShopeeTokenInvalid):
		shop.get_shop_info()
	assert env.count(REFRESH) == 1
	assert env.count(SHOP_INFO) == 2


def test_expired_access_token_refresh_and_replay(env, shop):
	env.srv.expire_access_token(shop.shop_id)
	shop.get_shop_info()
	assert env.count(REFRESH) == 1
	assert env.count(SHOP_INFO) == 2
	assert env.records[0].error.endswith(("invalid_acceess_token", "invalid_access_token", "error_auth"))


def test_proactive_refresh_near_expiry(env, shop):
	tokens = env.store.load(shop.shop_id)
	tokens.access_expires_at = int(time.time()) + 60  # inside the 300 s refresh margin
	env.store.save(shop.shop_id, tokens)
	shop.get_shop_info()
	assert [call["path"] for call in env.srv.calls] == [REFRESH, SHOP_INFO]
	assert env.store.load(shop.shop_id).access_expires_at > time.time() + 300


def test_refresh_rotation_is_persisted_and_old_refresh_token_is_dead(env, shop):
	first = env.store.load(shop.shop_id)
	second = shop.refresh_access_token()
	third = shop.refresh_access_token()
	assert env.store.load(shop.shop_id) == third
	assert len({first.refresh_token, second.refresh_token, third.refresh_token}) == 3
	assert third.access_token == env.srv.issued_tokens(shop.shop_id)["access_token"]
	stale = env.client(shop.shop_id, token_store=MemoryTokenStore({shop.shop_id: first}))
	with pytest.raises(ShopeeReauthorizationRequired):
		stale.refresh_access_token()
	assert env.count(REFRESH) == 3


def test_refused_refresh_during_a_call_needs_reauthorization(env, shop):
	shop.refresh_access_token()
	stale_store = MemoryTokenStore({shop.shop_id: env.store.load(shop.shop_id)})
	stale = env.client(shop.shop_id, token_store=stale_store)
	shop.refresh_access_token()  # rotates again: stale_store now holds a dead refresh token
	env.srv.expire_access_token(shop.shop_id)
	env.reset()
	with pytest.raises(ShopeeReauthorizationRequired):
		stale.get_shop_info()
	assert env.count(REFRESH) == 1
	assert env.count(SHOP_INFO) == 1


def test_no_stored_tokens_needs_reauthorization_without_a_call(env):
	client = env.client(600001)
	with pytest.raises(ShopeeReauthorizationRequired):
		client.get_shop_info()
	assert env.srv.call_counts.get(SHOP_INFO, 0) == 0


@pytest.mark.parametrize("trigger", ["expired_on_server", "near_expiry"])
def test_concurrent_workers_refresh_exactly_once(env, shop, trigger):
	if trigger == "expired_on_server":
		env.srv.expire_access_token(shop.shop_id)
	else:
		tokens = env.store.load(shop.shop_id)
		tokens.access_expires_at = int(time.time()) + 10
		env.store.save(shop.shop_id, tokens)
	workers, barrier, results, errors = 8, threading.Barrier(8), [], []

	def work():
		client = env.client(shop.shop_id)  # own client and session; shared store and lock
		barrier.wait()
		try:
			results.append(client.get_shop_info())
		except Exception as exc:
			errors.append(exc)

	threads = [threading.Thread(target=work) for _ in range(workers)]
	for thread in threads:
		thread.start()
	for thread in threads:
		thread.join()
	assert errors == []
	assert len(results) == workers
	assert env.count(REFRESH) == 1
	assert workers <= env.count(SHOP_INFO) <= 2 * workers
	if trigger == "near_expiry":
		assert env.count(SHOP_INFO) == workers


# ---- paging and batching -----------------------------------------------------------------------------


def test_cursor_walk_returns_every_order_in_the_window_once(env, shop):
	orders = _dataset_orders(env.srv, shop.shop_id)
	time_to = max(o["update_time"] for o in orders)
	time_from = time_to - 15 * DAY
	expected = {o["order_sn"] for o in orders if time_from <= o["update_time"] <= time_to}
	assert len(expected) > 7
	seen = [row["order_sn"] for row in shop.iter_order_list(time_from, time_to, page_size=7)]
	assert len(seen) == len(set(seen))
	assert set(seen) == expected
	assert env.count(ORDER_LIST) == -(-len(expected) // 7)


def test_windowed_walk_covers_all_orders(env, shop):
	orders = _dataset_orders(env.srv, shop.shop_id)
	assert len(orders) == 60
	time_from = min(o["create_time"] for o in orders)
	time_to = max(o["create_time"] for o in orders)
	seen = []
	for start, end in time_windows(time_from, time_to):
		window = [
			row["order_sn"]
			for row in shop.iter_order_list(start, end, time_range_field="create_time", page_size=9)
		]
		assert len(window) == len(set(window))
		seen += window
	assert set(seen) == {o["order_sn"] for o in orders}
	# Adjacent windows share a boundary second; only an order created exactly on it may repeat.
	assert len(seen) - len(set(seen)) <= len(time_windows(time_from, time_to)) - 1


def test_iter_order_list_rejects_windows_over_15_days(shop, env):
	with pytest.raises(ValueError):
		list(shop.iter_order_list(0, 15 * DAY + 1))
	assert env.count(ORDER_LIST) == 0


def test_order_details_are_chunked_by_50(env, shop):
	order_sns = [o["order_sn"] for o in _dataset_orders(env.srv, shop.shop_id)]
	details = list(shop.iter_order_details(order_sns + order_sns[:5]))
	assert sorted(d["order_sn"] for d in details) == sorted(order_sns)
	assert env.count(ORDER_DETAIL) == -(-len(order_sns) // 50)
	detail_queries = [call["query"] for call in env.srv.calls if call["path"] == ORDER_DETAIL]
	assert all("item_list" in _query_value(q, "response_optional_fields") for q in detail_queries)
	with pytest.raises(ValueError):
		shop.get_order_detail([])
	with pytest.raises(ValueError):
		shop.get_order_detail([f"SN{i}" for i in range(51)])


def test_120_orders_take_3_detail_calls(partner):
	from shopee_bridge.sandbox import SandboxServer

	with SandboxServer(
		partner_id=partner["partner_id"], partner_key=partner["partner_key"], seed=3, orders=120
	) as srv:
		env = Env(srv, partner)
		shop = env.authorize()
		order_sns = [o["order_sn"] for o in _dataset_orders(srv, shop.shop_id)]
		assert len(order_sns) == 120
		details = list(shop.iter_order_details(order_sns))
		assert len(details) == 120
		assert env.count(ORDER_DETAIL) == 3


def test_return_and_wallet_pages_match_the_dataset(env, shop):
	dataset = env.srv.dataset
	expected_returns = [entry.return_sn for entry in dataset.list_returns(shop.shop_id)]
	assert len(expected_returns) >= 3
	assert [row["return_sn"] for row in shop.iter_returns(page_size=2)] == expected_returns
	assert env.count("/api/v2/returns/get_return_list") == -(-len(expected_returns) // 2)
	time_from, time_to = dataset.anchor - 15 * DAY, dataset.anchor
	expected_rows = dataset.wallet_transactions(shop.shop_id, time_from, time_to)
	assert len(expected_rows) >= 3
	rows = list(shop.iter_wallet_transactions(time_from, time_to, page_size=2))
	assert [row["transaction_id"] for row in rows] == [row["transaction_id"] for row in expected_rows]


def test_single_record_endpoints(env, shop):
	order_sn = env.srv.dataset.order_sns(shop.shop_id)[0]
	return_sn = env.srv.dataset.list_returns(shop.shop_id)[0].return_sn
	assert shop.get_escrow_detail(order_sn)["order_sn"] == order_sn
	assert "tracking_number" in shop.get_tracking_number(order_sn)
	assert shop.get_return_detail(return_sn)["return_sn"] == return_sn
	with pytest.raises(ShopeeNotFoundError):
		shop.get_escrow_detail("NO-SUCH-ORDER")
	assert env.count("/api/v2/payment/get_escrow_detail") == 2
	assert env.sleeps == []


def _dataset_orders(srv, shop_id) -> list[dict]:
	dataset = srv.dataset
	return [dataset.order_detail(dataset.index_of(sn)) for sn in dataset.order_sns(shop_id)]


def _query_value(query, key) -> str:
	value = query.get(key) if isinstance(query, dict) else parse_qs(query).get(key)
	return value[0] if isinstance(value, list) else str(value)


# ---- redaction ---------------------------------------------------------------------------------------


def test_no_secret_reaches_records_or_exceptions(env, shop):
	env.srv.inject_fault(SHOP_INFO, "invalid_token", count=1)
	shop.get_shop_info()
	env.srv.inject_fault(SHOP_INFO, "invalid_token", count=2)
	failures = []
	with pytest.raises(ShopeeTokenInvalid) as caught:
		shop.get_shop_info()
	failures.append(caught.value)
	code, shop_id = _authorization_code(env)
	env.srv.inject_fault(TOKEN_GET, "drop", count=1)
	with pytest.raises(ShopeeServerError) as caught:
		env.client(shop_id, token_store=MemoryTokenStore()).get_access_token(code, shop_id)
	failures.append(caught.value)
	secret_values = {code}
	stale = env.client(
		shop.shop_id, token_store=MemoryTokenStore({shop.shop_id: Tokens("a" * 32, "b" * 32, 0)})
	)
	with pytest.raises(ShopeeReauthorizationRequired) as caught:
		stale.get_shop_info()
	failures.append(caught.value)

	secret_values |= {env.partner_key, "a" * 32, "b" * 32}
	for call in env.srv.calls:
		for key in ("sign", "access_token", "refresh_token", "code"):
			for source in (call.get("query") or {}, call.get("body") or {}):
				value = source.get(key) if isinstance(source, dict) else None
				if value:
					secret_values.add(value[0] if isinstance(value, list) else str(value))
	secret_values |= {env.store.load(shop.shop_id).access_token, env.store.load(shop.shop_id).refresh_token}
	assert len(secret_values) > 5
	texts = [repr(r) for r in env.records] + [repr(shop), repr(env.store.load(shop.shop_id))]
	for exc in failures:
		texts += [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
	leaks = [(secret[:6], text[:80]) for secret in secret_values for text in texts if secret in text]
	assert leaks == []
	assert all(r.params.get("sign") == "***" for r in env.records)


def test_redact_masks_nested_secrets():
	masked = redact(
		{"sign": "s", "Authorization": "x", "body": {"refresh_token": "r", "page": 1}, "code": "c"}
	)
	assert masked == {
		"sign": "***",
		"Authorization": "***",
		"body": {"refresh_token": "***", "page": 1},
		"code": "***",
	}


def test_error_message_echoing_a_secret_is_scrubbed():
	key = secrets.token_hex(16)
	exc = ShopeeError(f"bad url ?sign={key}&access_token={key}", code="error_param")
	assert key not in str(exc)


# ---- pure helpers ------------------------------------------------------------------------------------


def test_time_windows_split_and_cover():
	assert time_windows(0, 40 * DAY) == [(0, 15 * DAY), (15 * DAY, 30 * DAY), (30 * DAY, 40 * DAY)]
	assert time_windows(100, 100) == []
	assert time_windows(0, 10, max_span=4) == [(0, 4), (4, 8), (8, 10)]
	windows = time_windows(1_700_000_000, 1_700_000_000 + 100 * DAY + 17)
	assert windows[0][0] == 1_700_000_000 and windows[-1][1] == 1_700_000_000 + 100 * DAY + 17
	assert all(end - start <= 15 * DAY for start, end in windows)
	assert all(a[1] == b[0] for a, b in itertools.pairwise(windows))
	with pytest.raises(ValueError):
		time_windows(0, 10, max_span=0)


def test_backoff_jitter_bounds():
	client = ShopeeClient(
		"http://127.0.0.1:9",
		1,
		secrets.token_hex(8),
		rng=random.Random(1),
		backoff_base=1.0,
		backoff_cap=60.0,
	)
	for attempt in range(10):
		ceiling = min(60.0, 2**attempt)
		delays = [client.backoff_delay(attempt) for _ in range(200)]
		assert all(0.5 * ceiling <= d <= ceiling for d in delays)
		assert max(delays) - min(delays) > 0.2 * ceiling  # really jittered, not constant


@pytest.mark.parametrize(
	"status, payload, expected",
	[
		(403, {"error": "invalid_acceess_token", "message": "Invalid access_token."}, ShopeeTokenInvalid),
		(403, {"error": "common.invalid_access_token"}, ShopeeTokenInvalid),
		(403, {"error": "error_auth", "message": "Invalid access_token."}, ShopeeTokenInvalid),
		(403, {"error": "error_auth", "message": "No permission to current api."}, ShopeeAuthError),
		(403, {"error": "error_sign"}, ShopeeAuthError),
		(403, {"error": "error_shop_refresh_token"}, ShopeeReauthorizationRequired),
		(403, {"error": "shop_banned"}, ShopeeReauthorizationRequired),
		(429, {"error": "error_rate_limit"}, ShopeeRateLimitError),
		(429, None, ShopeeRateLimitError),
		(200, {"error": "error_limit"}, ShopeeDailyLimitError),
		(200, {"error": "order.order_list_invalid_time"}, ShopeeParamError),
		(400, {"error": "logistics.error_param"}, ShopeeParamError),
		(200, {"error": "error_data", "message": "data not exist"}, ShopeeNotFoundError),
		(500, {"error": "error_inner"}, ShopeeServerError),
		(200, {"error": "error_system_busy"}, ShopeeServerError),
		(502, None, ShopeeServerError),
		(200, None, ShopeeServerError),
		(200, {"error": "error_something_new"}, ShopeeError),
	],
)
def test_error_classification(status, payload, expected):
	error = error_from_response(status, payload, "/api/v2/x")
	assert type(error) is expected
	assert error.path == "/api/v2/x"


def test_success_is_not_an_error():
	assert error_from_response(200, {"error": "", "request_id": "r", "response": {}}, "/p") is None
	assert error_from_response(200, {"request_id": "r", "shop_name": "x"}, "/p") is None


def test_bare_gateway_error_on_a_write_is_not_repeated():
	error = error_from_response(502, None, "/p")
	assert error.may_repeat(idempotent=True)
	assert not error.may_repeat(idempotent=False)
	answered = error_from_response(500, {"error": "error_server"}, "/p")
	assert answered.may_repeat(idempotent=False)
