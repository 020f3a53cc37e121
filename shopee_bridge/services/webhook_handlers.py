"""Push handlers, routed by Shopee's integer push code. Each returns an Outcome or raises to retry."""

from dataclasses import dataclass

import frappe

from shopee_bridge.clients import ShopeeError
from shopee_bridge.constants import LAST_PUSH_FIELD, ORDER_SN_FIELD, PUSH_CODES, RETURN, SHIPPING_LABEL, SHOP
from shopee_bridge.shop_client import make_client
from shopee_bridge.webhooks import Push


@dataclass
class Outcome:
	status: str  # Done or Ignored
	message: str = ""
	reference_doctype: str | None = None
	reference_name: str | None = None


def dispatch(push: Push, row) -> Outcome:
	"""Route a push to its handler; codes without one are Ignored with the reason."""
	handler = HANDLERS.get(push.code)
	if handler is None:
		if push.code in PUSH_CODES:
			return Outcome("Ignored", f"No handler for push code {push.code} ({push.event})")
		return Outcome("Ignored", f"Unknown push code {push.code}")
	return handler(push)


def handle_test_push(push: Push) -> Outcome:
	return Outcome("Done", "Test push received")


def _require_shop(push: Push) -> str:
	if not push.shop_id or not frappe.db.exists(SHOP, push.shop_id):
		raise frappe.DoesNotExistError(f"Push for shop {push.shop_id or '(none)'}, which is not connected")
	return push.shop_id


def find_sales_order(order_sn: str) -> dict | None:
	return frappe.db.get_value(
		"Sales Order", {ORDER_SN_FIELD: order_sn}, ["name", LAST_PUSH_FIELD], as_dict=True
	)


def is_stale(push: Push, sales_order: dict | None) -> bool:
	"""Anti-regression: a push older than the newest applied update changes nothing."""
	update_time = int(push.data.get("update_time") or 0)
	applied = int((sales_order or {}).get(LAST_PUSH_FIELD) or 0)
	return bool(update_time and applied and update_time <= applied)


def handle_order_status(push: Push) -> Outcome:
	"""Codes 3 and 30: bring the order's ERPNext documents up to Shopee's current state."""
	shop = _require_shop(push)
	if not push.order_sn:
		return Outcome("Ignored", "Order push without an order_sn")
	sales_order = find_sales_order(push.order_sn)
	if is_stale(push, sales_order):
		return Outcome(
			"Ignored",
			f"Stale push: update_time {push.data.get('update_time')} is not newer than the applied "
			f"{sales_order[LAST_PUSH_FIELD]}",
			"Sales Order",
			sales_order["name"],
		)
	return _sync_order(shop, push)


def _sync_order(shop: str, push: Push) -> Outcome:
	from shopee_bridge.services import orders

	result = orders.sync_order(shop, push.order_sn)
	return Outcome("Done", result.summary, result.reference_doctype, result.reference_name)


def handle_tracking_number(push: Push) -> Outcome:
	"""Code 4: the order's tracking number, onto its Sales Order and Delivery Notes (asked for when absent)."""
	from shopee_bridge.services import logistics

	shop = _require_shop(push)
	if not push.order_sn:
		return Outcome("Ignored", "Tracking push without an order_sn")
	tracking_no = push.data.get("tracking_no") or push.data.get("tracking_number")
	if not tracking_no:
		tracking_no = make_client(shop).get_tracking_number(push.order_sn).get("tracking_number")
	if not tracking_no:
		raise ValueError(f"No tracking number yet for order {push.order_sn}")
	so_name = logistics.record_tracking(shop, push.order_sn, tracking_no, "Shopee push")
	message = f"Tracking number {tracking_no} for {push.order_sn}"
	if not so_name:
		return Outcome(
			"Done", message + "; the order is not booked yet: the tracking poll fills it in once it is"
		)
	return Outcome("Done", message, "Sales Order", so_name)


def handle_return_update(push: Push) -> Outcome:
	"""Code 29: fetch the return, store it and make the documents it now calls for."""
	from shopee_bridge.services import returns

	shop = _require_shop(push)
	return_sn = push.data.get("return_sn")
	if not return_sn:
		return Outcome("Ignored", "Return push without a return_sn")
	result = returns.sync_return(shop, str(return_sn))
	message = f"Return {return_sn} {result['action']}; booking {result['document_status']}"
	if result.get("waiting"):
		message += f": waiting for {result['waiting']}"
	return Outcome("Done", message, RETURN, str(return_sn))


def handle_shop_authorization(push: Push) -> Outcome:
	"""Codes 1, 2 and 12: authorization granted, cancelled or about to expire."""
	shop_ids = [str(s) for s in (push.data.get("shop_id_list") or [push.shop_id]) if s]
	known = [s for s in shop_ids if frappe.db.exists(SHOP, s)]
	if push.code == 2:
		for shop in known:
			frappe.db.set_value(
				SHOP, shop, {"status": "Disconnected", "status_message": "Seller cancelled the authorization"}
			)
		return Outcome("Done", f"Authorization cancelled for shops {', '.join(known) or '(none connected)'}")
	if push.code == 12:
		for shop in known:
			frappe.db.set_value(
				SHOP, shop, "status_message", "Shopee authorization expires within 7 days: reconnect the shop"
			)
		return Outcome(
			"Done", f"Authorization expiry notice for shops {', '.join(known) or '(none connected)'}"
		)
	return Outcome("Done", f"Authorization granted for shops {', '.join(shop_ids)}; connect them from Desk")


def handle_shipping_document(push: Push) -> Outcome:
	"""Code 15: a package's label is READY (download and attach it) or FAILED (noted).

	A label Shopee will not hand over is reported, not retried (print it from Desk); only transient
	failures (Shopee busy, rate limits) raise to be retried.
	"""
	from shopee_bridge.clients import ShopeeRateLimitError, ShopeeServerError
	from shopee_bridge.services import shipping_labels
	from shopee_bridge.services.order_documents import find_sales_order

	_require_shop(push)
	status = push.data.get("status")
	prefix = f"Shipping document for {push.order_sn or '?'} package {push.data.get('package_number') or '-'}: {status}"
	so_name = find_sales_order(push.order_sn) if push.order_sn else None
	if status != "READY" or not so_name:
		return Outcome("Done", prefix + ("" if status != "READY" else "; the order is not booked yet"))
	try:
		label = shipping_labels.fetch_label("Sales Order", so_name, create=False)
	except (ShopeeServerError, ShopeeRateLimitError):
		raise
	except (ShopeeError, frappe.ValidationError) as e:
		frappe.db.rollback()
		frappe.clear_messages()
		return Outcome(
			"Done", f"{prefix}; label not downloaded ({e}): print it from Desk", "Sales Order", so_name
		)
	verb = "attached" if label["created"] else "already attached"
	return Outcome(
		"Done", f"{prefix}; label version {label['version']} {verb}", SHIPPING_LABEL, label["label"]
	)


def handle_listing_moderation(push: Push) -> Outcome:
	"""Codes 6 (banned_item) and 16 (violation_item): read Shopee's status of the shop's published listings
	(only the item the push names, when it names one) onto them and their Item Map rows."""
	from shopee_bridge.services.listings import refresh_states

	shop = _require_shop(push)
	item_id = push.data.get("item_id")
	changed = refresh_states(shop, item_ids=[str(item_id)] if item_id else None)
	return Outcome("Done", f"Listing states read back from Shopee; {changed} changed")


HANDLERS = {
	0: handle_test_push,
	1: handle_shop_authorization,
	2: handle_shop_authorization,
	3: handle_order_status,
	4: handle_tracking_number,
	6: handle_listing_moderation,
	12: handle_shop_authorization,
	15: handle_shipping_document,
	16: handle_listing_moderation,
	29: handle_return_update,
	30: handle_order_status,
}
