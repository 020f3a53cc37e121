"""Replay and ordering: pushes out of order, duplicated hours apart, for orders not synced yet, and
two at once; and a sync whose process is killed mid-run. Orders never move backwards and never get a
second document."""

import os
import random
import signal
import time

import frappe

from shopee_bridge.constants import INBOX, ORDER_SN_FIELD
from shopee_bridge.services.orders import sync_incremental_orders
from shopee_bridge.services.webhook_inbox import REPLAY_CACHE_PREFIX
from shopee_bridge.tests.test_webhook import SHOP_ID, WebhookTestCase
from shopee_bridge.tests.utils import bookable_order_sns, in_subprocess, save_settings
from shopee_bridge.webhooks import idempotency_key, parse_push


class TestReplayAndOrdering(WebhookTestCase):
	sandbox_seed = random.randint(1000, 10**9)  # order numbers no earlier run has booked

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.unsynced = bookable_order_sns(cls.sandbox, SHOP_ID)[-1]
		cls.sandbox.set_order_status(cls.unsynced, "UNPAID")  # no sync books it before its test

	def documents(self, order_sn: str) -> tuple[int, int, int]:
		frappe.db.rollback()

		def count(doctype, **extra):
			return frappe.db.count(doctype, {ORDER_SN_FIELD: order_sn, "docstatus": ["<", 2], **extra})

		return count("Sales Order"), count("Delivery Note"), count("Sales Invoice", is_return=0)

	def push_and_wait(self, order_sn: str, status: str, update_time: int) -> dict:
		body = self.push_body(3, {"ordersn": order_sn, "status": status, "update_time": update_time})
		self.assertEqual(self.post(body).status_code, 200)
		frappe.db.rollback()
		name = frappe.db.get_value(INBOX, {"idempotency_key": idempotency_key(parse_push(body), body)})
		return self.wait_for(name)

	def test_pushes_out_of_order_never_move_an_order_backwards(self):
		order_sn = self.order_sn(position=6)
		first = self.sandbox.set_order_status(order_sn, "SHIPPED")
		later = self.sandbox.set_order_status(order_sn, "COMPLETED")  # Shopee's current state
		self.assertEqual(self.push_and_wait(order_sn, "COMPLETED", later).status, "Done")
		self.assertEqual(self.documents(order_sn), (1, 1, 1))
		stale = self.push_and_wait(order_sn, "SHIPPED", first)  # delivered late, older update_time
		self.assertEqual(stale.status, "Ignored")
		self.assertEqual(self.documents(order_sn), (1, 1, 1))
		self.assertEqual(
			frappe.db.get_value("Sales Order", {ORDER_SN_FIELD: order_sn}, "shopee_order_status"), "COMPLETED"
		)

	def test_a_push_duplicated_hours_later_makes_no_second_row(self):
		order_sn = self.order_sn(position=7)
		update_time = self.sandbox.set_order_status(order_sn, "READY_TO_SHIP")
		body = self.push_body(3, {"ordersn": order_sn, "status": "READY_TO_SHIP", "update_time": update_time})
		self.assertEqual(self.post(body).status_code, 200)
		key = idempotency_key(parse_push(body), body)
		frappe.cache.delete_value(REPLAY_CACHE_PREFIX + key)  # hours later: the replay cache forgot it
		later = self.push_body(
			3, {"ordersn": order_sn, "status": "READY_TO_SHIP", "update_time": update_time}
		)
		self.assertEqual(self.post(later).status_code, 200)  # resent with a new push timestamp
		frappe.db.rollback()
		self.assertEqual(frappe.db.count(INBOX, {"idempotency_key": key}), 1)
		self.wait_for(frappe.db.get_value(INBOX, {"idempotency_key": key}))
		self.assertEqual(self.documents(order_sn), (1, 0, 0))

	def test_pushes_for_an_order_not_synced_yet_book_it_once(self):
		order_sn = self.unsynced
		self.assertEqual(self.documents(order_sn), (0, 0, 0))
		paid = self.sandbox.set_order_status(order_sn, "READY_TO_SHIP")
		shipped = self.sandbox.set_order_status(order_sn, "SHIPPED")
		bodies = [
			self.push_body(3, {"ordersn": order_sn, "status": "READY_TO_SHIP", "update_time": paid}),
			self.push_body(3, {"ordersn": order_sn, "status": "SHIPPED", "update_time": shipped}),
		]
		for body in bodies:  # both queued at once: two jobs for one order, maybe in parallel
			self.assertEqual(self.post(body).status_code, 200)
		frappe.db.rollback()
		for body in bodies:
			self.wait_for(
				frappe.db.get_value(INBOX, {"idempotency_key": idempotency_key(parse_push(body), body)})
			)
		self.assertEqual(self.documents(order_sn), (1, 1, 0))

	def test_a_sync_killed_mid_run_ends_as_a_full_run_would(self):
		save_settings(initial_sync_days=61)
		try:
			worker = in_subprocess(
				f"from shopee_bridge.services.orders import sync_incremental_orders\nsync_incremental_orders({SHOP_ID!r})"
			)
			deadline = time.monotonic() + 300
			while time.monotonic() < deadline and worker.poll() is None:
				frappe.db.rollback()
				if frappe.db.count("Sales Order", {"shopee_shop": SHOP_ID, "docstatus": 1}) >= 15:
					break
				time.sleep(0.3)
			os.killpg(worker.pid, signal.SIGKILL)  # by its pid, mid-run
			worker.wait()
			sync_incremental_orders(SHOP_ID)
		finally:
			save_settings(initial_sync_days=14)
		frappe.db.rollback()
		dataset, wrong = self.sandbox.dataset, {}
		for order_sn in dataset.order_sns(int(SHOP_ID)):
			status = dataset.state(dataset.index_of(order_sn))[0]
			sales_orders = frappe.db.count("Sales Order", {ORDER_SN_FIELD: order_sn, "docstatus": 1})
			notes = frappe.db.count("Delivery Note", {ORDER_SN_FIELD: order_sn, "docstatus": 1})
			invoices = frappe.db.count(
				"Sales Invoice", {ORDER_SN_FIELD: order_sn, "docstatus": 1, "is_return": 0}
			)
			if sales_orders > 1 or notes > 1 or invoices > 1:
				wrong[order_sn] = (status, sales_orders, notes, invoices)
			elif status in ("COMPLETED",) and sales_orders and (notes, invoices) != (1, 1):
				if not frappe.db.exists("Shopee Waiting Order", order_sn):
					wrong[order_sn] = (status, sales_orders, notes, invoices)
		self.assertEqual(wrong, {})
