"""Tests of the local Shopee sandbox: Shopee's checks, tokens, paging, faults, controls, data and push."""

import json
import re
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from shopee_bridge import auth
from shopee_bridge.sandbox import Dataset, SandboxServer
from shopee_bridge.sandbox.catalogue import UNMAPPED_SKU
from shopee_bridge.sandbox.orders import STATUSES
from shopee_bridge.sandbox.tokens import TokenStore

SHOP_ID = 600001
DAY = 86400
SHOP_INFO = "/api/v2/shop/get_shop_info"
ORDER_LIST = "/api/v2/order/get_order_list"
ORDER_DETAIL = "/api/v2/order/get_order_detail"
TOKEN_GET = "/api/v2/auth/token/get"
REFRESH = "/api/v2/auth/access_token/get"
ESCROW_BATCH = "/api/v2/payment/get_escrow_detail_batch"
HTTP = requests.Session()
HTTP.trust_env = False  # loopback only: never through an environment proxy


def signed(srv, path, shop_id=SHOP_ID, access_token=None, key=None, partner_id=None, timestamp=None) -> dict:
	partner_id = srv.partner_id if partner_id is None else partner_id
	key = key or srv.partner_key
	if auth.is_public_path(path):
		return auth.signed_query(key, partner_id, path, timestamp=timestamp)
	token = access_token or srv.issued_tokens(shop_id)["access_token"]
	return auth.signed_query(key, partner_id, path, token, shop_id, timestamp=timestamp)


def get(srv, path, params=None, timeout=10, **sign):
	query = {**signed(srv, path, **sign), **(params or {})}
	return HTTP.get(srv.url + path, params=query, allow_redirects=False, timeout=timeout)


def post(srv, path, body, **sign):
	return HTTP.post(srv.url + path, params=signed(srv, path, **sign), json=body, timeout=10)


def authorize(srv, redirect="http://127.0.0.1:9/callback?state=abc", extra=None) -> dict:
	answer = get(srv, auth.AUTH_PARTNER_PATH, {"redirect": redirect, **(extra or {})})
	assert answer.status_code == 302
	return {key: values[0] for key, values in parse_qs(urlsplit(answer.headers["Location"]).query).items()}


def escrow_formula(income: dict) -> Decimal:
	"""Shopee's escrow formula (shopee-api.md §9.1) over the components the sandbox reports."""
	return (
		income["original_cost_of_goods_sold"] - income["original_shopee_discount"] + income["seller_return_refund"]
		+ income["shopee_discount"] - income["voucher_from_seller"] - income["seller_coin_cash_back"]
		+ income["buyer_paid_shipping_fee"] - income["actual_shipping_fee"] + income["shopee_shipping_rebate"]
		+ income["shipping_fee_discount_from_3pl"] - income["reverse_shipping_fee"]
		- income["final_return_to_seller_shipping_fee"] - income["seller_transaction_fee"] - income["service_fee"]
		- income["commission_fee"] - income["campaign_fee"] - income["order_ams_commission_fee"]
	)  # fmt: skip


def order_list_params(time_from, time_to, page_size=100, field="create_time", **extra) -> dict:
	return {
		"time_range_field": field,
		"time_from": time_from,
		"time_to": time_to,
		"page_size": page_size,
		**extra,
	}


# -- common checks ---------------------------------------------------------------------------


def test_good_sign_gets_shop_info_at_top_level(sandbox):
	answer = get(sandbox, SHOP_INFO)
	info = answer.json()
	assert answer.status_code == 200 and info["error"] == ""
	assert re.fullmatch(r"[0-9a-f]{32}", info["request_id"])
	assert (info["shop_name"], info["region"], info["status"]) == ("Sandbox Shop SG", "SG", "NORMAL")
	assert info["is_cb"] is False and info["merchant_id"] is None and "currency" not in info
	assert info["expire_time"] - info["auth_time"] == 365 * DAY


@pytest.mark.parametrize(
	"change, status, error, message",
	[
		({"key": "0" * 32}, 403, "error_sign", "Wrong sign."),
		({"timestamp": 1_600_000_000}, 400, "error_param", "Timestamp is expired"),
		({"partner_id": 1}, 403, "invalid_partner_id", "Invalid partner_id."),
		({"access_token": "f" * 32}, 403, "invalid_acceess_token", "Invalid access_token."),
	],
)
def test_common_checks_refuse(sandbox, change, status, error, message):
	answer = get(sandbox, SHOP_INFO, **change)
	assert answer.status_code == status
	assert (answer.json()["error"], answer.json()["message"]) == (error, message)


def test_public_signature_on_a_shop_path_is_a_wrong_sign(sandbox):
	query = signed(sandbox, SHOP_INFO)
	query["sign"] = auth.sign(sandbox.partner_key, sandbox.partner_id, SHOP_INFO, query["timestamp"])
	answer = HTTP.get(sandbox.url + SHOP_INFO, params=query, timeout=10)
	assert answer.json()["error"] == "error_sign"


def test_unknown_path_is_not_found(sandbox):
	answer = get(sandbox, "/api/v2/order/no_such_api")
	assert answer.status_code == 404 and answer.json()["error"] == "error_not_found"


# -- authorization and tokens ----------------------------------------------------------------


def test_authorization_code_tokens_and_refresh_rotation(sandbox):
	redirected = authorize(sandbox)
	assert redirected["state"] == "abc" and int(redirected["shop_id"]) == SHOP_ID
	body = {"code": redirected["code"], "partner_id": sandbox.partner_id, "shop_id": SHOP_ID}
	first = post(sandbox, TOKEN_GET, body).json()
	assert first["error"] == "" and first["expire_in"] == 14400
	assert first["access_token"] == sandbox.issued_tokens(SHOP_ID)["access_token"]
	again = post(sandbox, TOKEN_GET, body)
	assert again.status_code == 403 and again.json()["error"] == "invalid_code"

	refresh_body = {
		"refresh_token": first["refresh_token"],
		"partner_id": sandbox.partner_id,
		"shop_id": SHOP_ID,
	}
	second = post(sandbox, REFRESH, refresh_body).json()
	assert (
		second["error"] == "" and second["shop_id"] == SHOP_ID and second["partner_id"] == sandbox.partner_id
	)
	assert (
		second["refresh_token"] != first["refresh_token"] and second["access_token"] != first["access_token"]
	)
	reused = post(sandbox, REFRESH, refresh_body).json()
	assert (reused["error"], reused["message"]) == ("error_auth", "Invalid refresh_token.")
	# the previous access token keeps working for 5 minutes, the new one works too
	assert get(sandbox, SHOP_INFO, access_token=first["access_token"]).status_code == 200
	assert get(sandbox, SHOP_INFO, access_token=second["access_token"]).status_code == 200


def test_code_is_for_one_shop_and_auth_partner_can_pick_the_shop(partner):
	shops = [{"shop_id": 700001, "region": "SG"}, {"shop_id": 700002, "region": "MY", "currency": "MYR"}]
	with SandboxServer(partner["partner_id"], partner["partner_key"], orders=20, shops=shops) as srv:
		redirected = authorize(srv, "http://127.0.0.1:9/cb", {"sandbox_shop_id": 700002})
		assert redirected["shop_id"] == "700002"
		wrong = {"code": redirected["code"], "partner_id": srv.partner_id, "shop_id": 700001}
		assert post(srv, TOKEN_GET, wrong).json()["error"] == "invalid_code"
		right = dict(wrong, shop_id=700002)
		assert post(srv, TOKEN_GET, right).json()["error"] == ""


def test_a_browser_gets_the_authorization_page_and_confirms_a_shop(partner):
	shops = [{"shop_id": 700001, "region": "SG"}, {"shop_id": 700002, "region": "MY", "currency": "MYR"}]
	with SandboxServer(partner["partner_id"], partner["partner_key"], orders=20, shops=shops) as srv:
		query = {**signed(srv, auth.AUTH_PARTNER_PATH), "redirect": "http://127.0.0.1:9/cb?state=s1"}
		page = HTTP.get(srv.url + auth.AUTH_PARTNER_PATH, params=query, headers={"Accept": "text/html"})
		assert page.status_code == 200
		assert page.headers["Content-Type"].startswith("text/html")
		assert re.findall(r'name="sandbox_shop_id" value="(\d+)"', page.text) == ["700001", "700002"]
		assert "Confirm Authorization" in page.text
		hidden = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
		assert hidden == {key: str(value) for key, value in query.items()}
		# the form, submitted with the second shop picked, redirects to the app with a code for it
		confirmed = HTTP.get(
			srv.url + auth.AUTH_PARTNER_PATH,
			params={**hidden, "sandbox_shop_id": "700002"},
			headers={"Accept": "text/html"},
			allow_redirects=False,
		)
		assert confirmed.status_code == 302
		location = urlsplit(confirmed.headers["Location"])
		assert parse_qs(location.query)["state"] == ["s1"]
		assert parse_qs(location.query)["shop_id"] == ["700002"]


def test_code_and_old_access_token_expire_on_time():
	now = [1_000_000.0]
	store = TokenStore([1], clock=lambda: now[0])
	code = store.issue_code(1)
	now[0] += 601
	with pytest.raises(Exception, match="invalid_code"):
		store.exchange_code(code, 1)
	old = store.current(1)
	store.refresh(old["refresh_token"], 1)
	now[0] += 299
	assert store.is_valid_access(old["access_token"], 1)
	now[0] += 2
	assert not store.is_valid_access(old["access_token"], 1)


def test_expired_access_token_is_refused_until_refreshed(sandbox):
	before = sandbox.issued_tokens(SHOP_ID)
	sandbox.expire_access_token(SHOP_ID)
	assert (
		get(sandbox, SHOP_INFO, access_token=before["access_token"]).json()["error"]
		== "invalid_acceess_token"
	)
	body = {"refresh_token": before["refresh_token"], "partner_id": sandbox.partner_id, "shop_id": SHOP_ID}
	fresh = post(sandbox, REFRESH, body).json()
	assert get(sandbox, SHOP_INFO, access_token=fresh["access_token"]).json()["error"] == ""


# -- orders ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
	"params, error",
	[
		({"page_size": 101}, "error_param"),
		({"page_size": 0}, "error_param"),
		({"time_to_offset": 16 * DAY}, "order.order_list_invalid_time"),
		({"time_range_field": "pay_time"}, "error_param"),
		({"cursor": "not-a-cursor"}, "error_param"),
	],
)
def test_order_list_limits(sandbox, params, error):
	start = sandbox.dataset.anchor - 20 * DAY
	query = order_list_params(start, start + params.pop("time_to_offset", DAY), **params)
	answer = get(sandbox, ORDER_LIST, query)
	assert answer.status_code == 400 and answer.json()["error"] == error


def test_cursor_walk_returns_every_order_exactly_once(sandbox):
	anchor, seen = sandbox.dataset.anchor, []
	for start in range(anchor - 60 * DAY, anchor + 1, 15 * DAY):
		cursor = ""
		while True:
			query = order_list_params(start, min(start + 15 * DAY - 1, anchor), page_size=7, cursor=cursor)
			page = get(sandbox, ORDER_LIST, query).json()["response"]
			seen += [row["order_sn"] for row in page["order_list"]]
			assert len(page["order_list"]) <= 7 and bool(page["next_cursor"]) == page["more"]
			cursor = page["next_cursor"]
			if not page["more"]:
				break
	assert len(seen) == len(set(seen)) == 60
	assert set(seen) == set(sandbox.dataset.order_sns())


def test_order_status_only_with_optional_field_and_filter(sandbox):
	anchor = sandbox.dataset.anchor
	plain = get(sandbox, ORDER_LIST, order_list_params(anchor - 15 * DAY, anchor)).json()["response"]
	assert plain["order_list"] and all(set(row) == {"order_sn"} for row in plain["order_list"])
	query = order_list_params(anchor - 15 * DAY, anchor, response_optional_fields="order_status")
	rows = get(sandbox, ORDER_LIST, query).json()["response"]["order_list"]
	assert [row["order_sn"] for row in rows] == [row["order_sn"] for row in plain["order_list"]]
	status = rows[0]["order_status"]
	filtered = get(sandbox, ORDER_LIST, dict(query, order_status=status)).json()["response"]["order_list"]
	assert filtered and all(row["order_status"] == status for row in filtered)


def test_order_detail_batch_limits_fields_and_warning(sandbox):
	order_sns = sandbox.dataset.order_sns()
	too_many = get(sandbox, ORDER_DETAIL, {"order_sn_list": ",".join(order_sns[:51])})
	assert too_many.status_code == 400 and too_many.json()["error"] == "error_param"
	assert get(sandbox, ORDER_DETAIL, {"order_sn_list": ""}).json()["error"] == "error_param"
	plain = get(sandbox, ORDER_DETAIL, {"order_sn_list": ",".join(order_sns[:50])}).json()
	assert len(plain["response"]["order_list"]) == 50
	assert (
		"item_list" not in plain["response"]["order_list"][0]
		and "currency" in plain["response"]["order_list"][0]
	)
	fields = "item_list,total_amount,recipient_address,buyer_user_id"
	query = {"order_sn_list": f"{order_sns[0]},NOPE00000000XX", "response_optional_fields": fields}
	answer = get(sandbox, ORDER_DETAIL, query).json()
	assert answer["warning"] == ["NOPE00000000XX"]
	(order,) = answer["response"]["order_list"]
	assert order["order_sn"] == order_sns[0] and order["item_list"] and order["buyer_user_id"]
	assert "buyer_username" not in order and "package_list" not in order


def test_set_order_status_moves_the_order_and_tracking(sandbox):
	order_sn = next(
		sn
		for sn in sandbox.dataset.order_sns()
		if sandbox.dataset.state(sandbox.dataset.index_of(sn))[0] == "UNPAID"
	)
	tracking = "/api/v2/logistics/get_tracking_number"
	assert get(sandbox, tracking, {"order_sn": order_sn}).json()["response"]["tracking_number"] == ""
	update_time = sandbox.set_order_status(order_sn, "PROCESSED")
	assert (
		get(sandbox, tracking, {"order_sn": order_sn}).json()["response"]["tracking_number"].startswith("SPX")
	)
	query = order_list_params(
		update_time - 60, update_time, field="update_time", response_optional_fields="order_status"
	)
	rows = get(sandbox, ORDER_LIST, query).json()["response"]["order_list"]
	assert {"order_sn": order_sn, "order_status": "PROCESSED"} in rows
	detail = get(sandbox, ORDER_DETAIL, {"order_sn_list": order_sn}).json()["response"]["order_list"][0]
	assert (detail["order_status"], detail["update_time"]) == ("PROCESSED", update_time)


# -- faults and call recording ---------------------------------------------------------------


def test_rate_limit_and_server_error_faults(sandbox):
	sandbox.inject_fault(SHOP_INFO, "rate_limit", count=2, retry_after=3)
	sandbox.inject_fault("*", "server_error")
	for _ in range(2):
		limited = get(sandbox, SHOP_INFO)
		assert limited.status_code == 429 and limited.headers["Retry-After"] == "3"
		assert limited.json()["error"] == "error_rate_limit"
	broken = get(sandbox, ORDER_DETAIL, {"order_sn_list": sandbox.dataset.order_sns()[0]})
	assert broken.status_code == 500 and broken.json()["error"] == "error_server"
	assert get(sandbox, SHOP_INFO).status_code == 200
	assert sandbox.call_counts == {SHOP_INFO: 3, ORDER_DETAIL: 1}


def test_slow_fault_answers_late(sandbox):
	sandbox.inject_fault(SHOP_INFO, "slow", count=2, delay=0.3)
	assert get(sandbox, SHOP_INFO).json()["error"] == ""
	with pytest.raises(requests.exceptions.ReadTimeout):
		get(sandbox, SHOP_INFO, timeout=0.05)
	assert sandbox.call_counts[SHOP_INFO] == 2


def test_drop_fault_does_not_apply_the_request(sandbox):
	code = authorize(sandbox)["code"]
	sandbox.inject_fault(TOKEN_GET, "drop")
	body = {"code": code, "partner_id": sandbox.partner_id, "shop_id": SHOP_ID}
	with pytest.raises(requests.exceptions.ConnectionError):
		post(sandbox, TOKEN_GET, body)
	assert post(sandbox, TOKEN_GET, body).json()["error"] == ""
	dropped, applied = [call for call in sandbox.calls if call["path"] == TOKEN_GET]
	assert (dropped["status"], dropped["error"]) == (None, "connection_dropped")
	assert dropped["body"] == body and applied["status"] == 200


def test_invalid_token_fault_and_call_records(sandbox):
	sandbox.inject_fault(SHOP_INFO, "invalid_token")
	refused = get(sandbox, SHOP_INFO)
	assert refused.status_code == 403
	assert (refused.json()["error"], refused.json()["message"]) == (
		"invalid_acceess_token",
		"Invalid access_token.",
	)
	get(sandbox, SHOP_INFO)
	first, second = sandbox.calls
	assert (first["method"], first["path"], first["status"], first["error"]) == (
		"GET",
		SHOP_INFO,
		403,
		"invalid_acceess_token",
	)
	assert (second["status"], second["error"]) == (200, "") and second["query"]["shop_id"] == str(SHOP_ID)
	sandbox.reset_counts()
	assert sandbox.calls == [] and sandbox.call_counts == {}
	with pytest.raises(ValueError):
		sandbox.inject_fault(SHOP_INFO, "meltdown")


def test_http_controls(sandbox):
	def control(method, name, body=None, **params):
		return HTTP.request(method, f"{sandbox.url}/_sandbox/{name}", json=body, params=params, timeout=10)

	assert control("GET", "info").json()["partner_id"] == sandbox.partner_id
	assert control("POST", "faults", {"path": SHOP_INFO, "kind": "server_error"}).json() == {"ok": True}
	assert get(sandbox, SHOP_INFO).status_code == 500
	recorded = control("GET", "calls").json()
	assert recorded["counts"] == {SHOP_INFO: 1} and recorded["calls"][0]["status"] == 500
	assert control("POST", "reset_counts").json() == {"ok": True} and sandbox.call_counts == {}
	tokens = control("GET", "tokens", shop_id=SHOP_ID).json()
	assert tokens == sandbox.issued_tokens(SHOP_ID)
	assert control("POST", "expire_token", {"shop_id": SHOP_ID}).json() == {"ok": True}
	assert (
		get(sandbox, SHOP_INFO, access_token=tokens["access_token"]).json()["error"]
		== "invalid_acceess_token"
	)
	order_sn = sandbox.dataset.order_sns()[0]
	moved = control(
		"POST", "orders/status", {"order_sn": order_sn, "status": "CANCELLED", "update_time": 1_900_000_000}
	)
	assert moved.json()["update_time"] == 1_900_000_000
	assert sandbox.dataset.state(sandbox.dataset.index_of(order_sn)) == ("CANCELLED", 1_900_000_000)
	assert control("POST", "orders/status", {"order_sn": order_sn, "status": "LOST"}).status_code == 400
	assert control("GET", "nothing").status_code == 404


# -- data ------------------------------------------------------------------------------------


def _line_identities_hold(detail: dict, income: dict, before_rebate: bool = False) -> None:
	items = income["items"]
	assert sum(item["discounted_price"] for item in items) == income["order_discounted_price"]
	for line, item in zip(detail["item_list"], items, strict=True):
		rebate = 0 if before_rebate else item["shopee_discount"]
		assert item["original_price"] - item["seller_discount"] - rebate == item["discounted_price"]
		if line["promotion_type"] == "bundle_deal":
			assert line["model_discounted_price"] == 0
		else:
			assert (
				line["model_discounted_price"] * line["model_quantity_purchased"] == item["discounted_price"]
			)
	rebates = 0 if before_rebate else sum(item["shopee_discount"] for item in items)
	assert income["original_cost_of_goods_sold"] == income["order_discounted_price"] + rebates
	assert income["original_shopee_discount"] == sum(item["shopee_discount"] for item in items)
	spread = [
		("voucher_from_seller", "discount_from_voucher_seller"),
		("voucher_from_shopee", "discount_from_voucher_shopee"),
		("coins", "discount_from_coin"),
	]
	for key, item_key in spread:
		assert sum(item[item_key] for item in items) == income[key]


def _money_identities_hold(dataset, index):
	detail = dataset.order_detail(index, {"item_list", "total_amount"})
	income = dataset.escrow_detail(index)["order_income"]
	before_rebate = dataset.facts(index)["item_prices"] == "before_rebate"
	_line_identities_hold(detail, income, before_rebate)
	discounts = income["seller_discount"] + (0 if before_rebate else income["original_shopee_discount"])
	assert income["order_original_price"] - discounts == income["order_discounted_price"]
	paid = income["original_cost_of_goods_sold"] - income["original_shopee_discount"]
	paid -= income["voucher_from_seller"] + income["voucher_from_shopee"] + income["coins"]
	paid -= income["payment_promotion"]
	paid += income["buyer_paid_shipping_fee"] + income["buyer_transaction_fee"]
	assert detail["total_amount"] == income["buyer_total_amount"] == paid > 0
	assert income["escrow_amount"] == escrow_formula(income)
	refunded = income["seller_return_refund"] != 0
	assert (income["shopee_discount"] < income["original_shopee_discount"]) <= refunded
	assert (income["cost_of_goods_sold"] != income["order_discounted_price"]) == refunded
	shipping = (
		income["buyer_paid_shipping_fee"] - income["actual_shipping_fee"] + income["shopee_shipping_rebate"]
	)
	assert income["final_shipping_fee"] == shipping
	amounts = [income[key] for key in ("escrow_amount", "buyer_total_amount", "commission_fee")]
	assert all(amount == amount.quantize(Decimal("0.01")) for amount in amounts)
	return detail


def test_money_identities_for_300_orders():
	dataset = Dataset(seed=3, orders=300)
	details = [_money_identities_hold(dataset, index) for index in range(len(dataset))]
	promotions = {line["promotion_type"] for detail in details for line in detail["item_list"]}
	assert {"bundle_deal", "product_promotion", ""} <= promotions


HARSH_SHOPS = [
	{"shop_id": 1, "region": "SG", "currency": "SGD"},
	{"shop_id": 2, "region": "ID", "currency": "IDR", "item_prices": "before_rebate"},
]


def test_harsh_money_identities_hold_in_both_price_readings():
	dataset = Dataset(seed=7, orders=600, shops=HARSH_SHOPS, harsh=True)
	incomes = []
	for index in range(len(dataset)):
		_money_identities_hold(dataset, index)
		incomes.append((dataset.entry(index).shop["region"], dataset.escrow_detail(index)["order_income"]))
	indonesian = [income for region, income in incomes if region == "ID"]
	assert 0.25 < sum(1 for i in indonesian if i["buyer_transaction_fee"]) / len(indonesian) < 0.55
	assert not any(income["buyer_transaction_fee"] for region, income in incomes if region == "SG")
	for key in ("payment_promotion", "seller_coin_cash_back", "original_shopee_discount"):
		assert any(income[key] for _region, income in incomes), key
	bundles_with_rebate = [
		item
		for _region, income in incomes
		for item in income["items"]
		if item["activity_type"] == "bundle_deal" and item["shopee_discount"]
	]
	assert bundles_with_rebate
	refunded = [income for _region, income in incomes if income["seller_return_refund"]]
	assert any(income["shopee_discount"] < income["original_shopee_discount"] for income in refunded)


def test_harsh_listings_without_sku_and_with_a_shared_sku():
	dataset = Dataset(seed=7, orders=400, shops=HARSH_SHOPS[:1], harsh=True)
	lines = [
		line
		for index in range(len(dataset))
		for line in dataset.order_detail(index, {"item_list"})["item_list"]
	]
	no_sku = {
		(line["item_id"], line["model_id"]) for line in lines if not (line["model_sku"] or line["item_sku"])
	}
	assert {model_id == 0 for _item_id, model_id in no_sku} == {True, False}
	shared = {line["item_id"] for line in lines if line["item_sku"] == "SBX-SHARED"}
	assert len(shared) == 2
	gentle = Dataset(seed=7, orders=400, shops=HARSH_SHOPS[:1])
	assert all(
		line["model_sku"] or line["item_sku"]
		for index in range(len(gentle))
		for line in gentle.order_detail(index, {"item_list"})["item_list"]
	)


def test_harsh_full_returns_take_back_every_line():
	dataset = Dataset(seed=7, orders=600, shops=HARSH_SHOPS, harsh=True)
	full = [entry for entry in dataset.list_returns(1) + dataset.list_returns(2) if entry.full]
	assert full
	for entry in full:
		view = dataset.return_view(entry, detail=True)
		lines = dataset.facts(entry.order_index)["lines"]
		assert [item["amount"] for item in view["item"]] == [line["quantity"] for line in lines]
		assert view["refund_amount"] == sum(item["refund_amount"] for item in view["item"])


def test_whole_number_currency_stays_whole():
	dataset = Dataset(seed=4, orders=60, shops=[{"shop_id": 1, "region": "ID", "currency": "IDR"}])
	for index in range(len(dataset)):
		_money_identities_hold(dataset, index)
		income = dataset.escrow_detail(index)["order_income"]
		assert income["escrow_amount"] == income["escrow_amount"].to_integral_value()
		assert income["buyer_total_amount"] > 1000


def test_money_identities_over_http_with_decimal_parsing(sandbox):
	order_sns = sandbox.dataset.order_sns()[:20]
	answer = post(sandbox, ESCROW_BATCH, {"order_sn_list": order_sns})
	details = json.loads(answer.content, parse_float=Decimal)["response"]
	query = {"order_sn_list": ",".join(order_sns), "response_optional_fields": "total_amount"}
	orders = json.loads(get(sandbox, ORDER_DETAIL, query).content, parse_float=Decimal)["response"][
		"order_list"
	]
	assert [row["escrow_detail"]["order_sn"] for row in details] == order_sns
	for order, row in zip(orders, details, strict=True):
		assert Decimal(order["total_amount"]) == Decimal(
			row["escrow_detail"]["order_income"]["buyer_total_amount"]
		)


def test_generated_orders_cover_the_app_paths():
	dataset = Dataset(seed=1, orders=200)
	fields = {
		"item_list",
		"recipient_address",
		"buyer_username",
		"buyer_user_id",
		"cancel_by",
		"cancel_reason",
		"pay_time",
	}
	details = [dataset.order_detail(index, fields) for index in range(len(dataset))]
	assert {detail["order_status"] for detail in details} == set(STATUSES)
	assert all(re.fullmatch(r"\d{6}[0-9A-Z]{8}", detail["order_sn"]) for detail in details)
	assert all(detail["update_time"] >= detail["create_time"] for detail in details)
	lines = [line for detail in details for line in detail["item_list"]]
	assert all(line["model_sku"] or line["item_sku"] for line in lines)
	assert any(line["model_id"] == 0 for line in lines) and any(line["model_id"] > 0 for line in lines)
	unmapped = [
		detail for detail in details if any(line["item_sku"] == UNMAPPED_SKU for line in detail["item_list"])
	]
	assert 0 < len(unmapped) < len(details) // 10
	assert any(detail["buyer_username"] == "" for detail in details)
	assert all(detail["buyer_user_id"] for detail in details)
	assert any(detail["recipient_address"]["full_address"] == "****" for detail in details)
	cancelled = [detail for detail in details if detail["order_status"] == "CANCELLED"]
	assert all(detail["cancel_by"] and detail["cancel_reason"] for detail in cancelled)
	assert all("pay_time" not in detail for detail in details if detail["order_status"] == "UNPAID")


def test_same_seed_same_data_other_seed_other_data():
	first, second = (
		Dataset(seed=5, orders=80, anchor=1_700_000_000),
		Dataset(seed=5, orders=80, anchor=1_700_000_000),
	)
	other = Dataset(seed=6, orders=80, anchor=1_700_000_000)
	assert first.order_sns() == second.order_sns() != other.order_sns()
	for index in (0, 41, 79):
		assert first.escrow_detail(index) == second.escrow_detail(index)
		assert first.order_detail(index, {"item_list"}) == second.order_detail(index, {"item_list"})


def test_returns_escrow_list_and_wallet():
	dataset = Dataset(seed=2, orders=400, anchor=1_700_006_400)
	returns = dataset.list_returns(SHOP_ID)
	assert returns and {entry.status for entry in returns} & {"ACCEPTED", "REQUESTED", "PROCESSING"}
	for entry in returns[:30]:
		view = dataset.return_view(entry, detail=True)
		total = dataset.order_detail(entry.order_index, {"total_amount"})["total_amount"]
		assert (
			0 < view["refund_amount"] <= total and view["item"][0]["refund_amount"] == view["refund_amount"]
		)
		assert dataset.escrow_detail(entry.order_index)["return_order_sn_list"] == [entry.return_sn]
	start, end = dataset.anchor - 15 * DAY, dataset.anchor
	rows = dataset.wallet_transactions(SHOP_ID, start, end)
	kinds = {row["transaction_type"] for row in rows}
	assert "WITHDRAWAL_CREATED" in kinds and "ESCROW_VERIFIED_ADD" in kinds
	releases = {row["order_sn"]: row["payout_amount"] for row in dataset.escrow_releases(SHOP_ID, start, end)}
	escrow_rows = [row for row in rows if row["transaction_type"].startswith("ESCROW")]
	assert {row["order_sn"]: row["amount"] for row in escrow_rows} == releases
	for row in rows:
		if row["transaction_type"].startswith("WITHDRAWAL_"):
			assert row["withdrawal_id"] and row["root_withdrawal_id"]


def test_returns_and_wallet_over_http(sandbox):
	returns = get(sandbox, "/api/v2/returns/get_return_list", {"page_no": 0, "page_size": 100}).json()[
		"response"
	]
	assert returns["more"] is False and returns["return"]
	return_sn = returns["return"][0]["return_sn"]
	detail = get(sandbox, "/api/v2/returns/get_return_detail", {"return_sn": return_sn}).json()["response"]
	assert detail["return_sn"] == return_sn and "negotiation" in detail
	wallet = "/api/v2/payment/get_wallet_transaction_list"
	too_long = {"page_no": 0, "page_size": 10, "create_time_from": 0, "create_time_to": 16 * DAY}
	assert get(sandbox, wallet, too_long).json()["error"] == "error_param"
	anchor = sandbox.dataset.anchor
	window = {"page_no": 0, "page_size": 100, "create_time_from": anchor - 15 * DAY, "create_time_to": anchor}
	rows = get(sandbox, wallet, window).json()["response"]["transaction_list"]
	assert rows and all(isinstance(row["transaction_type"], str) for row in rows)


def test_large_server_answers_a_list_call(partner):
	with SandboxServer(partner["partner_id"], partner["partner_key"], orders=100_000) as srv:
		anchor = srv.dataset.anchor
		page = get(srv, ORDER_LIST, order_list_params(anchor - 15 * DAY, anchor)).json()["response"]
	assert len(page["order_list"]) == 100 and page["more"] is True


def test_only_loopback_hosts():
	with pytest.raises(ValueError):
		SandboxServer(1, "k" * 32, orders=1, host="0.0.0.0")


# -- push ------------------------------------------------------------------------------------


class _Receiver(BaseHTTPRequestHandler):
	def do_POST(self):
		raw = self.rfile.read(int(self.headers["Content-Length"]))
		self.server.received.append((raw, self.headers.get("Authorization")))
		self.send_response(200)
		self.send_header("Content-Length", "0")
		self.end_headers()

	def log_message(self, *args):
		pass


@pytest.fixture
def receiver():
	server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
	server.received = []
	thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
	thread.start()
	yield server
	server.shutdown()
	server.server_close()


def test_push_is_signed_like_shopee(sandbox, receiver):
	url = f"http://127.0.0.1:{receiver.server_address[1]}/api/method/shopee_bridge.webhooks.receive"
	data = {"ordersn": sandbox.dataset.order_sns()[0], "status": "READY_TO_SHIP", "update_time": 1}
	assert sandbox.push(url, 3, data) == (200, b"")
	raw, signature = receiver.received[0]
	message = json.loads(raw)
	assert (message["shop_id"], message["code"], message["data"]) == (SHOP_ID, 3, data)
	assert list(message) == ["shop_id", "code", "timestamp", "data"] and b" " not in raw
	auth.verify_push(sandbox.partner_key, url, raw, signature, message["timestamp"])
	with pytest.raises(auth.PushVerificationError):
		auth.verify_push("another-key", url, raw, signature, message["timestamp"])
	answer = HTTP.post(f"{sandbox.url}/_sandbox/push", json={"url": url, "code": 12, "data": {}}, timeout=10)
	assert answer.json() == {"status": 200, "body": ""}
	raw, signature = receiver.received[1]
	assert "shop_id" not in json.loads(raw)
	auth.verify_push(sandbox.partner_key, url, raw, signature, json.loads(raw)["timestamp"])
	with pytest.raises(ValueError):
		sandbox.push("http://192.0.2.1/hook", 3, {})


def test_amended_order_reports_the_new_figures():
	dataset = Dataset(seed=3, orders=10)
	order_sn = dataset.order_sns()[4]
	index = dataset.index_of(order_sn)
	paid = dataset.order_detail(index, {"total_amount"})["total_amount"]
	dataset.amend_order(order_sn, {"total_amount": paid + Decimal("0.50")}, {"buyer_total_amount": paid + 1})
	assert dataset.order_detail(index, {"total_amount"})["total_amount"] == paid + Decimal("0.50")
	assert "total_amount" not in dataset.order_detail(index)  # only the fields asked for
	assert dataset.escrow_detail(index)["order_income"]["buyer_total_amount"] == paid + 1
