import json

import frappe
import requests
from frappe.utils import add_to_date, now_datetime
from frappe.utils.password import get_decrypted_password

from shopee_bridge.api import connect_to_shopee, test_shopee_connection
from shopee_bridge.compat import IntegrationTestCase
from shopee_bridge.constants import OAUTH_STATE, SHOP
from shopee_bridge.jobs.tokens import refresh_expiring_tokens
from shopee_bridge.tests.utils import SandboxMixin, authorize_shop, clerk_user, delete_shop, web_headers

SHOP_ID = "600001"


class TestShopAuthorization(SandboxMixin, IntegrationTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.start_sandbox()
		delete_shop(SHOP_ID)

	@classmethod
	def tearDownClass(cls):
		delete_shop(SHOP_ID)
		cls.stop_sandbox()
		super().tearDownClass()

	def setUp(self):
		frappe.set_user("Administrator")

	def connect(self) -> str:
		shop = authorize_shop(self.sandbox)
		frappe.db.rollback()  # see what the web server committed
		return shop

	def test_connect_callback_creates_shop_with_encrypted_tokens(self):
		shop = self.connect()
		self.assertEqual(shop, SHOP_ID)
		doc = frappe.get_doc(SHOP, shop)
		self.assertEqual(doc.status, "Connected")
		self.assertEqual(doc.shop_name, "Sandbox Shop SG")
		self.assertEqual(doc.region, "SG")
		issued = self.sandbox.issued_tokens(int(shop))
		self.assertEqual(get_decrypted_password(SHOP, shop, "access_token"), issued["access_token"])
		self.assertEqual(get_decrypted_password(SHOP, shop, "refresh_token"), issued["refresh_token"])
		raw = frappe.db.sql("select access_token, refresh_token from `tabShopee Shop` where name=%s", shop)[0]
		self.assertNotIn(issued["access_token"], raw)
		self.assertGreater(doc.access_token_expires_at, now_datetime())
		self.assertTrue(doc.company)

	def test_callback_state_is_single_use(self):
		url = connect_to_shopee()["url"]
		frappe.db.commit()  # nosemgrep: the callback runs in the web server
		callback = requests.get(url, allow_redirects=False, timeout=10).headers["Location"]
		first = requests.get(callback, headers=web_headers(), allow_redirects=False, timeout=30)
		self.assertEqual(first.status_code, 302)
		calls_before = self.sandbox.call_counts.get("/api/v2/auth/token/get", 0)
		again = requests.get(callback, headers=web_headers(), allow_redirects=False, timeout=30)
		self.assertEqual(again.status_code, 400)
		self.assertIn("already used", again.text)
		self.assertEqual(self.sandbox.call_counts.get("/api/v2/auth/token/get", 0), calls_before)

	def test_expired_state_is_refused_and_changes_nothing(self):
		url = connect_to_shopee()["url"]
		latest = frappe.get_all(OAUTH_STATE, order_by="creation desc", limit=1, pluck="name")[0]
		frappe.db.set_value(OAUTH_STATE, latest, "expires_at", add_to_date(now_datetime(), seconds=-1))
		frappe.db.commit()  # nosemgrep: the callback runs in the web server
		delete_shop(SHOP_ID)
		callback = requests.get(url, allow_redirects=False, timeout=10).headers["Location"]
		response = requests.get(callback, headers=web_headers(), allow_redirects=False, timeout=30)
		self.assertEqual(response.status_code, 400)
		frappe.db.rollback()
		self.assertFalse(frappe.db.exists(SHOP, SHOP_ID))

	def test_workspace_connect_link_redirects_to_shopee(self):
		from shopee_bridge.api import connect_shop_redirect

		connect_shop_redirect()
		self.assertEqual(frappe.local.response["type"], "redirect")
		self.assertTrue(
			frappe.local.response["location"].startswith(self.sandbox.url + "/api/v2/shop/auth_partner?")
		)
		frappe.local.response.pop("type")
		frappe.local.response.pop("location")

	def test_forged_state_is_refused(self):
		response = requests.get(
			f"{frappe.utils.get_url()}/api/method/shopee_bridge.api.oauth_callback",
			params={"state": "forged", "code": "abc", "shop_id": SHOP_ID},
			headers=web_headers(),
			allow_redirects=False,
			timeout=30,
		)
		self.assertEqual(response.status_code, 400)

	def test_connection_test_shows_shop_and_hides_tokens(self):
		shop = self.connect()
		info = test_shopee_connection(shop)
		self.assertEqual((info["shop_name"], info["region"]), ("Sandbox Shop SG", "SG"))
		self.assertTrue(info["access_token_expires_at"])
		issued = self.sandbox.issued_tokens(int(shop))
		dumped = json.dumps(info)
		self.assertNotIn(issued["access_token"], dumped)
		self.assertNotIn(issued["refresh_token"], dumped)

	def test_connect_requires_shopee_manager(self):
		frappe.set_user(clerk_user())
		try:
			with self.assertRaises(frappe.PermissionError):
				connect_to_shopee()
			with self.assertRaises(frappe.PermissionError):
				test_shopee_connection(SHOP_ID)
		finally:
			frappe.set_user("Administrator")

	def test_scheduled_refresh_rotates_and_persists_tokens(self):
		shop = self.connect()
		old = self.sandbox.issued_tokens(int(shop))
		frappe.db.set_value(SHOP, shop, "access_token_expires_at", add_to_date(now_datetime(), minutes=20))
		frappe.db.commit()  # nosemgrep: the refresh job commits its own work
		calls_before = self.sandbox.call_counts.get("/api/v2/auth/access_token/get", 0)
		self.assertEqual(refresh_expiring_tokens(), {shop: True})
		self.assertEqual(self.sandbox.call_counts["/api/v2/auth/access_token/get"], calls_before + 1)
		new = self.sandbox.issued_tokens(int(shop))
		self.assertNotEqual(new["refresh_token"], old["refresh_token"])
		frappe.db.rollback()
		self.assertEqual(get_decrypted_password(SHOP, shop, "refresh_token"), new["refresh_token"])
		self.assertGreater(
			frappe.db.get_value(SHOP, shop, "access_token_expires_at"), add_to_date(now_datetime(), hours=3)
		)
		# nothing else is due: a second run makes no call
		self.assertEqual(refresh_expiring_tokens(), {})
		# the rotated pair works
		self.assertEqual(test_shopee_connection(shop)["shop_name"], "Sandbox Shop SG")

	def test_failed_refresh_marks_the_shop_and_logs_no_secret(self):
		from frappe.utils.password import set_encrypted_password

		shop = self.connect()
		issued = self.sandbox.issued_tokens(int(shop))
		set_encrypted_password(SHOP, shop, "not-a-valid-refresh-token", "refresh_token")
		frappe.db.set_value(SHOP, shop, "access_token_expires_at", add_to_date(now_datetime(), minutes=5))
		frappe.db.commit()  # nosemgrep: the refresh job commits its own work
		self.assertEqual(refresh_expiring_tokens(), {shop: False})
		log = frappe.get_all(
			"Shopee Sync Log", filters={"job": "refresh_expiring_tokens"}, order_by="creation desc", limit=1
		)[0]
		log = frappe.get_doc("Shopee Sync Log", log.name)
		self.assertEqual((log.status, log.failed, log.errors[0].reference), ("Partial", 1, shop))
		status, message = frappe.db.get_value(SHOP, shop, ["status", "status_message"])
		self.assertIn(status, ("Reauthorization Required", "Refresh Failed"))
		self.assertTrue(message)
		logs = frappe.get_all("Error Log", filters={"reference_name": shop}, fields=["error", "method"])
		self.assertTrue(logs)
		for text in [json.dumps(logs), message]:
			for secret in (
				issued["access_token"],
				issued["refresh_token"],
				"not-a-valid-refresh-token",
				self.partner_key,
			):
				self.assertNotIn(secret, text)
