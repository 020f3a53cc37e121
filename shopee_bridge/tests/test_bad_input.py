"""Bad input over real HTTP and from Shopee's API: a clear answer and a recoverable record, never a 500."""

import json
import time

import frappe
import requests

from shopee_bridge.constants import INBOX, MAX_PUSH_BYTES, ORDER_SN_FIELD, WAITING_ORDER
from shopee_bridge.services.orders import sync_order
from shopee_bridge.tests.test_webhook import ENDPOINT, SHOP_ID, WebhookTestCase
from shopee_bridge.tests.utils import bookable_order_sns, new_order_sn, web_url


class TestBadInput(WebhookTestCase):
	def assert_no_traceback(self, response):
		self.assertLess(response.status_code, 500, response.text[:300])
		self.assertNotIn("Traceback", response.text)
		self.assertNotIn('File "', response.text)

	def inbox_rows(self, marker: str) -> list:
		frappe.db.rollback()
		return frappe.get_all(INBOX, filters={"payload": ["like", f"%{marker}%"]}, fields=["status", "event"])

	def test_a_body_frappe_cannot_parse_gets_the_endpoints_answer(self):
		marker = new_order_sn()
		for body in (
			b'{"code": 3, "marker": "' + marker.encode() + b'", "timest',
			b"\xff\xfe not json " + marker.encode(),
		):
			for signature in (None, "auto"):
				response = self.post(body, signature)
				self.assert_no_traceback(response)
				self.assertEqual(response.status_code, 401)  # no readable timestamp: never trusted
		self.assertEqual(self.inbox_rows(marker), [])

	def test_an_oversized_body_is_refused_before_it_is_read(self):
		marker = new_order_sn()
		body = self.push_body(3, {"ordersn": marker, "pad": "x" * (MAX_PUSH_BYTES + 10)})
		response = self.post(body)
		self.assert_no_traceback(response)
		self.assertEqual(response.status_code, 413)
		self.assertEqual(self.inbox_rows(marker), [])

	def test_wrongly_typed_signed_pushes_are_kept_as_dead_rows(self):
		bodies = {}
		for label, message in {
			"bool-code": {"code": True},
			"huge-code": {"code": 2**40},
			"bad-shop": {"code": 3, "shop_id": "12ab"},
			"long-order": {"code": 3, "data": {"ordersn": "S" * 200}},
		}.items():
			marker = new_order_sn()
			bodies[label] = marker
			payload = {"shop_id": int(SHOP_ID), "timestamp": int(time.time()), "marker": marker, **message}
			response = self.post(json.dumps(payload).encode())
			self.assert_no_traceback(response)
			self.assertEqual(response.status_code, 200, label)
		for label, marker in bodies.items():
			self.assertEqual(self.inbox_rows(marker), [{"status": "Dead", "event": "malformed_push"}], label)

	def test_unicode_heavy_push_is_processed_like_any_other(self):
		order_sn = self.order_sn(position=4)
		data = {
			"ordersn": order_sn,
			"status": "READY_TO_SHIP",
			"update_time": int(time.time()),
			"note": "𝔘𝔫𝔦 ‮ 中文 \u0000 ☃" * 20,
		}
		body = self.push_body(3, data)
		response = self.post(body)
		self.assertEqual((response.status_code, response.content), (200, b""))
		frappe.db.rollback()
		name = frappe.get_all(INBOX, filters={"order_sn": order_sn}, order_by="creation desc", pluck="name")[
			0
		]
		self.assertIn(self.wait_for(name).status, ("Done", "Ignored"))

	def test_an_order_shopee_sends_malformed_waits_with_the_field_named(self):
		order_sn = self.unbooked_order_sn()
		self.sandbox.amend_order(
			order_sn, {"item_list": [{"item_id": "abc", "model_quantity_purchased": "lots"}]}
		)
		try:
			result = sync_order(SHOP_ID, order_sn)
		finally:
			self.sandbox.amend_order(order_sn, {})
		self.assertEqual([failure.reason_code for failure in result.failures], ["Shopee Error"])
		self.assertIn("model_quantity_purchased", result.failures[0].message)
		self.assertFalse(frappe.db.exists("Sales Order", {ORDER_SN_FIELD: order_sn}))
		self.assertEqual(frappe.db.get_value(WAITING_ORDER, order_sn, "reason_code"), "Shopee Error")
		self.assertEqual(sync_order(SHOP_ID, order_sn).action, "created")  # sane again: booked
		self.assertFalse(frappe.db.exists(WAITING_ORDER, order_sn))

	def unbooked_order_sn(self) -> str:
		"""A booked order only moves through its transitions: its lines are not read again."""
		for order_sn in bookable_order_sns(self.sandbox, SHOP_ID)[5:]:
			if not frappe.db.exists("Sales Order", {ORDER_SN_FIELD: order_sn}):
				return order_sn
		self.fail("every bookable sandbox order is booked already")

	def test_get_and_odd_methods_get_no_traceback(self):
		for method in ("GET", "PUT", "DELETE"):
			response = requests.request(method, web_url() + ENDPOINT, headers=self.headers, timeout=30)
			self.assertNotIn("Traceback", response.text)
			self.assertNotEqual(response.status_code, 200)

	def test_failed_calls_are_logged_even_when_the_caller_rolls_back_in_one_job(self):
		from shopee_bridge.clients import ShopeeError
		from shopee_bridge.shop_client import FAILED_CALLS, flush_call_logs, make_client

		marker = "/api/v2/shop/get_shop_info"
		before = frappe.db.count("Integration Request", {"url": marker})
		self.sandbox.inject_fault(marker, "server_error", count=40)
		failures = 0
		for _attempt in range(5):
			try:
				make_client(SHOP_ID).get_shop_info()
			except ShopeeError:
				failures += 1
			frappe.db.rollback()  # the caller's work is gone; its failed calls' logs are not
		self.sandbox.clear_faults()
		self.assertEqual(failures, 5)
		deadline = time.monotonic() + 120
		while frappe.db.count("Integration Request", {"url": marker}) - before < 5:
			self.assertLess(time.monotonic(), deadline, "the worker writes the queued failed calls")
			time.sleep(0.5)
			frappe.db.rollback()
		flush_call_logs()  # the scheduler's pass, for a record queued while the job was finishing
		self.assertEqual(frappe.cache.llen(FAILED_CALLS), 0)
