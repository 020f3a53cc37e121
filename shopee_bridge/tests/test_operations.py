"""Operations: every scheduler entry, their guards, one job per shop at a time, and the integrity report."""

import json
import random
import time

import frappe
from frappe.utils import add_days, get_absolute_url, getdate

from shopee_bridge.compat import IntegrationTestCase
from shopee_bridge.constants import INTEGRITY_REPORT, ORDER_SN_FIELD, SHOP
from shopee_bridge.jobs import schedule
from shopee_bridge.services import integrity
from shopee_bridge.services.orders import sync_incremental_orders
from shopee_bridge.tests.utils import (
	SandboxMixin,
	authorize_shop,
	bookable_order_sns,
	configure_shop,
	delete_shop,
	in_subprocess,
	prepare_erpnext_for_sandbox,
	save_settings,
)

SHOP_ID = "610005"


class TestOperations(SandboxMixin, IntegrationTestCase):
	sandbox_orders = 60
	sandbox_shops = [
		{"shop_id": int(SHOP_ID), "shop_name": "Operations Shop SG", "region": "SG", "currency": "SGD"}
	]

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		prepare_erpnext_for_sandbox()
		cls.sandbox_seed = random.randint(1000, 10**9)
		cls.start_sandbox()
		delete_shop(SHOP_ID)
		authorize_shop(cls.sandbox, SHOP_ID)
		frappe.db.rollback()
		configure_shop(SHOP_ID)
		save_settings(initial_sync_days=61)
		sync_incremental_orders(SHOP_ID)

	@classmethod
	def tearDownClass(cls):
		save_settings(initial_sync_days=14, enabled=1)
		delete_shop(SHOP_ID)
		cls.stop_sandbox()
		super().tearDownClass()

	def report(self) -> dict:
		name = integrity.make_report(SHOP_ID, add_days(getdate(), -62), getdate())
		return name, integrity.load_json(name)

	def test_integrity_report_is_clean_on_clean_data_and_exact_on_seeded_mismatches(self):
		name, clean = self.report()
		self.assertEqual(clean["mismatches"], [])
		self.assertEqual(
			frappe.db.get_value(INTEGRITY_REPORT, name, ["status", "mismatch_count"]), ("Clean", 0)
		)
		self.assertTrue(integrity.verify(name)["intact"])
		self.assertGreater(clean["sections"]["orders"]["booked"], 20)

		completed = bookable_order_sns(self.sandbox, SHOP_ID, statuses=("COMPLETED",))
		ready = bookable_order_sns(self.sandbox, SHOP_ID, statuses=("READY_TO_SHIP", "PROCESSED"))
		invoice = frappe.get_doc("Sales Invoice", {ORDER_SN_FIELD: completed[0], "docstatus": 1})
		invoice.cancel()  # an accountant cancelled an invoice by hand
		relabelled = frappe.db.get_value("Sales Order", {ORDER_SN_FIELD: completed[1]}, "name")
		frappe.db.set_value("Sales Order", relabelled, "shopee_order_status", "SHIPPED")
		self.sandbox.set_order_status(ready[0], "SHIPPED")  # moved on Shopee, not synced yet
		index = self.sandbox.dataset.index_of(completed[2])
		paid = self.sandbox.dataset.order_detail(index, {"total_amount"})["total_amount"]
		goods = self.sandbox.dataset.escrow_detail(index)["order_income"]["original_cost_of_goods_sold"]
		self.sandbox.amend_order(
			completed[2], {"total_amount": paid + 1}, {"original_cost_of_goods_sold": goods + 1}
		)
		frappe.db.commit()  # nosemgrep: the report reads the committed state

		name, seeded = self.report()
		found = sorted((m["kind"], m["reference"]) for m in seeded["mismatches"])
		self.assertEqual(
			found,
			sorted(
				[
					("missing_documents", completed[0]),
					("status_differs", completed[1]),
					("missing_documents", ready[0]),
					("status_differs", ready[0]),
					("order_total_differs", completed[2]),
					("invoice_total_differs", completed[2]),
				]
			),
		)
		self.assertEqual(frappe.db.get_value(INTEGRITY_REPORT, name, "status"), "Mismatches")
		html = integrity.file_bytes(frappe.db.get_value(INTEGRITY_REPORT, name, "html_file")).decode()
		self.assertIn(f'href="{get_absolute_url("Sales Order", relabelled)}"', html)

		json_url = frappe.db.get_value(INTEGRITY_REPORT, name, "json_file")
		file = frappe.get_doc("File", {"file_url": json_url})
		with open(file.get_full_path(), "ab") as handle:
			handle.write(b" ")  # tampered after the fact
		self.assertEqual(integrity.verify(name), {"intact": False, "changed": ["json_file"]})

	def test_every_scheduler_entry_of_the_app_runs(self):
		entries = []
		for methods in frappe.get_hooks("scheduler_events").values():
			for value in methods.values() if isinstance(methods, dict) else [methods]:
				entries += [method for method in value if method.startswith("shopee_bridge.")]
		self.assertGreaterEqual(len(entries), 5)
		for method in entries:
			frappe.get_attr(method)()
		scheduled = {method.rsplit(".", 1)[1] for method in entries if ".jobs.schedule." in method}
		self.assertEqual(scheduled, set(schedule.SHOP_JOBS))  # every per-shop kind has its scheduler entry
		frappe.db.set_value(SHOP, SHOP_ID, {job.toggle: 1 for job in schedule.SHOP_JOBS.values()})
		frappe.db.delete("Shopee Sync Log", {"shop": SHOP_ID})
		for kind, job in schedule.SHOP_JOBS.items():
			if not job.due:
				self.assertIn(SHOP_ID, schedule.due_shops(kind), kind)
		frappe.db.rollback()  # what they queued is queued after commit: nothing leaves this test

	def test_scheduler_skips_disabled_settings_toggled_off_and_disconnected_shops(self):
		frappe.db.delete("Shopee Sync Log", {"shop": SHOP_ID, "job": "sync_incremental_orders"})
		self.assertIn(f"shopee_orders::{SHOP_ID}", schedule.orders())
		save_settings(enabled=0)
		try:
			self.assertEqual(schedule.orders(), [])
		finally:
			save_settings(enabled=1)
		frappe.db.set_value(SHOP, SHOP_ID, "auto_sync_orders", 0)
		self.assertNotIn(f"shopee_orders::{SHOP_ID}", schedule.orders())
		frappe.db.set_value(SHOP, SHOP_ID, {"auto_sync_orders": 1, "status": "Disconnected"})
		self.assertNotIn(f"shopee_orders::{SHOP_ID}", schedule.orders())
		frappe.db.rollback()

	def test_a_shops_job_never_runs_twice_at_once(self):
		holder = in_subprocess(
			"from shopee_bridge.utils import advisory_lock\nimport time\n"
			f"with advisory_lock('shopee_job:orders:{SHOP_ID}'):\n    time.sleep(20)"
		)
		try:
			time.sleep(6)  # the other worker holds the shop's order job
			self.assertIsNone(schedule.run_shop_job("orders", SHOP_ID))
		finally:
			holder.kill()
			holder.wait()
		# MariaDB frees a dead connection's locks once it notices the socket closed: not at once on a busy host
		deadline = time.monotonic() + 60
		while (result := schedule.run_shop_job("orders", SHOP_ID)) is None and time.monotonic() < deadline:
			time.sleep(1)
		self.assertTrue(result)  # free again: it runs

	def test_operator_view_shows_each_shop_and_its_last_runs(self):
		from shopee_bridge.shopee_bridge.report.shopee_shop_overview.shopee_shop_overview import execute

		columns, rows = execute()
		row = next(row for row in rows if row["shop"] == SHOP_ID)
		self.assertEqual(row["status"], "Connected")
		self.assertTrue(row["last_sync_incremental_orders"])
		self.assertIn("inbox_failed", {column["fieldname"] for column in columns})
		for doctype, name in (
			("Number Card", "Shopee Orders Waiting"),
			("Number Card", "Shopee Revenue This Month"),
			("Dashboard Chart", "Shopee Orders per Day"),
			("Dashboard Chart", "Shopee Revenue per Day"),
			("Report", "Shopee Shop Overview"),
		):
			self.assertTrue(frappe.db.exists(doctype, name), name)
		workspace = frappe.get_doc("Workspace", "Shopee Bridge")
		blocks = {
			(block["type"], block["data"].get("number_card_name") or block["data"].get("chart_name"))
			for block in json.loads(workspace.content)
		}
		for card in workspace.number_cards:
			self.assertIn(("number_card", card.number_card_name), blocks)
		for chart in workspace.charts:
			self.assertIn(("chart", chart.chart_name), blocks)
		self.assertEqual(len(workspace.number_cards), 4)
		self.assertEqual(len(workspace.charts), 2)
		linked = {link.link_to for link in workspace.links if link.type == "Link"}
		for target in ("Shopee Shop Overview", "Shopee Backfill", "Shopee Integrity Report", "Shopee Return"):
			self.assertIn(target, linked)
