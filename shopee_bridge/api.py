"""Whitelisted endpoints. They parse, authorize and delegate; the work lives in services and jobs."""

import frappe
from frappe import _
from werkzeug.wrappers import Response

from shopee_bridge.auth import PushVerificationError
from shopee_bridge.clients import ShopeeError
from shopee_bridge.constants import (
	INBOX,
	ITEM_MAP,
	MANAGER_ROLE,
	ORDER_SN_FIELD,
	SHOP,
	SHOP_FIELD,
	WAITING_ORDER,
	WEBHOOK_LIVE_METHOD,
	WEBHOOK_TEST_METHOD,
)
from shopee_bridge.utils import log_error

MANAGERS = (MANAGER_ROLE, "System Manager")


def require_manager():
	"""Shopee Manager (or System Manager) only; unlike frappe.only_for this also holds under tests."""
	if frappe.session.user != "Administrator" and set(MANAGERS).isdisjoint(frappe.get_roles()):
		raise frappe.PermissionError(_("Only a Shopee Manager can do this."))


@frappe.whitelist()
def connect_to_shopee():
	"""Start the shop authorization: returns Shopee's authorization URL for the Desk button to open."""
	require_manager()
	from shopee_bridge.services.shops import connect_url

	return {"url": connect_url()}


@frappe.whitelist(methods=["GET"])
def connect_shop_redirect():
	"""The workspace's "Connect to Shopee" link: send the browser straight to Shopee's authorization page."""
	require_manager()
	from shopee_bridge.services.shops import connect_url

	url = connect_url()
	frappe.db.commit()  # nosemgrep: a GET rolls back by default; the state must survive until the callback
	frappe.local.response["type"] = "redirect"
	frappe.local.response["location"] = url


@frappe.whitelist(allow_guest=True, methods=["GET"])
def oauth_callback(state: str | None = None, code: str | None = None, shop_id: str | None = None, **kwargs):
	"""Shopee redirects the seller here with ?code&shop_id; the state must be ours, fresh and unused."""
	from shopee_bridge.services.shops import OAuthStateError, complete_authorization

	try:
		shop = complete_authorization(state, code, shop_id)
	except OAuthStateError as e:
		frappe.db.rollback()
		return _error_page(str(e))
	except ShopeeError as e:
		frappe.db.rollback()
		log_error("Shopee authorization failed", str(e))
		return _error_page(_("Shopee refused the authorization: {0}").format(e.code or e.message))
	frappe.local.response["type"] = "redirect"
	frappe.local.response["location"] = f"/app/shopee-shop/{shop}?shopee_connected=1"


def _error_page(message: str):
	frappe.respond_as_web_page(
		_("Shopee connection failed"), message, http_status_code=400, indicator_color="red"
	)


@frappe.whitelist()
def test_shopee_connection(shop: str):
	"""Call get_shop_info for a shop and show its name, region and token expiry."""
	require_manager()
	from shopee_bridge.services.shops import connection_info

	if not frappe.db.exists(SHOP, shop):
		frappe.throw(_("Shopee Shop {0} not found").format(shop), frappe.DoesNotExistError)
	try:
		return connection_info(shop)
	except ShopeeError as e:
		frappe.throw(_("Shopee answered: {0}").format(str(e)), title=_("Connection failed"))


@frappe.whitelist(allow_guest=True, methods=["POST"])
def webhook_live():
	"""Shopee push endpoint (production app)."""
	return _receive_push(WEBHOOK_LIVE_METHOD)


@frappe.whitelist(allow_guest=True, methods=["POST"])
def webhook_test():
	"""Shopee push endpoint for the sandbox / test app."""
	return _receive_push(WEBHOOK_TEST_METHOD)


def _receive_push(method: str) -> Response:
	from shopee_bridge.services import webhook_inbox

	raw_body = frappe.request.get_data(cache=True) or b""
	try:
		webhook_inbox.verify(raw_body, method)
	except PushVerificationError as e:
		frappe.logger("shopee_bridge").warning(f"Rejected Shopee push on {method}: {e}")
		return Response(f"invalid push: {e}", status=401, mimetype="text/plain")
	webhook_inbox.ingest(raw_body)
	return Response(b"", status=200)


@frappe.whitelist(methods=["POST"])
def retry_webhooks(names):
	"""Desk "Retry now" for inbox rows."""
	require_manager()
	from shopee_bridge.jobs.process_webhook import retry_now

	names = frappe.parse_json(names) if isinstance(names, str) else names
	for name in names:
		frappe.get_doc(INBOX, name).check_permission("write")
	return retry_now(list(names))


@frappe.whitelist(methods=["POST"])
def sync_orders_api(shop: str | None = None):
	"""Queue an incremental order sync for one shop, or for every enabled shop."""
	require_manager()
	from shopee_bridge.jobs.orders import enqueue_shop_sync

	shops = [shop] if shop else frappe.get_all(SHOP, filters={"enabled": 1}, pluck="name")
	for name in shops:
		frappe.get_doc(SHOP, name).check_permission("read")
	return [enqueue_shop_sync(name) for name in shops]


@frappe.whitelist(methods=["POST"])
def sync_order(sales_order: str):
	"""Re-sync the Shopee order behind a Sales Order now."""
	require_manager()
	from shopee_bridge.services.orders import sync_order as sync_one_order

	doc = frappe.get_doc("Sales Order", sales_order)
	doc.check_permission("read")
	if not (doc.get(ORDER_SN_FIELD) and doc.get(SHOP_FIELD)):
		frappe.throw(_("Sales Order {0} did not come from Shopee").format(sales_order))
	return sync_one_order(doc.get(SHOP_FIELD), doc.get(ORDER_SN_FIELD)).summary


@frappe.whitelist(methods=["POST"])
def retry_waiting_orders(names):
	"""Desk "Retry" on Shopee Waiting Order rows: fetch those orders again now, in the background."""
	require_manager()
	from shopee_bridge.jobs.orders import enqueue_waiting_retry

	names = frappe.parse_json(names) if isinstance(names, str) else names
	for name in names:
		frappe.get_doc(WAITING_ORDER, name).check_permission("write")
	return enqueue_waiting_retry(list(names))


@frappe.whitelist(methods=["POST"])
def import_catalogue(shop: str, create_items=0):
	"""Queue the import of a shop's Shopee listings into Shopee Item Map (optionally creating Items)."""
	require_manager()
	from shopee_bridge.jobs.stock import enqueue_catalogue_import

	frappe.get_doc(SHOP, shop).check_permission("write")
	return enqueue_catalogue_import(shop, bool(frappe.utils.cint(create_items)))


@frappe.whitelist(methods=["POST"])
def push_stock_now(shop: str | None = None, names=None):
	"""Push a shop's due rows now, or make the given Shopee Item Map rows due and push them."""
	require_manager()
	from shopee_bridge.jobs.stock import enqueue_stock_push
	from shopee_bridge.services.stock_changes import mark_names_pending

	names = frappe.parse_json(names) if isinstance(names, str) else names or []
	by_shop: dict[str, list[str]] = {shop: []} if shop else {}
	for name in names:
		row = frappe.get_doc(ITEM_MAP, name)
		row.check_permission("write")
		by_shop.setdefault(row.shop, []).append(name)
	for shop_name, rows in by_shop.items():
		frappe.get_doc(SHOP, shop_name).check_permission("read")
		if not frappe.db.get_value(SHOP, shop_name, "push_stock"):
			frappe.throw(_("Turn on Push Stock to Shopee on shop {0} first.").format(shop_name))
		mark_names_pending(shop_name, rows)
	return [enqueue_stock_push(shop_name) for shop_name in by_shop]


@frappe.whitelist(methods=["POST"])
def reconcile_stock_now(shop: str):
	"""Queue a full comparison of the shop's Shopee stock with ERPNext (drift is pushed when the shop pushes)."""
	require_manager()
	from shopee_bridge.jobs.stock import enqueue_stock_reconcile

	frappe.get_doc(SHOP, shop).check_permission("read")
	return enqueue_stock_reconcile(shop)
