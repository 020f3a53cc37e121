"""Who may call what, and that no secret leaves: every whitelisted method of the app, every DocType,
and every place a full sandbox run writes to."""

import glob
import inspect
import json
import os
import time

import frappe
import requests

from shopee_bridge.auth import push_signature
from shopee_bridge.compat import IntegrationTestCase
from shopee_bridge.constants import MANAGER_ROLE, MODULE, OAUTH_STATE
from shopee_bridge.services.orders import sync_incremental_orders
from shopee_bridge.tests.utils import (
	SandboxMixin,
	authorize_shop,
	configure_shop,
	delete_shop,
	prepare_erpnext_for_sandbox,
	save_settings,
	web_headers,
	web_url,
)

# whitelisted GET links a person opens in the browser: a refusal is a page that says why, not an error
LINKS_A_PERSON_OPENS = {"shopee_bridge.api.connect_shop_redirect"}
GUEST_METHODS = {
	"shopee_bridge.api.webhook_live",
	"shopee_bridge.api.webhook_test",
	"shopee_bridge.api.oauth_callback",
}
SHOP_ID = "610006"


def app_whitelisted() -> dict[str, object]:
	"""Every whitelisted function of the app, by dotted path (imports every module of the app first)."""
	import pkgutil

	import shopee_bridge

	for module in pkgutil.walk_packages(shopee_bridge.__path__, "shopee_bridge."):
		if ".tests" not in module.name and ".patches" not in module.name and "sandbox" not in module.name:
			frappe.get_module(module.name)
	return {
		f"{fn.__module__}.{fn.__qualname__}": fn
		for fn in frappe.whitelisted
		if getattr(fn, "__module__", "").startswith("shopee_bridge.")
	}


def sales_user() -> str:
	user = "shopee-sales-user@example.com"
	if not frappe.db.exists("User", user):
		doc = frappe.get_doc(
			{"doctype": "User", "email": user, "first_name": "Sales", "send_welcome_email": 0}
		)
		doc.append("roles", {"role": "Sales User"})
		doc.insert(ignore_permissions=True)
	return user


def dummy_arguments(fn) -> dict:
	return {
		name: "x"
		for name, parameter in inspect.signature(fn).parameters.items()
		if parameter.default is inspect.Parameter.empty and parameter.kind is parameter.POSITIONAL_OR_KEYWORD
	}


class TestPermissions(IntegrationTestCase):
	def tearDown(self):
		frappe.set_user("Administrator")

	def test_only_the_webhook_and_oauth_callback_are_open_to_guests(self):
		methods = app_whitelisted()
		self.assertGreaterEqual(len(methods), 12)
		self.assertEqual({path for path, fn in methods.items() if fn in frappe.guest_methods}, GUEST_METHODS)
		frappe.set_user("Guest")
		for path, fn in methods.items():
			if path not in GUEST_METHODS:
				with self.assertRaises(frappe.PermissionError, msg=path):
					frappe.is_whitelisted(fn)

	def test_guests_get_403_over_http_for_every_other_method(self):
		for path in sorted(set(app_whitelisted()) - GUEST_METHODS):
			response = requests.post(f"{web_url()}/api/method/{path}", headers=web_headers(), timeout=30)
			self.assertEqual(response.status_code, 403, path)

	def test_a_sales_user_is_refused_every_action(self):
		frappe.set_user(sales_user())
		for path, fn in app_whitelisted().items():
			if path in GUEST_METHODS or path in LINKS_A_PERSON_OPENS:
				continue
			with self.assertRaises(frappe.PermissionError, msg=path):
				fn(**dummy_arguments(fn))

	def test_a_sales_user_opening_the_connect_link_gets_a_403_page_and_no_state(self):
		states = frappe.db.count(OAUTH_STATE)
		frappe.set_user(sales_user())
		for path in LINKS_A_PERSON_OPENS:
			frappe.local.response = frappe._dict()
			frappe.get_attr(path)()
			self.assertEqual(frappe.local.response.get("type"), "page", path)
			self.assertEqual(frappe.local.response.get("http_status_code"), 403, path)
			self.assertIn("Only a Shopee Manager", frappe.local.message, path)
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.count(OAUTH_STATE), states)

	def test_app_doctypes_are_for_shopee_and_system_managers_only(self):
		doctypes = frappe.get_all("DocType", filters={"module": MODULE, "istable": 0}, pluck="name")
		self.assertGreaterEqual(len(doctypes), 8)
		user = sales_user()
		for doctype in doctypes:
			self.assertFalse(frappe.has_permission(doctype, "read", user=user), doctype)
			roles = {perm.role for perm in frappe.get_meta(doctype).permissions if perm.read}
			allowed = {MANAGER_ROLE, "System Manager", "Accounts Manager", "Accounts User"}
			self.assertTrue(roles <= allowed, (doctype, roles))
		for doctype in ("Shopee Settings", "Shopee Shop", "Shopee Webhook Inbox", "Shopee Return"):
			if doctype in doctypes:
				roles = {perm.role for perm in frappe.get_meta(doctype).permissions if perm.read}
				self.assertEqual(roles, {MANAGER_ROLE, "System Manager"}, doctype)
		# the payout report's accountants pick a shop in its filter (a report's link filters are checked) without reading it
		accountants = [p for p in frappe.get_meta("Shopee Shop").permissions if p.role == "Accounts Manager"]
		self.assertEqual([(p.select, p.read) for p in accountants], [(1, 0)])


class TestNoSecretLeaves(SandboxMixin, IntegrationTestCase):
	"""A full sandbox run (OAuth, refresh, sync, pushes, failures), then every trace is searched."""

	sandbox_orders = 40
	sandbox_shops = [
		{"shop_id": int(SHOP_ID), "shop_name": "Secret Shop SG", "region": "SG", "currency": "SGD"}
	]

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		prepare_erpnext_for_sandbox()
		cls.start_sandbox()
		delete_shop(SHOP_ID)
		cls.responses = []
		authorize_shop(cls.sandbox, SHOP_ID)
		frappe.db.rollback()
		configure_shop(SHOP_ID)
		cls.secrets = {cls.partner_key}
		cls.collect_tokens()
		save_settings(initial_sync_days=61)
		cls.exercise()

	@classmethod
	def collect_tokens(cls):
		tokens = cls.sandbox.issued_tokens(int(SHOP_ID))
		cls.secrets |= {tokens["access_token"], tokens["refresh_token"]}

	@classmethod
	def exercise(cls):
		from shopee_bridge import api
		from shopee_bridge.jobs.tokens import refresh_expiring_tokens

		cls.responses.append(json.dumps(api.test_shopee_connection(SHOP_ID), default=str))
		cls.responses.append(json.dumps(api.connect_to_shopee(), default=str))
		sync_incremental_orders(SHOP_ID)
		frappe.db.set_value(
			"Shopee Shop", SHOP_ID, "access_token_expires_at", frappe.utils.add_to_date(None, minutes=5)
		)
		frappe.db.commit()  # nosemgrep: the refresh job reads it
		refresh_expiring_tokens()
		cls.collect_tokens()
		cls.sandbox.expire_access_token(int(SHOP_ID))  # an invalid token mid-run: refreshed and replayed
		cls.sandbox.inject_fault("/api/v2/order/get_order_detail", "server_error", count=8)
		try:
			sync_incremental_orders(SHOP_ID)
		except Exception:
			frappe.db.rollback()
		cls.collect_tokens()
		for code in (0, 3, 4, 29):
			body = json.dumps(
				{
					"shop_id": int(SHOP_ID),
					"code": code,
					"timestamp": int(time.time()),
					"data": {"ordersn": "X1"},
				}
			).encode()
			headers = {**web_headers(), "Content-Type": "application/json"}
			signature = push_signature(
				cls.partner_key, web_url() + "/api/method/shopee_bridge.api.webhook_live", body
			)
			for auth in (signature, "0" * 64):
				response = requests.post(
					web_url() + "/api/method/shopee_bridge.api.webhook_live",
					data=body,
					headers={**headers, "Authorization": auth},
					timeout=30,
				)
				cls.responses.append(response.text)
		time.sleep(5)  # let the worker process the pushes (and fail some)

	@classmethod
	def tearDownClass(cls):
		save_settings(initial_sync_days=14)
		delete_shop(SHOP_ID)
		cls.stop_sandbox()
		super().tearDownClass()

	def assert_clean(self, where: str, texts) -> None:
		for text in texts:
			for secret in self.secrets:
				self.assertNotIn(secret, str(text or ""), f"a secret in {where}")

	def test_no_secret_in_responses_logs_or_records(self):
		frappe.db.rollback()
		self.assertGreaterEqual(len(self.secrets), 5)
		self.assert_clean("API responses", self.responses)
		tables = {
			"Error Log": ["method", "error"],
			"Integration Request": ["data", "output", "error", "request_headers", "url"],
			"Shopee Sync Log": ["message"],
			"Shopee Sync Log Error": ["error"],
			"Shopee Webhook Inbox": ["payload", "result", "last_error"],
			"Scheduled Job Log": ["details"],
			"Version": ["data"],
			"Comment": ["content"],
			"Shopee Waiting Order": ["reason", "details"],
		}
		for doctype, fields in tables.items():
			for row in frappe.get_all(doctype, fields=fields, order_by="creation desc", limit=5000):
				self.assert_clean(doctype, row.values())
		deadline = time.monotonic() + 60
		while not frappe.db.count("Integration Request", {"integration_request_service": "Shopee"}):
			self.assertLess(
				time.monotonic(), deadline, "failed calls leave Integration Requests (by the worker)"
			)
			time.sleep(1)
			frappe.db.rollback()
		for shop in frappe.get_all("Shopee Shop", fields=["access_token", "refresh_token"]):
			self.assert_clean("Shopee Shop columns", shop.values())

	def test_no_secret_in_the_bench_logs(self):
		bench = os.path.abspath(os.path.join(frappe.local.sites_path, ".."))
		paths = glob.glob(os.path.join(bench, "logs", "*.log")) + glob.glob(
			os.path.join(frappe.get_site_path("logs"), "*.log")
		)
		self.assertTrue(paths)
		for path in paths:
			with open(path, errors="replace") as handle:
				self.assert_clean(path, [handle.read()])
