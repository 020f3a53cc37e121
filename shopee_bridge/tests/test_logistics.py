"""Shipping from Desk against the sandbox: pickup and drop-off, tracking numbers, labels, orders moving on."""

import io
import json
import threading
import time
from collections import Counter

import frappe
from pypdf import PdfReader

from shopee_bridge import api
from shopee_bridge.compat import IntegrationTestCase
from shopee_bridge.constants import (
	CARRIER_FIELD,
	INBOX,
	LOGISTICS_STATUS_FIELD,
	ORDER_SN_FIELD,
	PACKAGE_FIELD,
	SHIPMENT_STATE_FIELD,
	SHIPPING_LABEL,
	SHIPPING_MODE_FIELD,
	SYNC_LOG,
	TRACKING_FIELD,
)
from shopee_bridge.jobs import logistics as jobs
from shopee_bridge.sandbox.catalogue import UNMAPPED_SKU
from shopee_bridge.services import shipping_labels
from shopee_bridge.services.orders import sync_orders
from shopee_bridge.tests.utils import (
	SandboxMixin,
	authorize_shop,
	configure_shop,
	delete_shop,
	prepare_erpnext_for_sandbox,
	web_url,
)

SHOP_ID = "620011"
SHIP = "/api/v2/logistics/ship_order"
DETAIL = "/api/v2/order/get_order_detail"
TRACKING = "/api/v2/logistics/get_tracking_number"
WEBHOOK = "/api/method/shopee_bridge.api.webhook_live"
PICKUP_ONLY, DROPOFF_WITH_NAME, EITHER = 18028, 18036, 18025


def shippable_orders(dataset) -> list[tuple[str, int]]:
	"""(order_sn, channel) of the orders a test can ship: not on a return, every listing mapped."""
	with_returns = {entry.order_index for entry in dataset.list_returns(int(SHOP_ID))}
	found = []
	for order_sn in dataset.order_sns(int(SHOP_ID)):
		index = dataset.index_of(order_sn)
		facts = dataset.facts(index)
		if dataset.state(index)[0] not in ("COMPLETED", "READY_TO_SHIP") or index in with_returns:
			continue
		if dataset.sells_unmapped(index):
			continue
		found.append((order_sn, facts["channel_id"]))
	return found


class LogisticsTestCase(SandboxMixin, IntegrationTestCase):
	orders_needed: dict[int, int] = {}
	sandbox_orders = 60
	sandbox_shops = [
		{"shop_id": int(SHOP_ID), "shop_name": "Logistics Shop SG", "region": "SG", "currency": "SGD"}
	]

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		prepare_erpnext_for_sandbox()
		cls.sandbox_seed = cls.seed_with_orders_on_channels()  # fresh order numbers on every run
		cls.start_sandbox()
		delete_shop(SHOP_ID)
		authorize_shop(cls.sandbox, SHOP_ID)
		frappe.db.rollback()
		configure_shop(SHOP_ID)
		cls.used: set[str] = set()

	@classmethod
	def tearDownClass(cls):
		delete_shop(SHOP_ID)
		cls.stop_sandbox()
		super().tearDownClass()

	@classmethod
	def seed_with_orders_on_channels(cls) -> int:
		"""A random seed whose orders give every test of the class its own order on its channel."""

		def enough(dataset) -> bool:
			found = Counter(channel for _sn, channel in shippable_orders(dataset))
			return all(found[channel] >= needed for channel, needed in cls.orders_needed.items())

		return cls.seed_where(enough, f"the orders {cls.orders_needed}")

	def ready_order(self, channel: int | None = None) -> str:
		"""A booked READY_TO_SHIP order (on the channel when given), each test its own."""
		for order_sn, on_channel in shippable_orders(self.sandbox.dataset):
			if order_sn in self.used or (channel and on_channel != channel):
				continue
			self.used.add(order_sn)
			self.sandbox.set_order_status(order_sn, "READY_TO_SHIP")
			sync_orders(SHOP_ID, [order_sn])
			so = frappe.db.get_value("Sales Order", {ORDER_SN_FIELD: order_sn}, "name")
			self.assertTrue(so, f"{order_sn} booked")
			return order_sn
		self.fail(f"no order left on channel {channel}")

	def so(self, order_sn: str) -> str:
		return frappe.db.get_value("Sales Order", {ORDER_SN_FIELD: order_sn}, "name")

	def notes(self, order_sn: str) -> list[dict]:
		return frappe.get_all(
			"Delivery Note",
			filters={ORDER_SN_FIELD: order_sn, "is_return": 0, "docstatus": ["<", 2]},
			fields=[
				"name",
				"docstatus",
				TRACKING_FIELD,
				SHIPMENT_STATE_FIELD,
				SHIPPING_MODE_FIELD,
				PACKAGE_FIELD,
				"lr_no",
			],
		)

	def ship_pickup(self, order_sn: str) -> dict:
		options = api.shipping_options("Sales Order", self.so(order_sn))
		address = next(a for a in options["addresses"] if a["pickup_address"])
		slot = next(s for s in address["slots"] if s["recommended"])
		choice = {"address_id": address["address_id"], "pickup_time_id": slot["pickup_time_id"]}
		return api.ship_order("Sales Order", self.so(order_sn), "pickup", json.dumps(choice))

	def issue_tracking(self, order_sn: str) -> str:
		from shopee_bridge.sandbox.logistics_api import control_issue_tracking

		return control_issue_tracking(self.sandbox, {}, {"order_sn": order_sn})["tracking_number"]

	def calls(self, path: str) -> int:
		return self.sandbox.call_counts.get(path, 0)


class TestShipping(LogisticsTestCase):
	orders_needed = {PICKUP_ONLY: 4, DROPOFF_WITH_NAME: 2, EITHER: 2}

	def test_pickup_from_the_sales_order_records_the_shipment_and_its_draft_note(self):
		order_sn = self.ready_order(PICKUP_ONLY)
		options = api.shipping_options("Sales Order", self.so(order_sn))
		self.assertEqual([mode for mode in options["modes"] if mode != "non_integrated"], ["pickup"])
		self.sandbox.reset_counts()
		result = self.ship_pickup(order_sn)
		self.assertEqual(result["state"], "Arranged")
		facts = self.sandbox.dataset.facts(self.sandbox.dataset.index_of(order_sn))
		so = frappe.db.get_value(
			"Sales Order",
			self.so(order_sn),
			[SHIPMENT_STATE_FIELD, SHIPPING_MODE_FIELD, LOGISTICS_STATUS_FIELD, PACKAGE_FIELD, CARRIER_FIELD],
		)
		self.assertEqual(
			so, ("Arranged", "Pickup", "LOGISTICS_REQUEST_CREATED", facts["package_number"], facts["carrier"])
		)
		notes = self.notes(order_sn)
		self.assertEqual(
			[(n.name, n.docstatus, n[PACKAGE_FIELD]) for n in notes],
			[(result["delivery_note"], 0, facts["package_number"])],
		)
		shipped = self.sandbox.dataset.shipments[self.sandbox.dataset.index_of(order_sn)]
		self.assertEqual(
			(shipped["mode"], str(shipped["choice"]["address_id"])),
			("pickup", options["addresses"][0]["address_id"]),
		)
		self.assertEqual(self.calls(SHIP), 1)
		with self.assertRaisesRegex(frappe.ValidationError, "already shipped"):  # the dialog says so
			api.shipping_options("Sales Order", self.so(order_sn))
		choice = {"address_id": options["addresses"][0]["address_id"], "pickup_time_id": "any"}
		again = api.ship_order(
			"Sales Order", self.so(order_sn), "pickup", choice
		)  # a second click: re-read only
		self.assertEqual((again["state"], self.calls(SHIP), len(self.notes(order_sn))), ("Arranged", 1, 1))

	def test_dropoff_from_a_delivery_note_made_by_hand(self):
		from erpnext.selling.doctype.sales_order.sales_order import make_delivery_note

		order_sn = self.ready_order(DROPOFF_WITH_NAME)
		dn = make_delivery_note(self.so(order_sn))
		dn.insert(ignore_permissions=True)
		frappe.db.commit()  # nosemgrep: the ship call commits; the note must exist for real
		options = api.shipping_options("Delivery Note", dn.name)
		self.assertEqual([mode for mode in options["modes"] if mode != "non_integrated"], ["dropoff"])
		self.assertIn("sender_real_name", options["needs"]["dropoff"])
		choice = {
			"branch_id": options["branches"][1]["branch_id"],
			"sender_real_name": options["sender_name"],
		}
		result = api.ship_order("Delivery Note", dn.name, "dropoff", choice)
		self.assertEqual((result["state"], result["delivery_note"]), ("Arranged", dn.name))
		note = self.notes(order_sn)
		self.assertEqual([(n.name, n[SHIPPING_MODE_FIELD]) for n in note], [(dn.name, "Drop-off")])
		shipped = self.sandbox.dataset.shipments[self.sandbox.dataset.index_of(order_sn)]
		self.assertEqual(
			(shipped["mode"], shipped["choice"]["branch_id"]), ("dropoff", int(choice["branch_id"]))
		)

	def test_a_lost_answer_is_never_resent_but_read_back(self):
		order_sn = self.ready_order(PICKUP_ONLY)
		self.sandbox.reset_counts()
		self.sandbox.inject_fault(SHIP, "drop_after_apply")
		self.assertEqual(self.ship_pickup(order_sn)["state"], "Arranged")
		self.assertEqual(self.calls(SHIP), 1)
		self.assertEqual(
			frappe.db.get_value("Sales Order", self.so(order_sn), SHIPMENT_STATE_FIELD), "Arranged"
		)

	def test_an_unreadable_outcome_stays_unconfirmed_until_the_poll_reads_it(self):
		order_sn = self.ready_order(PICKUP_ONLY)
		self.sandbox.reset_counts()
		self.sandbox.inject_fault(SHIP, "bad_gateway_after_apply")
		self.sandbox.inject_fault(DETAIL, "server_error", count=10)
		self.assertEqual(self.ship_pickup(order_sn)["state"], "Unconfirmed")
		self.assertEqual(
			frappe.db.get_value("Sales Order", self.so(order_sn), SHIPMENT_STATE_FIELD), "Unconfirmed"
		)
		self.sandbox.clear_faults()
		jobs.poll_shop_tracking(SHOP_ID)
		self.assertEqual(
			frappe.db.get_value("Sales Order", self.so(order_sn), SHIPMENT_STATE_FIELD), "Arranged"
		)
		self.assertEqual(self.calls(SHIP), 1)

	def test_a_refused_choice_is_shown_and_nothing_is_recorded(self):
		order_sn = self.ready_order(PICKUP_ONLY)
		with self.assertRaises(frappe.ValidationError):
			api.ship_order(
				"Sales Order", self.so(order_sn), "pickup", {"address_id": "1", "pickup_time_id": "nope"}
			)
		self.assertFalse(frappe.db.get_value("Sales Order", self.so(order_sn), SHIPMENT_STATE_FIELD))
		self.assertEqual(self.notes(order_sn), [])

	def test_bulk_shipment_uses_shopees_defaults_and_logs_each_order(self):
		orders = [self.ready_order(EITHER), self.ready_order(EITHER), self.ready_order(DROPOFF_WITH_NAME)]
		log = jobs.ship_sales_orders([self.so(sn) for sn in orders], "pickup")
		row = frappe.get_doc(SYNC_LOG, log)
		self.assertEqual((row.fetched, row.updated, row.failed), (3, 2, 1))
		self.assertIn("cannot be shipped by pickup", row.errors[0].error)
		states = [frappe.db.get_value("Sales Order", self.so(sn), SHIPMENT_STATE_FIELD) for sn in orders]
		self.assertEqual(states, ["Arranged", "Arranged", None])


class TestTrackingAndLabels(LogisticsTestCase):
	orders_needed = {PICKUP_ONLY: 8}  # print labels takes three

	def test_tracking_number_from_polling_once_shopee_has_it(self):
		order_sn = self.ready_order(PICKUP_ONLY)
		self.ship_pickup(order_sn)
		self.sandbox.reset_counts()
		for _attempt in range(2):  # Shopee answers without a number for the first polls
			jobs.poll_shop_tracking(SHOP_ID)
			self.assertFalse(frappe.db.get_value("Sales Order", self.so(order_sn), TRACKING_FIELD))
		jobs.poll_shop_tracking(SHOP_ID)
		expected = self.sandbox.dataset.facts(self.sandbox.dataset.index_of(order_sn))["tracking_number"]
		self.assertEqual(frappe.db.get_value("Sales Order", self.so(order_sn), TRACKING_FIELD), expected)
		self.assertEqual([(n[TRACKING_FIELD], n.lr_no) for n in self.notes(order_sn)], [(expected, expected)])
		self.assertNotIn(self.so(order_sn), [row.name for row in self.untracked()])
		polled = self.calls(TRACKING)
		jobs.poll_shop_tracking(SHOP_ID)
		self.assertEqual(
			frappe.db.count(
				"Comment", {"reference_name": self.so(order_sn), "content": ["like", f"%{expected}%"]}
			),
			1,
		)
		self.assertGreaterEqual(polled, 3)

	def untracked(self) -> list:
		from shopee_bridge.services.logistics import poll_candidates

		return poll_candidates(SHOP_ID)

	def test_tracking_number_from_a_signed_push(self):
		order_sn = self.ready_order(PICKUP_ONLY)
		self.ship_pickup(order_sn)
		tracking = self.issue_tracking(order_sn)
		status, _body = self.sandbox.push(
			web_url() + WEBHOOK, 4, {"ordersn": order_sn, "tracking_no": tracking}, shop_id=int(SHOP_ID)
		)
		self.assertEqual(status, 200)
		row = self.wait_for_inbox(order_sn)
		self.assertEqual((row.status, row.reference_name), ("Done", self.so(order_sn)), row)
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("Sales Order", self.so(order_sn), TRACKING_FIELD), tracking)
		self.assertEqual([n[TRACKING_FIELD] for n in self.notes(order_sn)], [tracking])

	def wait_for_inbox(self, order_sn: str, code: int = 4, timeout: float = 60):
		deadline = time.monotonic() + timeout
		while time.monotonic() < deadline:
			frappe.db.rollback()
			rows = frappe.get_all(
				INBOX,
				filters={"order_sn": order_sn, "push_code": code},
				fields=["name", "status", "reference_name", "result", "last_error"],
			)
			if rows and rows[0].status in ("Done", "Failed", "Dead", "Ignored"):
				return rows[0]
			time.sleep(0.3)
		self.fail(f"push for {order_sn} not processed in {timeout}s (is a worker running?)")

	def test_a_label_shopee_reports_ready_is_attached_from_the_push(self):
		order_sn, tracking = self.shipped_and_tracked()
		client, entry = self.client(), {"order_sn": order_sn}
		client.create_shipping_document([{**entry, "tracking_number": tracking}])  # printed in Seller Center
		while client.get_shipping_document_result([entry])[0]["status"] != "READY":
			time.sleep(0.2)
		data = {"ordersn": order_sn, "package_number": "", "status": "READY"}
		self.assertEqual(self.sandbox.push(web_url() + WEBHOOK, 15, data, shop_id=int(SHOP_ID))[0], 200)
		row = self.wait_for_inbox(order_sn, code=15)
		self.assertEqual(row.status, "Done", row)
		frappe.db.rollback()
		dn = self.notes(order_sn)[0].name
		self.assertEqual([label.version for label in self.labels(dn)], [1], row.result)

	def shipped_and_tracked(self) -> tuple[str, str]:
		order_sn = self.ready_order(PICKUP_ONLY)
		self.ship_pickup(order_sn)
		tracking = self.issue_tracking(order_sn)
		return order_sn, tracking

	def labels(self, dn: str) -> list[dict]:
		return frappe.get_all(
			SHIPPING_LABEL,
			filters={"delivery_note": dn},
			fields=["name", "version", "file"],
			order_by="version",
		)

	def files(self, dn: str) -> list[str]:
		return frappe.get_all(
			"File",
			filters={"attached_to_doctype": "Delivery Note", "attached_to_name": dn},
			pluck="file_name",
		)

	def test_two_concurrent_jobs_attach_one_label_and_a_changed_label_is_a_new_version(self):
		order_sn, tracking = self.shipped_and_tracked()
		so = self.so(order_sn)
		results = run_concurrently(
			2, lambda: shipping_labels.fetch_label("Sales Order", so, sleep=time.sleep)
		)
		frappe.db.rollback()
		dn = self.notes(order_sn)[0].name
		self.assertEqual(len(self.labels(dn)), 1, results)
		self.assertEqual(self.files(dn), [f"shopee-label-{order_sn}-v1.pdf"])
		self.assertEqual(sorted(r["created"] for r in results), [False, True])
		self.assertEqual({r["label"] for r in results}, {self.labels(dn)[0].name})
		pdf = shipping_labels.label_bytes(self.labels(dn)[0].file)
		self.assertIn(tracking, PdfReader(io.BytesIO(pdf)).pages[0].extract_text())

		self.assertFalse(shipping_labels.fetch_label("Sales Order", so)["created"])  # same bytes: nothing new
		from shopee_bridge.sandbox.logistics_api import control_relabel

		control_relabel(self.sandbox, {}, {"order_sn": order_sn})  # the carrier re-issues the label
		content, doc_type = shipping_labels.download_label(self.client(), order_sn, tracking)
		raced = run_concurrently(
			2,
			lambda: shipping_labels.attach_label(dn, content, order_sn, SHOP_ID, tracking, doc_type),
			barrier=True,
		)
		frappe.db.rollback()
		self.assertEqual([label.version for label in self.labels(dn)], [1, 2], raced)
		self.assertEqual(len(self.files(dn)), 2)
		self.assertEqual(sorted(r["created"] for r in raced), [False, True])

	def client(self):
		from shopee_bridge.shop_client import make_client

		return make_client(SHOP_ID)

	def test_print_labels_merges_the_selection_into_one_pdf(self):
		orders = [self.shipped_and_tracked()[0] for _ in range(2)]
		names = [self.so(sn) for sn in orders]
		prepared = api.prepare_shipping_labels("Sales Order", json.dumps(names))
		self.assertEqual((len(prepared["ready"]), prepared["failed"]), (2, {}))
		api.print_shipping_labels(json.dumps(prepared["ready"]))
		response = frappe.local.response
		self.assertEqual((response.type, response.filename), ("download", "shopee-labels.pdf"))
		pages = PdfReader(io.BytesIO(response.filecontent)).pages
		self.assertEqual([orders[i] in pages[i].extract_text() for i in range(2)], [True, True])
		untracked = self.ready_order(PICKUP_ONLY)
		failed = api.prepare_shipping_labels("Sales Order", json.dumps([self.so(untracked)]))["failed"]
		self.assertIn(self.so(untracked), failed)

	def test_shipped_orders_move_on_through_the_order_service(self):
		order_sn, _tracking = self.shipped_and_tracked()
		draft = self.notes(order_sn)[0].name
		self.sandbox.set_order_status(order_sn, "SHIPPED")
		jobs.advance_shipped_orders(SHOP_ID)
		self.assertEqual(
			[(n.name, n.docstatus) for n in self.notes(order_sn)], [(draft, 1)]
		)  # the same note, submitted
		self.sandbox.set_order_status(order_sn, "COMPLETED")
		jobs.advance_shipped_orders(SHOP_ID)
		invoices = frappe.get_all(
			"Sales Invoice", filters={ORDER_SN_FIELD: order_sn, "docstatus": 1, "is_return": 0}
		)
		self.assertEqual(len(invoices), 1)
		self.assertEqual(
			frappe.db.get_value("Sales Order", self.so(order_sn), "shopee_order_status"), "COMPLETED"
		)


def run_concurrently(count: int, work, barrier: bool = False) -> list:
	"""Run work in `count` threads, each with its own site connection (as two workers would)."""
	site, sites_path = frappe.local.site, frappe.local.sites_path
	start = threading.Barrier(count)
	results, errors = [None] * count, []

	def worker(position: int):
		frappe.init(site=site, sites_path=sites_path)
		frappe.connect()
		frappe.set_user("Administrator")
		try:
			if barrier:
				start.wait(timeout=30)
			results[position] = work()
			frappe.db.commit()  # nosemgrep: each worker's unit of work
		except Exception as e:
			frappe.db.rollback()
			errors.append(e)
		finally:
			frappe.destroy()

	threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
	for thread in threads:
		thread.start()
	for thread in threads:
		thread.join(timeout=120)
	if errors:
		raise errors[0]
	return results
