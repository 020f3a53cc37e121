"""The imitated authorization, order, return and payment endpoints: one small handler per API.

The common checks run before them (calls.check_common); routes.py gathers every module's ROUTES.
"""

import base64
import json
from html import escape
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from shopee_bridge import auth
from shopee_bridge.sandbox import wallet
from shopee_bridge.sandbox.calls import (
	ACCEPT_HTML,
	MAX_WINDOW,
	Call,
	Reply,
	_check_body_partner,
	_fields,
	_find_orders,
	_int,
	_missing,
	_order_index,
	_page_size,
	_window,
)
from shopee_bridge.sandbox.errors import ApiError, success_envelope, top_level_envelope
from shopee_bridge.sandbox.orders import STATUSES
from shopee_bridge.sandbox.tokens import ACCESS_TTL

LIST_FILTER_STATUSES = (*STATUSES, "INVOICE_PENDING", "RETRY_SHIP", "PENDING")


# -- authorization ---------------------------------------------------------------------------


def auth_partner(sandbox, call: Call) -> Reply:
	"""Redirect with code and shop_id appended, as Shopee does once the seller approved.

	A person's browser first gets the authorization page (pick a shop, Confirm Authorization); API
	clients and a `sandbox_shop_id` in the query approve at once.
	"""
	redirect = call.query.get("redirect") or _missing("redirect is required.")
	if call.query.get(ACCEPT_HTML) and "sandbox_shop_id" not in call.query:
		return Reply(
			200, authorization_page(sandbox, call.query), {"Content-Type": "text/html; charset=utf-8"}
		)
	shop_id = _int(call.query, "sandbox_shop_id", default=sandbox.dataset.shops[0]["shop_id"])
	if sandbox.dataset.shop(shop_id) is None:
		raise ApiError("invalid_shop_id", "Invalid shop_id.")
	code = sandbox.tokens.issue_code(shop_id)
	return Reply(302, None, {"Location": append_query(redirect, {"code": code, "shop_id": shop_id})})


def authorization_page(sandbox, query: dict) -> bytes:
	"""Shopee's authorization page, reduced to what a seller does there: pick the shop, confirm."""
	hidden = "".join(
		f'<input type="hidden" name="{escape(key)}" value="{escape(str(value))}">'
		for key, value in query.items()
		if key != ACCEPT_HTML
	)
	shops = "".join(
		f'<label><input type="radio" name="sandbox_shop_id" value="{shop["shop_id"]}"'
		f"{' checked' if index == 0 else ''}> {escape(shop['shop_name'])} ({shop['shop_id']}, "
		f"{escape(shop['region'])})</label><br>"
		for index, shop in enumerate(sandbox.dataset.shops)
	)
	return (
		"<!doctype html><html><head><title>Shopee Open Platform - Authorization</title></head><body>"
		f"<h1>Authorize partner {sandbox.partner_id}</h1>"
		"<p>The app asks to manage your shop's orders, logistics, returns and payments.</p>"
		f'<form method="get" action="{auth.AUTH_PARTNER_PATH}">{hidden}{shops}'
		'<button type="submit">Confirm Authorization</button></form></body></html>'
	).encode()


def append_query(url: str, extra: dict) -> str:
	"""url with extra query parameters added after its existing ones."""
	parts = urlsplit(url)
	query = [*parse_qsl(parts.query, keep_blank_values=True), *((k, str(v)) for k, v in extra.items())]
	return urlunsplit(parts._replace(query=urlencode(query)))


def _token_fields(pair: dict) -> dict:
	return {
		"access_token": pair["access_token"],
		"refresh_token": pair["refresh_token"],
		"expire_in": ACCESS_TTL,
	}


def token_get(sandbox, call: Call) -> Reply:
	"""auth/token/get: code -> first token pair."""
	_check_body_partner(sandbox, call.body)
	shop_id = _int(call.body, "shop_id")
	code = call.body.get("code") or _missing("code is required.")
	pair = sandbox.tokens.exchange_code(str(code), shop_id)
	return Reply(200, top_level_envelope(_token_fields(pair)))


def access_token_get(sandbox, call: Call) -> Reply:
	"""auth/access_token/get: refresh_token -> new pair (the old refresh token dies)."""
	_check_body_partner(sandbox, call.body)
	shop_id = _int(call.body, "shop_id")
	refresh_token = call.body.get("refresh_token") or _missing("refresh_token is required.")
	pair = sandbox.tokens.refresh(str(refresh_token), shop_id)
	fields = {**_token_fields(pair), "partner_id": sandbox.partner_id, "shop_id": shop_id}
	return Reply(200, top_level_envelope(fields))


def get_shop_info(sandbox, call: Call) -> Reply:
	"""shop/get_shop_info, fields at top level and no currency (as on Shopee)."""
	shop = sandbox.dataset.shop(call.shop_id)
	auth_time, expire_time = sandbox.tokens.authorization(call.shop_id)
	fields = {
		"shop_name": shop["shop_name"],
		"region": shop["region"],
		"status": "NORMAL",
		"is_cb": False,
		"is_sip": False,
		"sip_affi_shops": [],
		"auth_time": auth_time,
		"expire_time": expire_time,
		"merchant_id": None,
	}
	return Reply(200, top_level_envelope(fields))


# -- orders and logistics --------------------------------------------------------------------


def _encode_cursor(field_name: str, key: tuple) -> str:
	return base64.urlsafe_b64encode(json.dumps([field_name, *key], separators=(",", ":")).encode()).decode()


def _decode_cursor(cursor: str, field_name: str) -> tuple | None:
	if not cursor:
		return None
	try:
		name, moment, order_sn = json.loads(base64.urlsafe_b64decode(cursor.encode()))
	except (ValueError, TypeError):
		raise ApiError("error_param", "Invalid cursor.")
	if name != field_name or not isinstance(moment, int) or not isinstance(order_sn, str):
		raise ApiError("error_param", "Invalid cursor.")
	return moment, order_sn


def get_order_list(sandbox, call: Call) -> Reply:
	"""order/get_order_list: ≤15-day window, cursor paging, ascending by (time, order_sn)."""
	query = call.query
	field_name = query.get("time_range_field")
	if field_name not in ("create_time", "update_time"):
		raise ApiError("error_param", "time_range_field should be create_time or update_time.")
	time_from, time_to = _window(query, "time_from", "time_to", True, "order.order_list_invalid_time")
	page_size = _page_size(query)
	status = query.get("order_status") or None
	if status is not None and status not in LIST_FILTER_STATUSES:
		raise ApiError("error_param", f"Invalid order_status {status}.")
	after = _decode_cursor(str(query.get("cursor") or ""), field_name)
	rows, more = sandbox.dataset.list_orders(
		call.shop_id, field_name, time_from, time_to, status, after, page_size
	)
	with_status = "order_status" in _fields(query)
	order_list = [
		{"order_sn": row["order_sn"], **({"order_status": row["order_status"]} if with_status else {})}
		for row in rows
	]
	next_cursor = _encode_cursor(field_name, rows[-1]["key"]) if more else ""
	return Reply(200, success_envelope({"more": more, "next_cursor": next_cursor, "order_list": order_list}))


def get_order_detail(sandbox, call: Call) -> Reply:
	"""order/get_order_detail: 1..50 order_sn; unknown ones are omitted and listed in warning."""
	indexes, missing = _find_orders(sandbox, call, call.query.get("order_sn_list"))
	fields = _fields(call.query)
	found = [sandbox.dataset.order_detail(index, fields) for index in indexes]
	return Reply(200, success_envelope({"order_list": found}, warning=missing))


# -- returns ---------------------------------------------------------------------------------


def get_return_list(sandbox, call: Call) -> Reply:
	"""returns/get_return_list: page_no from 0, optional ≤15-day create/update windows."""
	query = call.query
	page_no, page_size = _int(query, "page_no"), _page_size(query)
	if page_no < 0:
		raise ApiError("error_param", "page_no should not be negative.")
	created = _window(query, "create_time_from", "create_time_to")
	updated = _window(query, "update_time_from", "update_time_to")
	entries = sandbox.dataset.list_returns(call.shop_id, created, updated, query.get("status") or None)
	page = entries[page_no * page_size : (page_no + 1) * page_size]
	rows = [sandbox.dataset.return_view(entry) for entry in page]
	return Reply(200, success_envelope({"more": len(entries) > (page_no + 1) * page_size, "return": rows}))


def get_return_detail(sandbox, call: Call) -> Reply:
	"""returns/get_return_detail by return_sn."""
	return_sn = call.query.get("return_sn") or _missing("return_sn is required.")
	entry = sandbox.dataset.find_return(str(return_sn), call.shop_id)
	if entry is None:
		raise ApiError("error_not_found", f"Return {return_sn} not found.", 404)
	return Reply(200, success_envelope(sandbox.dataset.return_view(entry, detail=True)))


# -- payment ---------------------------------------------------------------------------------


def get_escrow_detail(sandbox, call: Call) -> Reply:
	"""payment/get_escrow_detail for one order."""
	index = _order_index(sandbox, call, call.query)
	return Reply(200, success_envelope(sandbox.dataset.escrow_detail(index)))


def get_escrow_detail_batch(sandbox, call: Call) -> Reply:
	"""payment/get_escrow_detail_batch (POST body order_sn_list, 1..50): [{escrow_detail}]."""
	indexes, missing = _find_orders(sandbox, call, call.body.get("order_sn_list"))
	details = [{"escrow_detail": sandbox.dataset.escrow_detail(index)} for index in indexes]
	return Reply(200, success_envelope(details, warning=missing))


def get_escrow_list(sandbox, call: Call) -> Reply:
	"""payment/get_escrow_list: releases in [release_time_from, release_time_to], page_no from 1."""
	query = call.query
	time_from, time_to = _int(query, "release_time_from"), _int(query, "release_time_to")
	page_no, page_size = _int(query, "page_no", default=1), _page_size(query)
	if page_no < 1:
		raise ApiError("error_param", "page_no should start from 1.")
	rows = sandbox.dataset.escrow_releases(call.shop_id, time_from, time_to)
	page = rows[(page_no - 1) * page_size : page_no * page_size]
	return Reply(200, success_envelope({"escrow_list": page, "more": len(rows) > page_no * page_size}))


def get_wallet_transaction_list(sandbox, call: Call) -> Reply:
	"""payment/get_wallet_transaction_list: page_no from 0, ≤15-day create_time window (default: last 15 days)."""
	query = call.query
	page_no, page_size = _int(query, "page_no"), _page_size(query)
	if page_no < 0:
		raise ApiError("error_param", "page_no should not be negative.")
	now = int(sandbox.clock())
	time_from, time_to = _window(query, "create_time_from", "create_time_to") or (now - MAX_WINDOW, now)
	rows = [
		row
		for row in sandbox.dataset.wallet_transactions(call.shop_id, time_from, time_to)
		if _wanted(row, query)
	]
	page = rows[page_no * page_size : (page_no + 1) * page_size]
	return Reply(
		200, success_envelope({"transaction_list": page, "more": len(rows) > (page_no + 1) * page_size})
	)


def _wanted(row: dict, query: dict) -> bool:
	kind = str(query.get("transaction_type") or "")
	if kind and kind not in (row["transaction_type"], str(wallet.TRANSACTION_TYPES[row["transaction_type"]])):
		return False
	flow = query.get("money_flow")
	if flow in ("MONEY_IN", "MONEY_OUT") and row["money_flow"] != flow:
		return False
	tab = query.get("transaction_tab_type")
	return tab not in wallet.TAB_TYPES or row["transaction_type"] in wallet.TAB_TYPES[tab]


ROUTES = {
	auth.AUTH_PARTNER_PATH: ("GET", auth_partner),
	"/api/v2/auth/token/get": ("POST", token_get),
	"/api/v2/auth/access_token/get": ("POST", access_token_get),
	"/api/v2/shop/get_shop_info": ("GET", get_shop_info),
	"/api/v2/order/get_order_list": ("GET", get_order_list),
	"/api/v2/order/get_order_detail": ("GET", get_order_detail),
	"/api/v2/returns/get_return_list": ("GET", get_return_list),
	"/api/v2/returns/get_return_detail": ("GET", get_return_detail),
	"/api/v2/payment/get_escrow_detail": ("GET", get_escrow_detail),
	"/api/v2/payment/get_escrow_detail_batch": ("POST", get_escrow_detail_batch),
	"/api/v2/payment/get_escrow_list": ("GET", get_escrow_list),
	"/api/v2/payment/get_wallet_transaction_list": ("GET", get_wallet_transaction_list),
}
