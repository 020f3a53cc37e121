import json
import time
from concurrent.futures import ThreadPoolExecutor

import frappe
import requests
from frappe.utils import add_to_date, get_datetime, now_datetime

from shopee_bridge.auth import push_signature
from shopee_bridge.compat import IntegrationTestCase
from shopee_bridge.constants import INBOX, LAST_PUSH_FIELD, ORDER_SN_FIELD, PUSH_CODES
from shopee_bridge.jobs import process_webhook
from shopee_bridge.tests.utils import (
	SandboxMixin,
	authorize_shop,
	bookable_order_sns,
	configure_shop,
	delete_shop,
	make_item,
	make_sales_order,
	new_order_sn,
	prepare_erpnext_for_sandbox,
	save_settings,
	web_headers,
	web_url,
)
from shopee_bridge.webhooks import idempotency_key, parse_push

SHOP_ID = "600001"
LATE_SHOP_ID = "600002"
ENDPOINT = "/api/method/shopee_bridge.api.webhook_live"


class WebhookTestCase(SandboxMixin, IntegrationTestCase):
	sandbox_shops = [
		{"shop_id": int(SHOP_ID), "shop_name": "Sandbox Shop SG", "region": "SG", "currency": "SGD"},
		{"shop_id": int(LATE_SHOP_ID), "shop_name": "Sandbox Shop MY", "region": "MY", "currency": "MYR"},
	]

	sandbox_orders = 160

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		prepare_erpnext_for_sandbox()
		cls.start_sandbox()
		delete_shop(LATE_SHOP_ID)
		delete_shop(SHOP_ID)  # tokens a crashed run left belong to another sandbox
		authorize_shop(cls.sandbox, SHOP_ID)
		frappe.db.rollback()
		configure_shop(SHOP_ID)
		cls.headers = web_headers()

	@classmethod
	def tearDownClass(cls):
		delete_shop(LATE_SHOP_ID)
		delete_shop(SHOP_ID)
		cls.stop_sandbox()
		super().tearDownClass()

	def order_sn(self, shop_id: str = SHOP_ID, position: int = 0) -> str:
		return bookable_order_sns(self.sandbox, shop_id)[position]

	def push_body(self, code: int, data: dict, shop_id=SHOP_ID, timestamp=None) -> bytes:
		message = {
			"shop_id": int(shop_id) if shop_id else None,
			"code": code,
			"timestamp": timestamp or int(time.time()),
			"data": data,
		}
		return json.dumps(message, separators=(",", ":")).encode()

	def post(self, body: bytes, signature: str | None = "auto", path: str = ENDPOINT):
		headers = {**self.headers, "Content-Type": "application/json"}
		if signature == "auto":
			signature = push_signature(self.partner_key, web_url() + ENDPOINT, body)
		if signature is not None:
			headers["Authorization"] = signature
		return requests.post(web_url() + path, data=body, headers=headers, timeout=30)

	def rows_for(self, order_sn: str) -> list[dict]:
		frappe.db.rollback()
		return frappe.get_all(
			INBOX, filters={"order_sn": order_sn}, fields=["name", "status", "attempts", "push_code"]
		)

	def wait_for(
		self, name: str, statuses=("Done", "Ignored", "Failed", "Dead"), timeout: float = 60
	) -> dict:
		deadline = time.monotonic() + timeout
		while time.monotonic() < deadline:
			frappe.db.rollback()
			row = frappe.db.get_value(
				INBOX, name, ["status", "attempts", "result", "last_error", "next_retry_at"], as_dict=True
			)
			if row and row.status in statuses:
				return row
			time.sleep(0.3)
		self.fail(f"inbox row {name} not processed within {timeout}s (is a bench worker running?)")


class TestWebhookIngest(WebhookTestCase):
	def test_bad_signature_gets_401_and_no_row(self):
		order_sn = new_order_sn()
		body = self.push_body(3, {"ordersn": order_sn, "status": "SHIPPED", "update_time": 1})
		for signature in ("0" * 64, None, "", "Bearer " + "a" * 40):
			response = self.post(body, signature)
			self.assertEqual(response.status_code, 401, signature)
		self.assertEqual(self.rows_for(order_sn), [])

	def test_signature_over_another_body_gets_401(self):
		order_sn = new_order_sn()
		body = self.push_body(3, {"ordersn": order_sn, "status": "SHIPPED", "update_time": 1})
		signature = push_signature(self.partner_key, web_url() + ENDPOINT, body + b" ")
		self.assertEqual(self.post(body, signature).status_code, 401)
		self.assertEqual(self.rows_for(order_sn), [])

	def test_stale_timestamp_gets_401(self):
		order_sn = new_order_sn()
		body = self.push_body(
			3, {"ordersn": order_sn, "status": "SHIPPED", "update_time": 1}, timestamp=int(time.time()) - 301
		)
		self.assertEqual(self.post(body).status_code, 401)
		self.assertEqual(self.rows_for(order_sn), [])

	def test_get_is_not_allowed(self):
		response = requests.get(web_url() + ENDPOINT, headers=web_headers(), timeout=30)
		self.assertNotEqual(response.status_code, 200)

	def test_valid_push_is_acknowledged_with_empty_body_and_processed(self):
		order_sn = self.order_sn()
		body = self.push_body(
			3, {"ordersn": order_sn, "status": "READY_TO_SHIP", "update_time": int(time.time())}
		)
		response = self.post(body)
		self.assertEqual((response.status_code, response.content), (200, b""))
		frappe.db.rollback()
		rows = frappe.get_all(INBOX, filters={"idempotency_key": idempotency_key(parse_push(body), body)})
		self.assertEqual(len(rows), 1)
		row = self.wait_for(rows[0].name)
		self.assertEqual(row.status, "Done", row)
		so = frappe.db.get_value(
			"Sales Order", {ORDER_SN_FIELD: order_sn}, ["name", "docstatus"], as_dict=True
		)
		self.assertTrue(so, "the push booked the order")
		self.assertEqual(frappe.db.get_value(INBOX, rows[0].name, "reference_name"), so.name)

	def test_fifty_concurrent_identical_pushes_make_one_row_and_one_run(self):
		order_sn = self.order_sn(position=1)
		body = self.push_body(
			3, {"ordersn": order_sn, "status": "SHIPPED", "update_time": int(time.time()) + 7}
		)
		key = idempotency_key(parse_push(body), body)
		with ThreadPoolExecutor(max_workers=25) as pool:
			statuses = list(pool.map(lambda _: self.post(body).status_code, range(50)))
		self.assertEqual(statuses, [200] * 50)
		frappe.db.rollback()
		rows = frappe.get_all(INBOX, filters={"idempotency_key": key}, pluck="name")
		self.assertEqual(len(rows), 1)
		row = self.wait_for(rows[0])
		self.assertEqual((row.status, row.attempts), ("Done", 1))
		# a late redelivery (new push timestamp, same event) is acknowledged and makes no row
		again = self.push_body(3, json.loads(body)["data"])
		self.assertEqual(idempotency_key(parse_push(again), again), key)
		self.assertEqual(self.post(again).status_code, 200)
		frappe.db.rollback()
		self.assertEqual(frappe.get_all(INBOX, filters={"idempotency_key": key}, pluck="name"), rows)
		self.assertEqual(frappe.db.get_value(INBOX, rows[0], "attempts"), 1)

	def test_malformed_but_signed_body_is_kept_as_dead(self):
		body = b'{"code": "not-an-int", "marker": "' + new_order_sn().encode() + b'"}'
		self.assertEqual(self.post(body).status_code, 401)  # no timestamp: cannot pass the drift guard
		body = json.dumps({"timestamp": int(time.time()), "code": "x", "marker": new_order_sn()}).encode()
		self.assertEqual(self.post(body).status_code, 200)
		frappe.db.rollback()
		row = frappe.get_all(
			INBOX,
			filters={"event": "malformed_push"},
			fields=["status", "payload"],
			order_by="creation desc",
			limit=1,
		)[0]
		self.assertEqual(row.status, "Dead")
		self.assertIn(json.loads(body)["marker"], row.payload)


class TestWebhookRouting(WebhookTestCase):
	def test_every_push_code_is_routed(self):
		order_sn = self.order_sn(position=2)
		now = int(time.time())
		data_by_code = {
			0: {},
			1: {"shop_id_list": [int(SHOP_ID)]},
			3: {"ordersn": order_sn, "status": "READY_TO_SHIP", "update_time": now + 100},
			4: {"ordersn": order_sn, "tracking_no": "TRK" + new_order_sn()},
			6: {"item_id": 1},  # banned_item: the shop's listings' states are read back (none here)
			12: {"shop_id_list": [int(SHOP_ID)]},
			15: {"ordersn": order_sn, "package_number": "PKG1", "status": "READY"},
			16: {},  # violation_item
			29: {"order_sn": order_sn, "return_sn": self.return_sn(), "update_time": now},
			30: {"ordersn": order_sn, "fulfillment_status": "LOGISTICS_READY", "update_time": now + 101},
		}
		expected = {code: "Done" for code in data_by_code}
		for code in PUSH_CODES:
			if code not in data_by_code and code != 2:
				data_by_code[code] = {"marker": new_order_sn()}
				expected[code] = "Ignored"
		data_by_code[999] = {"marker": new_order_sn()}
		expected[999] = "Ignored"
		names = {}
		for code, data in data_by_code.items():
			body = self.push_body(code, {**data, "routing_marker": new_order_sn()})
			self.assertEqual(self.post(body).status_code, 200, code)
			frappe.db.rollback()
			names[code] = frappe.get_all(
				INBOX, filters={"push_code": code}, order_by="creation desc", limit=1, pluck="name"
			)[0]
		for code, name in names.items():
			row = self.wait_for(name)
			self.assertEqual(row.status, expected[code], (code, row))
			if expected[code] == "Ignored":
				self.assertIn("Unknown push code" if code == 999 else "No handler", row.result)

	def test_shop_authorization_cancelled_disconnects_the_shop(self):
		body = self.push_body(2, {"shop_id_list": [int(SHOP_ID)], "marker": new_order_sn()})
		self.assertEqual(self.post(body).status_code, 200)
		frappe.db.rollback()
		name = frappe.get_all(
			INBOX, filters={"push_code": 2}, order_by="creation desc", limit=1, pluck="name"
		)[0]
		self.assertEqual(self.wait_for(name).status, "Done")
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("Shopee Shop", SHOP_ID, "status"), "Disconnected")
		frappe.db.set_value("Shopee Shop", SHOP_ID, "status", "Connected")
		frappe.db.commit()  # nosemgrep: restore the shop for the other tests

	def return_sn(self) -> str:
		return self.sandbox.dataset.list_returns(int(SHOP_ID))[0].return_sn

	def test_older_order_push_is_ignored_by_anti_regression(self):
		item = make_item("SB-TEST-WEBHOOK")
		order_sn = new_order_sn()
		so = make_sales_order(item, **{ORDER_SN_FIELD: order_sn, LAST_PUSH_FIELD: 2_000})
		so.insert()
		frappe.db.commit()  # nosemgrep: the worker must see the order
		body = self.push_body(3, {"ordersn": order_sn, "status": "SHIPPED", "update_time": 1_999})
		self.assertEqual(self.post(body).status_code, 200)
		row = self.wait_for(self.rows_for(order_sn)[0].name)
		self.assertEqual(row.status, "Ignored")
		self.assertIn("Stale push", row.result)


class TestWebhookRetries(WebhookTestCase):
	def insert_row(self, code: int, data: dict, shop_id: str) -> str:
		body = self.push_body(code, data, shop_id=shop_id)
		doc = frappe.get_doc(
			{
				"doctype": INBOX,
				"idempotency_key": new_order_sn() + new_order_sn(),
				"status": "Queued",
				"push_code": code,
				"shop_id": shop_id,
				"order_sn": data.get("ordersn"),
				"received_at": now_datetime(),
				"payload": body.decode(),
			}
		).insert(ignore_permissions=True)
		frappe.db.commit()  # nosemgrep: the dispatcher commits; rows must exist for real
		return doc.name

	def test_failure_is_retried_on_schedule_until_done(self):
		order_sn = self.order_sn(LATE_SHOP_ID)
		name = self.insert_row(
			3, {"ordersn": order_sn, "status": "READY_TO_SHIP", "update_time": int(time.time())}, LATE_SHOP_ID
		)
		started = now_datetime()
		self.assertEqual(process_webhook.run(name), "Failed")
		row = frappe.get_doc(INBOX, name)
		self.assertEqual(row.attempts, 1)
		self.assertIn("not connected", row.last_error)
		delay = (get_datetime(row.next_retry_at) - started).total_seconds()
		self.assertTrue(59 <= delay <= 62, delay)
		self.assertNotIn(name, process_webhook.retry_due())  # not due yet

		self.assertEqual(process_webhook.run(name), "Failed")  # a second attempt backs off 300 s
		row.reload()
		delay = (get_datetime(row.next_retry_at) - now_datetime()).total_seconds()
		self.assertTrue(295 <= delay <= 301, delay)

		authorize_shop(self.sandbox, LATE_SHOP_ID)  # the shop gets connected meanwhile
		frappe.db.rollback()
		configure_shop(LATE_SHOP_ID)
		frappe.db.set_value(INBOX, name, "next_retry_at", add_to_date(now_datetime(), seconds=-1))
		frappe.db.commit()  # nosemgrep: time passes for the scanner
		self.assertIn(name, process_webhook.retry_due())
		final = self.wait_for(name, statuses=("Done", "Dead"))
		self.assertEqual((final.status, final.attempts), ("Done", 3))

	def test_row_goes_dead_after_the_maximum(self):
		save_settings(webhook_max_attempts=3)
		name = self.insert_row(3, {"ordersn": "NOPE", "update_time": 1}, "999999")
		try:
			self.assertEqual([process_webhook.run(name) for _ in range(3)], ["Failed", "Failed", "Dead"])
			row = frappe.get_doc(INBOX, name)
			self.assertEqual((row.attempts, row.next_retry_at), (3, None))
			self.assertIsNone(process_webhook.run(name))  # Dead rows are not picked up again
			self.assertNotIn(name, process_webhook.retry_due())
			self.assertTrue(frappe.get_all("Error Log", filters={"reference_name": name}))
		finally:
			save_settings(webhook_max_attempts=8)

	def test_retry_now_requeues_dead_rows(self):
		from shopee_bridge.api import retry_webhooks

		name = self.insert_row(0, {}, SHOP_ID)
		frappe.db.set_value(INBOX, name, {"status": "Dead", "attempts": 8})
		frappe.db.commit()  # nosemgrep: the worker reads the row
		self.assertEqual(retry_webhooks([name]), [name])
		frappe.db.commit()  # nosemgrep: release the enqueued job
		self.assertEqual(self.wait_for(name, statuses=("Done",)).status, "Done")
