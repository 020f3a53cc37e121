"""Whitelisted endpoints. They parse, authorize and delegate; the work lives in services and jobs."""

import frappe
from frappe import _
from frappe.utils import get_absolute_url
from werkzeug.wrappers import Response

from shopee_bridge.clients import ShopeeError
from shopee_bridge.constants import (
	BACKFILL,
	INBOX,
	INTEGRITY_REPORT,
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
	try:
		require_manager()
	except frappe.PermissionError as e:
		# a link a person opens: a page that says why, not a JSON error
		return _error_page(str(e), title=_("Not permitted"), http_status_code=403)
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
	frappe.local.response["location"] = f"{get_absolute_url(SHOP, shop)}?shopee_connected=1"


def _error_page(message: str, title: str | None = None, http_status_code: int = 400):
	frappe.respond_as_web_page(
		title or _("Shopee connection failed"),
		message,
		http_status_code=http_status_code,
		indicator_color="red",
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

	return webhook_inbox.receive(frappe.request, method)


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
	from shopee_bridge.jobs.schedule import enqueue_shop_job

	shops = [shop] if shop else frappe.get_all(SHOP, filters={"enabled": 1}, pluck="name")
	for name in shops:
		frappe.get_doc(SHOP, name).check_permission("read")
	return [enqueue_shop_job("orders", name) for name in shops]


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
def start_backfill(shop: str, from_date: str, to_date: str, what: str | None = None):
	"""Backfill a shop over a date range (what: comma-separated kinds, default all); returns its name."""
	require_manager()
	from shopee_bridge.services.fiscal import backfill

	frappe.get_doc(SHOP, shop).check_permission("read")
	return backfill(shop, from_date, to_date, [kind for kind in (what or "").split(",") if kind] or None)


@frappe.whitelist(methods=["POST"])
def start_fiscal_year_sync(shop: str, fiscal_year: str):
	"""Backfill everything of a shop over an ERPNext Fiscal Year; returns the backfill's name."""
	require_manager()
	from shopee_bridge.services.fiscal import run_fiscal_year_full_sync

	frappe.get_doc(SHOP, shop).check_permission("read")
	return run_fiscal_year_full_sync(shop, fiscal_year)


@frappe.whitelist(methods=["POST"])
def cancel_backfill(name: str):
	require_manager()
	from shopee_bridge.services.fiscal import cancel

	frappe.get_doc(BACKFILL, name).check_permission("write")
	cancel(name)


@frappe.whitelist(methods=["POST"])
def resume_backfill(name: str):
	require_manager()
	from shopee_bridge.services.fiscal import resume

	frappe.get_doc(BACKFILL, name).check_permission("write")
	resume(name)


@frappe.whitelist(methods=["POST"])
def make_integrity_report(shop: str, from_date: str | None = None, to_date: str | None = None):
	"""Queue an integrity report of the shop (default: the last 30 days); returns the job id."""
	require_manager()
	from shopee_bridge.jobs.schedule import enqueue_shop_job

	frappe.get_doc(SHOP, shop).check_permission("read")
	return enqueue_shop_job("integrity", shop, date_from=from_date, date_to=to_date)


@frappe.whitelist()
def verify_integrity_report(name: str):
	"""Whether the report's files still match the SHA-256 digests stored when it was made."""
	require_manager()
	from shopee_bridge.services.integrity import verify

	frappe.get_doc(INTEGRITY_REPORT, name).check_permission("read")
	return verify(name)


# -- shipping and labels ---------------------------------------------------------------------------

SHIPPING_DOCTYPES = ("Sales Order", "Delivery Note")


def _shipping_doc(doctype: str, name: str, permission: str = "read"):
	if doctype not in SHIPPING_DOCTYPES:
		frappe.throw(_("Only Sales Orders and Delivery Notes ship on Shopee"))
	doc = frappe.get_doc(doctype, name)
	doc.check_permission(permission)
	return doc


def _names(names) -> list[str]:
	names = frappe.parse_json(names) if isinstance(names, str) else names
	return [str(name) for name in names or []]


class _ShopeeAnswer:
	"""Turn a Shopee error into a message the Desk user reads (no traceback)."""

	def __enter__(self):
		return self

	def __exit__(self, exc_type, exc, tb):
		if exc_type is not None and issubclass(exc_type, ShopeeError):
			frappe.throw(_("Shopee answered: {0}").format(exc.message or exc.code), title=_("Shopee"))
		return False


@frappe.whitelist()
def shipping_options(doctype: str, name: str):
	"""The Ship dialog's choices for the Shopee order behind a Sales Order or Delivery Note."""
	require_manager()
	from shopee_bridge.services import logistics

	_shipping_doc(doctype, name)
	with _ShopeeAnswer():
		return logistics.shipping_options(doctype, name)


@frappe.whitelist(methods=["POST"])
def ship_order(doctype: str, name: str, mode: str, choice=None):
	"""Arrange the shipment on Shopee with the dialog's choice; records it on the order and its note."""
	require_manager()
	from shopee_bridge.services import logistics

	_shipping_doc(doctype, name)
	choice = frappe.parse_json(choice) if isinstance(choice, str) else choice
	with _ShopeeAnswer():
		return logistics.ship(doctype, name, mode, choice or {})


@frappe.whitelist(methods=["POST"])
def ship_orders(names, mode: str):
	"""Bulk "Ship on Shopee" on a Sales Order list selection: one background job with Shopee's defaults."""
	require_manager()
	from shopee_bridge.jobs.logistics import enqueue_bulk_shipment

	names = _names(names)
	for name in names:
		_shipping_doc("Sales Order", name)
	return enqueue_bulk_shipment(names, mode)


@frappe.whitelist(methods=["POST"])
def fetch_shipping_label(doctype: str, name: str):
	"""Download the order's label from Shopee and attach it to its Delivery Note (once per label)."""
	require_manager()
	from shopee_bridge.services import shipping_labels

	_shipping_doc(doctype, name)
	with _ShopeeAnswer():
		return shipping_labels.fetch_label(doctype, name)


@frappe.whitelist(methods=["POST"])
def prepare_shipping_labels(doctype: str, names):
	"""First step of "Print Shopee Labels": fetch what the selection lacks; returns ready notes and failures."""
	require_manager()
	from shopee_bridge.services import shipping_labels

	names = _names(names)
	for name in names:
		_shipping_doc(doctype, name)
	return shipping_labels.prepare_labels(doctype, names)


@frappe.whitelist(methods=["GET"])
def print_shipping_labels(delivery_notes):
	"""One PDF with the newest Shopee label of each Delivery Note, as a download."""
	require_manager()
	from shopee_bridge.services import shipping_labels

	notes = _names(delivery_notes)
	for name in notes:
		_shipping_doc("Delivery Note", name)
	frappe.local.response.filename = "shopee-labels.pdf"
	frappe.local.response.filecontent = shipping_labels.merged_labels(notes)
	frappe.local.response.type = "download"


# -- returns -----------------------------------------------------------------------------------------


def _return_doc(name: str, permission: str = "read"):
	from shopee_bridge.constants import RETURN

	doc = frappe.get_doc(RETURN, name)
	doc.check_permission(permission)
	return doc


@frappe.whitelist(methods=["POST"])
def sync_returns(shop: str | None = None):
	"""Queue an incremental returns sync for one shop, or for every enabled shop."""
	require_manager()
	from shopee_bridge.jobs.returns import enqueue_returns_sync

	shops = [shop] if shop else frappe.get_all(SHOP, filters={"enabled": 1}, pluck="name")
	for name in shops:
		frappe.get_doc(SHOP, name).check_permission("read")
	return [enqueue_returns_sync(name) for name in shops]


@frappe.whitelist(methods=["POST"])
def refresh_return(name: str):
	"""Fetch the return from Shopee now and make the documents it calls for."""
	require_manager()
	from shopee_bridge.services import returns

	doc = _return_doc(name)
	with _ShopeeAnswer():
		return returns.sync_return(doc.shop, doc.return_sn)


@frappe.whitelist(methods=["POST"])
def accept_return(name: str):
	"""Seller action: accept the buyer's return request (Shopee's confirm)."""
	require_manager()
	from shopee_bridge.services import return_actions

	_return_doc(name, "write")
	return return_actions.accept(name)


@frappe.whitelist(methods=["POST"])
def offer_return_refund(name: str, solution: str, amount):
	"""Seller action: offer a solution and (partial) refund for the buyer to accept."""
	require_manager()
	from shopee_bridge.services import return_actions

	_return_doc(name, "write")
	return return_actions.offer(name, solution, amount)


@frappe.whitelist(methods=["POST"])
def accept_return_offer(name: str):
	"""Seller action: accept the buyer's latest offer."""
	require_manager()
	from shopee_bridge.services import return_actions

	_return_doc(name, "write")
	return return_actions.accept_offer(name)


@frappe.whitelist()
def return_dispute_reasons(name: str):
	"""The dispute reasons Shopee offers for a return, with the evidence each asks for."""
	require_manager()
	from shopee_bridge.services import return_actions

	_return_doc(name)
	with _ShopeeAnswer():
		return return_actions.dispute_reasons(name)


@frappe.whitelist(methods=["POST"])
def dispute_return(name: str, reason_id, email: str, text: str = "", evidence=None):
	"""Seller action: dispute the return with a reason and image links per evidence module."""
	require_manager()
	from shopee_bridge.services import return_actions

	_return_doc(name, "write")
	evidence = frappe.parse_json(evidence) if isinstance(evidence, str) else evidence
	return return_actions.dispute(name, reason_id, email, text, evidence or {})


# -- finance ---------------------------------------------------------------------------------------


@frappe.whitelist(methods=["POST"])
def sync_finance_api(shop: str | None = None):
	"""Queue a finance run (wallet, fees, payments, withdrawals, reconciliation) for one or every enabled shop."""
	require_manager()
	from shopee_bridge.jobs.finance import enqueue_shop_finance

	shops = [shop] if shop else frappe.get_all(SHOP, filters={"enabled": 1}, pluck="name")
	for name in shops:
		frappe.get_doc(SHOP, name).check_permission("read")
	return [enqueue_shop_finance(name) for name in shops]


@frappe.whitelist(methods=["POST"])
def setup_finance_accounts(shop: str):
	"""Create or select the shop's Shopee Wallet account and the account of each fee type it lacks."""
	require_manager()
	from shopee_bridge.services.finance_accounts import setup_finance_accounts as setup

	frappe.get_doc(SHOP, shop).check_permission("write")
	return setup(shop)


@frappe.whitelist()
def check_finance_setup(shop: str):
	"""What the shop lacks for finance: [{field, label, message, fix_route, can_create}], empty when ready."""
	require_manager()
	from shopee_bridge.services.finance_readiness import finance_gaps

	doc = frappe.get_doc(SHOP, shop)
	doc.check_permission("read")
	return finance_gaps(doc)


# -- catalogue and stock -----------------------------------------------------------------------------


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
	return [enqueue_stock_push(shop_name, always_log=True) for shop_name in by_shop]


@frappe.whitelist(methods=["POST"])
def reconcile_stock_now(shop: str):
	"""Queue a full comparison of the shop's Shopee stock with ERPNext (drift is pushed when the shop pushes)."""
	require_manager()
	from shopee_bridge.jobs.stock import enqueue_stock_reconcile

	frappe.get_doc(SHOP, shop).check_permission("read")
	return enqueue_stock_reconcile(shop)


@frappe.whitelist()
def listing_options(item_code: str, shop: str, category_id=None):
	"""What the Publish to Shopee dialog offers for an Item in a shop (categories, attributes, channels…)."""
	require_manager()
	from shopee_bridge.services.listing_choices import listing_options as options

	frappe.get_doc("Item", item_code).check_permission("read")
	frappe.get_doc(SHOP, shop).check_permission("read")
	return options(item_code, shop, category_id)


@frappe.whitelist(methods=["POST"])
def publish_to_shopee(items, shops, values=None):
	"""Check the Items against Shopee's rules for each shop and queue the publishing of those without
	problems; returns {queued, problems: {"ITEM @ shop": [{field, message}]}}."""
	require_manager()
	from shopee_bridge.jobs.listings import enqueue_publish
	from shopee_bridge.services.listing_choices import prepare

	items, shops = frappe.parse_json(items), frappe.parse_json(shops)
	values = frappe.parse_json(values) if values else {}
	if not items or not shops:
		frappe.throw(_("Choose at least one Item and one shop."))
	for item_code in items:
		frappe.get_doc("Item", item_code).check_permission("read")
	for shop in shops:
		frappe.get_doc(SHOP, shop).check_permission("read")
	result = prepare(items, shops, values)
	job = enqueue_publish(result["ready"]) if result["ready"] else None
	return {"queued": result["ready"], "job": job, "problems": result["problems"]}
