"""Shop authorization: OAuth state, the callback's token exchange, connection tests and token refresh."""

import hashlib

import frappe
from frappe import _
from frappe.utils import add_to_date, get_url, now_datetime

from shopee_bridge import auth
from shopee_bridge.clients import ShopeeError, ShopeeReauthorizationRequired
from shopee_bridge.constants import (
	OAUTH_CALLBACK_METHOD,
	OAUTH_STATE,
	OAUTH_STATE_TTL_SECONDS,
	REGION_CURRENCIES,
	SHOP,
)
from shopee_bridge.shop_client import get_settings, make_client
from shopee_bridge.utils import epoch_to_datetime, log_error, truncate


class OAuthStateError(frappe.ValidationError):
	"""The state of an OAuth callback is unknown, expired or already used."""


def _state_hash(state: str) -> str:
	return hashlib.sha256(state.encode()).hexdigest()


def connect_url() -> str:
	"""Store a single-use state for 10 minutes and return Shopee's shop authorization link."""
	settings = get_settings()
	state = auth.new_state()
	frappe.get_doc(
		{
			"doctype": OAUTH_STATE,
			"state_hash": _state_hash(state),
			"user": frappe.session.user,
			"expires_at": add_to_date(now_datetime(), seconds=OAUTH_STATE_TTL_SECONDS),
		}
	).insert(ignore_permissions=True)
	redirect = get_url(f"/api/method/{OAUTH_CALLBACK_METHOD}?state={state}")
	return auth.authorization_url(
		settings.api_base_url, settings.partner_id, settings.get_password("partner_key"), redirect
	)


def consume_state(state: str, shop_id: str) -> str:
	"""Mark the state used under a row lock; raise OAuthStateError unless it is known, unused and unexpired."""
	row = frappe.db.get_value(
		OAUTH_STATE,
		{"state_hash": _state_hash(state or "")},
		["name", "user", "expires_at", "used_at"],
		as_dict=True,
		for_update=True,
	)
	if not row or row.used_at or row.expires_at <= now_datetime():
		raise OAuthStateError(_("This Shopee authorization link is invalid, expired or was already used."))
	frappe.db.set_value(OAUTH_STATE, row.name, {"used_at": now_datetime(), "shop_id": shop_id})
	return row.user


def complete_authorization(state: str, code: str, shop_id: str) -> str:
	"""Exchange the callback's code for tokens and create or update the Shopee Shop; returns its name."""
	if not (code and shop_id and str(shop_id).isdigit()):
		raise OAuthStateError(_("Shopee did not send an authorization code and shop id."))
	consume_state(state, shop_id)
	shop = ensure_shop(shop_id)
	client = make_client(shop_id)
	client.get_access_token(code, int(shop_id))
	update_shop_info(shop, client)
	frappe.db.commit()  # nosemgrep: a GET callback rolls back by default; the new shop must persist
	return shop


def ensure_shop(shop_id: str) -> str:
	name = str(shop_id)
	if not frappe.db.exists(SHOP, name):
		defaults = default_shop_settings()
		frappe.get_doc({"doctype": SHOP, "shop_id": name, "shop_name": name, **defaults}).insert(
			ignore_permissions=True
		)
	return name


def default_shop_settings() -> dict:
	"""ERPNext defaults a new shop starts with: the default company and its selling setup."""
	company = frappe.defaults.get_global_default("company") or frappe.db.get_value("Company", {}, "name")
	if not company:
		return {}
	return {
		"company": company,
		"warehouse": frappe.db.get_single_value("Stock Settings", "default_warehouse")
		or frappe.db.get_value("Warehouse", {"company": company, "is_group": 0}, "name"),
		"selling_price_list": frappe.db.get_single_value("Selling Settings", "selling_price_list")
		or "Standard Selling",
		"customer_group": frappe.db.get_single_value("Selling Settings", "customer_group")
		or frappe.db.get_value("Customer Group", {"is_group": 0}, "name"),
		"territory": frappe.db.get_single_value("Selling Settings", "territory")
		or frappe.db.get_value("Territory", {"is_group": 0}, "name"),
		"cost_center": frappe.get_cached_value("Company", company, "cost_center"),
	}


def update_shop_info(shop: str, client=None) -> dict:
	"""Fetch get_shop_info and store name, region and authorization expiry on the shop."""
	client = client or make_client(shop)
	info = client.get_shop_info()
	values = {
		"shop_name": info.get("shop_name") or shop,
		"region": info.get("region"),
		# a new shop's Link field picks up the site's default currency; the region decides it
		"currency": REGION_CURRENCIES.get(info.get("region")) or frappe.db.get_value(SHOP, shop, "currency"),
		"authorization_expires_at": epoch_to_datetime(info.get("expire_time")),
		"status": "Connected",
		"status_message": "",
	}
	frappe.db.set_value(SHOP, shop, values)
	return info


def connection_info(shop: str) -> dict:
	"""What "Test Connection" shows: shop name, region and token expiry (never the tokens)."""
	info = update_shop_info(shop)
	doc = frappe.get_doc(SHOP, shop)
	return {
		"shop": shop,
		"shop_name": info.get("shop_name"),
		"region": info.get("region"),
		"status": info.get("status"),
		"access_token_expires_at": str(doc.access_token_expires_at or ""),
		"authorization_expires_at": str(doc.authorization_expires_at or ""),
	}


def shops_due_for_refresh(within_seconds: int = 3600) -> list[str]:
	"""Enabled, connected shops whose access token expires within the given time."""
	horizon = add_to_date(now_datetime(), seconds=within_seconds)
	return frappe.get_all(
		SHOP,
		filters={"enabled": 1, "status": ["in", ["Connected", "Refresh Failed"]]},
		or_filters=[
			["access_token_expires_at", "<=", horizon],
			["access_token_expires_at", "is", "not set"],
		],
		pluck="name",
	)


def refresh_shop_tokens(shop: str) -> bool:
	"""Rotate one shop's tokens; on failure mark the shop so Desk shows it. Returns success."""
	try:
		make_client(shop).refresh_access_token()
		return True
	except ShopeeReauthorizationRequired as e:
		mark_shop(shop, "Reauthorization Required", e)
	except (ShopeeError, frappe.ValidationError) as e:
		mark_shop(shop, "Refresh Failed", e)
	return False


def mark_shop(shop: str, status: str, error: Exception) -> None:
	frappe.db.rollback()
	message = truncate(f"{type(error).__name__}: {error}", 500)
	frappe.db.set_value(SHOP, shop, {"status": status, "status_message": message})
	log_error(
		f"Shopee token refresh failed for shop {shop}", message, reference_doctype=SHOP, reference_name=shop
	)
	frappe.db.commit()  # nosemgrep: the failure mark must survive the job's own rollback
