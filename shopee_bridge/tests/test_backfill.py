"""A sandbox year backfilled in windows: resumed after its process is killed, nothing twice, two workers
on overlapping jobs ending as one would, and the bench command."""

import os
import signal
import subprocess
import sys
import time

import frappe
from frappe.utils import add_days, add_to_date, get_datetime, getdate, now_datetime

from shopee_bridge.compat import IntegrationTestCase
from shopee_bridge.constants import (
	BACKFILL,
	ORDER_SN_FIELD,
	RETURN,
	SHOP,
	SHOP_FIELD,
	WAITING_ORDER,
	WALLET_TRANSACTION,
	WITHDRAWAL,
)
from shopee_bridge.sandbox.catalogue import UNMAPPED_SKU
from shopee_bridge.services import fiscal, integrity
from shopee_bridge.tests.finance_utils import payout_bank_account
from shopee_bridge.tests.utils import (
	SandboxMixin,
	authorize_shop,
	configure_shop,
	delete_shop,
	difference_account,
	in_subprocess,
	map_unmapped_product,
	prepare_erpnext_for_sandbox,
	reconnect_shop,
	save_settings,
	set_stock_settings,
)
from shopee_bridge.utils import datetime_to_epoch

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


class TestBackfill(SandboxMixin, IntegrationTestCase):
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

	def test_a_backfill_made_as_desk_makes_it_is_planned_names_who_made_it_and_keeps_its_range(self):
		doc = frappe.get_doc(
			{
				"doctype": BACKFILL,
				"shop": SHOP_ID,
				"from_date": add_days(getdate(), -20),
				"to_date": getdate(),
			}
		)
		doc.flags.run_inline = True  # planned only: the test runs no job
		doc.insert()
		self.addCleanup(frappe.delete_doc, BACKFILL, doc.name, force=True)
		self.assertEqual(doc.triggered_by, frappe.session.user)
		self.assertEqual((doc.status, doc.kinds), ("Queued", ",".join(fiscal.KINDS)))
		self.assertEqual(doc.windows_total, 2 * len(fiscal.KINDS))  # 21 days: windows of at most 15
		doc.to_date = add_days(doc.to_date, -1)  # the windows were planned from the saved range
		self.assertRaises(frappe.CannotChangeConstantError, doc.save)

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


KINDS_SHOP_ID = "610005"
COUNTED = (
	("Journal Entry", {"docstatus": 1}),
	("Payment Entry", {"docstatus": 1}),
	("Sales Invoice", {"docstatus": 1, "is_return": 1}),
	("Delivery Note", {"docstatus": 1, "is_return": 1}),
	("Bank Transaction", {}),
	(RETURN, {}),
	(WALLET_TRANSACTION, {}),
	(WITHDRAWAL, {}),
)


class TestBackfillEveryKind(SandboxMixin, IntegrationTestCase):
	"""Orders, returns, escrow and wallet of a harsh quarter, backfilled twice: everything once."""

	sandbox_orders = 60
	sandbox_days = 60
	sandbox_harsh = True
	sandbox_shops = [
		{"shop_id": int(KINDS_SHOP_ID), "shop_name": "Backfill Kinds SG", "region": "SG", "currency": "SGD"}
	]

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		prepare_erpnext_for_sandbox()
		cls.stock_settings = set_stock_settings(allow_negative_stock=1)
		cls.sandbox_seed = cls.seed_with_returns_and_withdrawals()  # fresh numbers on a reused site
		cls.start_sandbox()
		reconnect_shop(cls.sandbox, KINDS_SHOP_ID)
		for doctype in (WALLET_TRANSACTION, WITHDRAWAL, RETURN):  # what an earlier run on this site stored
			frappe.db.delete(doctype, {"shop": KINDS_SHOP_ID})
		frappe.db.set_value(
			SHOP,
			KINDS_SHOP_ID,
			{"shopee_difference_account": difference_account(), "bank_account": payout_bank_account("SGD")},
		)
		map_unmapped_product(KINDS_SHOP_ID, "BACKFILL-MYSTERY-BOX")
		save_settings(auto_create_items=1, auto_item_valuation_percent=60)
		frappe.db.commit()  # nosemgrep: the backfill commits per window
		cls.start, cls.end = add_days(getdate(), -61), getdate()
		cls.first = fiscal.backfill(KINDS_SHOP_ID, cls.start, cls.end, inline=True)
		cls.first_status = fiscal.run_backfill(cls.first)
		cls.counts = cls.documents()
		cls.second = fiscal.backfill(KINDS_SHOP_ID, cls.start, cls.end, inline=True)
		cls.second_status = fiscal.run_backfill(cls.second)

	@classmethod
	def tearDownClass(cls):
		save_settings(auto_create_items=0)
		set_stock_settings(**cls.stock_settings)
		delete_shop(KINDS_SHOP_ID)
		cls.stop_sandbox()
		super().tearDownClass()

	@classmethod
	def seed_with_returns_and_withdrawals(cls) -> int:
		"""A random seed whose range has returns and a completed withdrawal (what the checks need)."""

		def has_both(dataset) -> bool:
			rows = dataset.wallet_transactions(int(KINDS_SHOP_ID), 0, int(time.time()))
			return bool(dataset.list_returns(int(KINDS_SHOP_ID))) and any(
				row["transaction_type"] == "WITHDRAWAL_COMPLETED" for row in rows
			)

		return cls.seed_where(has_both, "returns and a completed withdrawal", tries=40)

	@classmethod
	def documents(cls) -> dict:
		frappe.db.rollback()
		counts = {}
		for doctype, filters in COUNTED:
			field = SHOP_FIELD if frappe.get_meta(doctype).has_field(SHOP_FIELD) else "shop"
			if doctype == "Bank Transaction":
				field, shop = "bank_account", frappe.db.get_value(SHOP, KINDS_SHOP_ID, "bank_account")
			else:
				shop = KINDS_SHOP_ID
			counts[(doctype, tuple(filters.items()))] = frappe.db.count(doctype, {field: shop, **filters})
		return counts

	def test_every_kind_ran_over_every_window(self):
		self.assertEqual((self.first_status, self.second_status), ("Done", "Done"))
		doc = frappe.get_doc(BACKFILL, self.first)
		self.assertEqual({row.kind for row in doc.windows}, set(fiscal.KINDS))
		self.assertEqual({row.status for row in doc.windows}, {"Done"})

	def test_a_second_backfill_of_the_range_books_nothing(self):
		self.assertEqual(self.documents(), self.counts)

	def test_every_return_created_in_the_range_is_stored(self):
		dataset = self.sandbox.dataset
		first, last = (datetime_to_epoch(get_datetime(day)) for day in (self.start, add_days(self.end, 1)))
		expected = {row.return_sn for row in dataset.list_returns(int(KINDS_SHOP_ID), (first, last - 1))}
		self.assertTrue(expected, "the harsh quarter has returns")
		stored = set(frappe.get_all(RETURN, filters={"shop": KINDS_SHOP_ID}, pluck="return_sn"))
		self.assertEqual(stored, expected)

	def test_every_wallet_row_is_stored_and_every_release_paid(self):
		rows = self.sandbox.dataset.wallet_transactions(int(KINDS_SHOP_ID), 0, int(time.time()))
		first = datetime_to_epoch(get_datetime(self.start))
		in_range = {str(row["transaction_id"]): row for row in rows if row["create_time"] >= first}
		self.assertTrue(in_range)
		stored = frappe.get_all(
			WALLET_TRANSACTION,
			filters={"shop": KINDS_SHOP_ID},
			fields=["name", "transaction_type", "booking_status", "booking_message"],
		)
		self.assertEqual({row.name for row in stored}, set(in_range))
		unpaid = [
			row
			for row in stored
			if row.transaction_type == "ESCROW_VERIFIED_ADD" and row.booking_status != "Booked"
		]
		self.assertEqual(unpaid, [])
		outstanding = frappe.get_all(
			"Sales Invoice",
			filters={
				SHOP_FIELD: KINDS_SHOP_ID,
				"docstatus": 1,
				"is_return": 0,
				"outstanding_amount": [">", 0],
			},
			pluck=ORDER_SN_FIELD,
		)
		released = {
			row["order_sn"] for row in in_range.values() if row["transaction_type"] == "ESCROW_VERIFIED_ADD"
		}
		self.assertEqual(set(outstanding) & released, set())

	def test_integrity_report_is_clean_then_names_exactly_the_seeded_faults(self):
		clean = integrity.make_report(KINDS_SHOP_ID, self.start, self.end)
		report = integrity.load_json(clean)
		self.assertEqual(report["mismatches"], [], report["sections"])
		self.assertTrue(report["sections"]["returns"] and report["sections"]["wallet"])
		self.assertNotIn("skipped: finance never ran for the shop", report["sections"]["escrow"])

		row = frappe.get_all(
			WALLET_TRANSACTION,
			filters={"shop": KINDS_SHOP_ID, "transaction_type": "ESCROW_VERIFIED_ADD"},
			fields=["name", "amount"],
			limit=1,
		)[0]
		ret = frappe.get_all(RETURN, filters={"shop": KINDS_SHOP_ID}, fields=["name", "return_sn", "status"])[
			0
		]
		matched = frappe.get_all(
			WITHDRAWAL, filters={"shop": KINDS_SHOP_ID, "reconciliation": "Matched"}, pluck="name", limit=1
		)
		self.assertTrue(matched, "the quarter has a reconciled withdrawal")
		try:
			frappe.db.set_value(WALLET_TRANSACTION, row.name, "amount", row.amount + 1)
			frappe.db.set_value(
				RETURN, ret.name, "status", "CLOSED" if ret.status != "CLOSED" else "ACCEPTED"
			)
			frappe.db.set_value(WITHDRAWAL, matched[0], "reconciliation", "Unmatched")
			frappe.db.commit()  # nosemgrep: the report reads committed data
			faulty = integrity.load_json(integrity.make_report(KINDS_SHOP_ID, self.start, self.end))
		finally:
			frappe.db.set_value(WALLET_TRANSACTION, row.name, "amount", row.amount)
			frappe.db.set_value(RETURN, ret.name, "status", ret.status)
			frappe.db.set_value(WITHDRAWAL, matched[0], "reconciliation", "Matched")
			frappe.db.commit()  # nosemgrep: restored for the other tests
		self.assertEqual(
			sorted((m["kind"], m["reference"]) for m in faulty["mismatches"]),
			sorted(
				[
					("deposit_unreconciled", matched[0]),
					("return_status_differs", ret.return_sn),
					("wallet_amount_differs", row.name),
				]
			),
		)

	def test_bench_commands_sync_returns_and_finance_and_report(self):
		sites = os.path.abspath(frappe.local.sites_path)
		for command in (["sync-returns"], ["sync-finance"], ["integrity-report", "--from", str(self.start)]):
			result = subprocess.run(
				[sys.executable, "-m", "frappe.utils.bench_helper", "frappe", "--site", frappe.local.site,
				 "shopee", *command, "--shop", KINDS_SHOP_ID],
				cwd=sites, capture_output=True, text=True, timeout=900,
			)  # fmt: skip
			self.assertEqual(
				result.returncode, 0, f"{command}: {result.stdout[-1500:]} {result.stderr[-1500:]}"
			)
			self.assertIn(f"{KINDS_SHOP_ID}:", result.stdout)
		self.assertIn("Clean, 0 mismatches", result.stdout)
		frappe.db.rollback()
		self.assertEqual(self.documents(), self.counts)  # the commands booked nothing new either
