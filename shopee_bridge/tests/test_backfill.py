"""A sandbox year backfilled in windows: resumed after its process is killed, nothing twice, two workers
on overlapping jobs ending as one would, and the bench command."""

import os
import signal
import subprocess
import sys
import time

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, add_to_date, getdate, now_datetime

from shopee_bridge.constants import BACKFILL, ORDER_SN_FIELD, SHOP, WAITING_ORDER
from shopee_bridge.sandbox.catalogue import UNMAPPED_SKU
from shopee_bridge.services import fiscal
from shopee_bridge.tests.utils import (
	SandboxMixin,
	authorize_shop,
	configure_shop,
	delete_shop,
	in_subprocess,
	prepare_erpnext_for_sandbox,
	save_settings,
)

SHOP_ID = "610004"
BOOKED = {"READY_TO_SHIP", "PROCESSED", "SHIPPED", "TO_CONFIRM_RECEIVE", "COMPLETED", "TO_RETURN"}
DELIVERED = {"SHIPPED", "TO_CONFIRM_RECEIVE", "COMPLETED", "TO_RETURN"}
INVOICED = {"COMPLETED", "TO_RETURN"}


def ensure_fiscal_year(year: int) -> None:
	if not frappe.db.exists("Fiscal Year", {"year_start_date": f"{year}-01-01"}):
		frappe.get_doc(
			{
				"doctype": "Fiscal Year",
				"year": str(year),
				"year_start_date": f"{year}-01-01",
				"year_end_date": f"{year}-12-31",
			}
		).insert(ignore_permissions=True)


class TestBackfill(SandboxMixin, FrappeTestCase):
	sandbox_orders = 120
	sandbox_days = 365
	sandbox_shops = [
		{"shop_id": int(SHOP_ID), "shop_name": "Backfill Shop SG", "region": "SG", "currency": "SGD"}
	]

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		prepare_erpnext_for_sandbox()
		import random

		cls.sandbox_seed = random.randint(1000, 10**9)
		cls.start_sandbox()
		delete_shop(SHOP_ID)
		authorize_shop(cls.sandbox, SHOP_ID)
		frappe.db.rollback()
		configure_shop(SHOP_ID)
		ensure_fiscal_year(getdate().year - 1)  # the year backfilled starts last year
		frappe.db.commit()  # nosemgrep: the subprocesses read the shop

	@classmethod
	def tearDownClass(cls):
		delete_shop(SHOP_ID)
		cls.stop_sandbox()
		super().tearDownClass()

	def expected(self, order_sn: str) -> tuple[int, int, int]:
		"""The documents the order's status calls for; none for the sandbox's unmapped product (it waits)."""
		dataset = self.sandbox.dataset
		index = dataset.index_of(order_sn)
		status = dataset.state(index)[0]
		lines = dataset.order_detail(index, {"item_list"})["item_list"]
		if status not in BOOKED or any(line["item_sku"] == UNMAPPED_SKU for line in lines):
			return (0, 0, 0)
		return (1, int(status in DELIVERED), int(status in INVOICED))

	def actual(self, order_sn: str) -> tuple[int, int, int]:
		def count(doctype, **extra):
			return frappe.db.count(doctype, {ORDER_SN_FIELD: order_sn, "docstatus": 1, **extra})

		return (count("Sales Order"), count("Delivery Note"), count("Sales Invoice", is_return=0))

	def assert_every_order_booked_once(self):
		frappe.db.rollback()
		wrong = {}
		for order_sn in self.sandbox.dataset.order_sns(int(SHOP_ID)):
			if self.actual(order_sn) != self.expected(order_sn):
				wrong[order_sn] = (self.actual(order_sn), self.expected(order_sn))
		self.assertEqual(wrong, {})
		waiting = frappe.get_all(WAITING_ORDER, filters={"shop": SHOP_ID}, pluck="reason_code")
		self.assertEqual(set(waiting), {"Unmapped Item"} if waiting else set())

	def wait_for(self, name: str, condition, timeout: float = 600):
		deadline = time.monotonic() + timeout
		while time.monotonic() < deadline:
			frappe.db.rollback()
			doc = frappe.db.get_value(
				BACKFILL, name, ["status", "windows_done", "windows_total"], as_dict=True
			)
			if condition(doc):
				return doc
			time.sleep(0.5)
		self.fail(f"backfill {name} did not get there in {timeout}s: {doc}")

	def test_a_year_resumes_after_its_process_is_killed_and_books_each_order_once(self):
		start, end = add_days(getdate(), -366), getdate()
		name = fiscal.backfill(SHOP_ID, start, end, ["orders"], inline=True)
		frappe.db.commit()  # nosemgrep: the subprocess runs it
		self.assertGreaterEqual(frappe.db.get_value(BACKFILL, name, "windows_total"), 25)
		worker = in_subprocess(
			f"from shopee_bridge.services.fiscal import run_backfill\nrun_backfill({name!r})"
		)
		doc = self.wait_for(name, lambda d: d.windows_done >= 3 or worker.poll() is not None)
		os.killpg(worker.pid, signal.SIGKILL)  # mid-run: as a lost worker would
		worker.wait()
		frappe.db.rollback()
		killed_at = frappe.db.get_value(BACKFILL, name, ["status", "windows_done"], as_dict=True)
		self.assertEqual(killed_at.status, "Running")
		self.assertLess(killed_at.windows_done, doc.windows_total)
		# the scheduler sees the lost heartbeat and queues it again; here it runs where we can wait for it
		frappe.db.set_value(BACKFILL, name, "last_heartbeat", add_to_date(now_datetime(), minutes=-20))
		frappe.db.commit()  # nosemgrep: the scan reads it
		self.assertIn(name, fiscal.resume_stalled())
		frappe.db.rollback()  # the queued job would run it in a worker: run it here instead
		self.assertEqual(fiscal.run_backfill(name), "Done")
		done = frappe.get_doc(BACKFILL, name)
		self.assertEqual((done.windows_done, done.status), (done.windows_total, "Done"))
		self.assertTrue(all(window.status == "Done" for window in done.windows))
		self.assertGreaterEqual(done.records_done, len(self.sandbox.dataset.order_sns(int(SHOP_ID))))
		self.assert_every_order_booked_once()

	def test_two_workers_on_overlapping_jobs_end_as_one(self):
		for order_sn in self.sandbox.dataset.order_sns(int(SHOP_ID))[-30:]:  # new activity for both jobs
			status = self.sandbox.dataset.state(self.sandbox.dataset.index_of(order_sn))[0]
			if status in ("READY_TO_SHIP", "PROCESSED"):
				self.sandbox.set_order_status(order_sn, "COMPLETED")
		frappe.db.set_value(SHOP, SHOP_ID, "orders_synced_until", int(time.time()) - 366 * 86400)
		first = fiscal.backfill(SHOP_ID, add_days(getdate(), -366), getdate(), ["orders"], inline=True)
		frappe.db.commit()  # nosemgrep: the subprocesses read it
		workers = [
			in_subprocess(f"from shopee_bridge.services.fiscal import run_backfill\nrun_backfill({first!r})"),
			in_subprocess(
				f"from shopee_bridge.services.orders import sync_incremental_orders\nsync_incremental_orders({SHOP_ID!r})"
			),
			in_subprocess(f"from shopee_bridge.services.fiscal import run_backfill\nrun_backfill({first!r})"),
		]
		for worker in workers:
			self.assertEqual(worker.wait(timeout=900), 0)
		self.assertEqual(self.wait_for(first, lambda d: d.status == "Done").status, "Done")
		self.assert_every_order_booked_once()

	def test_bench_command_backfills_with_a_progress_bar(self):
		bench_python = sys.executable
		sites = os.path.abspath(frappe.local.sites_path)
		day = add_days(getdate(), -3)
		result = subprocess.run(
			[bench_python, "-m", "frappe.utils.bench_helper", "frappe", "--site", frappe.local.site,
			 "shopee", "backfill", "--shop", SHOP_ID, "--from", str(day), "--to", str(getdate()), "--what", "orders"],
			cwd=sites, capture_output=True, text=True, timeout=600,
		)  # fmt: skip
		self.assertEqual(result.returncode, 0, result.stderr[-2000:])
		self.assertIn(f"{SHOP_ID}: backfill", result.stdout)
		self.assertIn("Done", result.stdout)
