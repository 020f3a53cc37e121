"""Finance readiness and waiting reasons: a shop without a Payout Bank Account, run, fixed, run again.

The readiness check names every gap before the first run; the run opens with the gap it could not
fill; every wallet row and withdrawal left waiting says why (none Pending without a reason); once the
bank account is set, the next run books them and the reasons clear. A shop set up by Set Up Finance
Accounts plus a bank account in the wallet's currency is clean.
"""

import random

import frappe
from frappe.utils import get_absolute_url

from shopee_bridge import api
from shopee_bridge.compat import IntegrationTestCase
from shopee_bridge.constants import SETTLEMENT, SHOP, SYNC_LOG, WALLET_TRANSACTION, WITHDRAWAL
from shopee_bridge.sandbox.catalogue import UNMAPPED_PRODUCT
from shopee_bridge.services.finance import sync_finance
from shopee_bridge.services.finance_readiness import finance_gaps
from shopee_bridge.services.orders import sync_incremental_orders
from shopee_bridge.tests.finance_utils import payout_bank_account, wallet_rows
from shopee_bridge.tests.utils import (
	SandboxMixin,
	authorize_shop,
	clerk_user,
	configure_shop,
	default_company,
	delete_shop,
	make_item,
	map_listing,
	prepare_erpnext_for_sandbox,
	save_settings,
	set_stock_settings,
)

SHOP_ID = str(710001 + random.randint(0, 9000) * 2)  # a fresh shop: earlier runs' documents stay apart
NO_BANK = "No Payout Bank Account on shop {0}"
EVERY_GAP = {"wallet_account", "fee_accounts", "bank_account", "shopee_difference_account"}


def unbooked_rows(shop: str) -> list:
	return frappe.get_all(
		WALLET_TRANSACTION,
		filters={"shop": shop, "booking_status": ["!=", "Booked"]},
		fields=["name", "transaction_type", "booking_status", "booking_message", "withdrawal_id"],
	)


def withdrawals(shop: str) -> list:
	return frappe.get_all(
		WITHDRAWAL,
		filters={"shop": shop},
		fields=[
			"name",
			"status",
			"transfer",
			"bank_transaction",
			"waiting_for",
			"reconciliation",
			"reconciliation_message",
		],
	)


class TestFinanceReadiness(SandboxMixin, IntegrationTestCase):
	sandbox_orders = 30
	sandbox_shops = [
		{"shop_id": int(SHOP_ID), "shop_name": "Readiness Shop SG", "region": "SG", "currency": "SGD"}
	]

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		prepare_erpnext_for_sandbox()
		cls.stock_settings = set_stock_settings(allow_negative_stock=1)
		cls.sandbox_seed = cls.seed_where(cls.has_withdrawals, "escrow releases and a completed withdrawal")
		cls.start_sandbox()
		delete_shop(SHOP_ID)
		authorize_shop(cls.sandbox, SHOP_ID)
		frappe.db.rollback()
		configure_shop(SHOP_ID)  # the receivable only: no wallet, fee, difference or bank account
		map_listing(
			SHOP_ID,
			UNMAPPED_PRODUCT["item_id"],
			0,
			make_item("READY-MYSTERY-BOX"),
			UNMAPPED_PRODUCT["item_sku"],
		)
		save_settings(initial_sync_days=61, auto_create_items=1, auto_item_valuation_percent=60)
		frappe.db.commit()  # nosemgrep: the runs below commit per unit of work
		sync_incremental_orders(SHOP_ID)
		cls.gaps_before = finance_gaps(SHOP_ID)
		cls.first = frappe.get_doc(SYNC_LOG, sync_finance(SHOP_ID))
		cls.after_first = {"rows": unbooked_rows(SHOP_ID), "withdrawals": withdrawals(SHOP_ID)}
		cls.settlements_after_first = frappe.get_all(
			SETTLEMENT, filters={"shop": SHOP_ID, "status": ["!=", "Released"]}, fields=["name", "message"]
		)
		frappe.db.set_value(SHOP, SHOP_ID, "bank_account", payout_bank_account("SGD"))
		frappe.db.commit()  # nosemgrep: the next run reads the shop
		cls.gaps_fixed = finance_gaps(SHOP_ID)
		cls.second = frappe.get_doc(SYNC_LOG, sync_finance(SHOP_ID))

	@classmethod
	def tearDownClass(cls):
		save_settings(initial_sync_days=14, auto_create_items=0)
		set_stock_settings(**cls.stock_settings)
		delete_shop(SHOP_ID)
		cls.stop_sandbox()
		super().tearDownClass()

	@staticmethod
	def has_withdrawals(dataset) -> bool:
		types = {row["transaction_type"] for row in wallet_rows(dataset, int(SHOP_ID))}
		return {"WITHDRAWAL_CREATED", "WITHDRAWAL_COMPLETED", "ESCROW_VERIFIED_ADD"} <= types

	def test_the_check_names_every_gap_before_the_first_run(self):
		by_field = {gap["field"]: gap for gap in self.gaps_before}
		self.assertEqual(set(by_field), EVERY_GAP, self.gaps_before)
		bank = by_field["bank_account"]
		self.assertTrue(bank["message"].startswith(NO_BANK.format(SHOP_ID)), bank)
		self.assertFalse(bank["can_create"])  # a bank account is the seller's: only a person can make it
		# a new Bank Account, or the shop when the company has one to choose
		page = bank["fix_route"].split("?")[0].split("#")[0]
		self.assertIn(page, {get_absolute_url("Bank Account", "new"), get_absolute_url(SHOP, SHOP_ID)}, bank)
		for field in EVERY_GAP - {"bank_account"}:
			self.assertTrue(by_field[field]["can_create"], by_field[field])
			self.assertIn("Set Up Finance Accounts", by_field[field]["message"])
			self.assertEqual(by_field[field]["fix_route"], f"{get_absolute_url(SHOP, SHOP_ID)}#{field}")
		self.assertTrue(
			all({"field", "label", "message", "fix_route", "can_create"} <= set(g) for g in self.gaps_before)
		)

	def test_the_run_opens_with_the_gap_it_could_not_fill(self):
		first_line = self.first.message.splitlines()[0]
		self.assertTrue(first_line.startswith("Finance setup incomplete"), self.first.message)
		self.assertIn(NO_BANK.format(SHOP_ID), first_line)
		self.assertNotIn("Shopee Wallet Account", first_line)  # the run set the wallet and fee accounts up
		self.assertEqual(self.first.errors[0].reference, "Finance setup")
		self.assertIn(NO_BANK.format(SHOP_ID), self.first.errors[0].error)
		self.assertEqual(self.first.status, "Partial")

	def test_every_record_left_waiting_says_why(self):
		rows, waiting = self.after_first["rows"], self.after_first["withdrawals"]
		self.assertFalse([row for row in rows if row.booking_status == "Pending"], rows)
		self.assertFalse([row for row in rows if not row.booking_message], rows)
		withdrawal_rows = [row for row in rows if row.transaction_type.startswith("WITHDRAWAL_")]
		self.assertTrue(withdrawal_rows, "the withdrawals wait for the bank account")
		for row in withdrawal_rows:
			self.assertEqual(row.booking_status, "Waiting", row)
			self.assertIn(NO_BANK.format(SHOP_ID), row.booking_message)
		not_booked = [w for w in waiting if w.status != "Cancelled"]
		self.assertTrue(not_booked)
		for withdrawal in not_booked:
			self.assertFalse(withdrawal.transfer, withdrawal)
			self.assertIn(NO_BANK.format(SHOP_ID), withdrawal.waiting_for or "", withdrawal)
		for withdrawal in not_booked:
			if (
				withdrawal.status == "Completed"
			):  # its deposit waits for the transfer, which waits for the bank
				self.assertIn(NO_BANK.format(SHOP_ID), withdrawal.reconciliation_message or "", withdrawal)
		self.assertFalse(
			[s for s in self.settlements_after_first if not s.message], self.settlements_after_first
		)
		self.assertIn("Waiting:", self.first.message.splitlines()[-1])

	def test_setting_the_bank_account_books_them_and_clears_the_reasons(self):
		self.assertEqual(self.gaps_fixed, [])
		self.assertNotIn("Finance setup incomplete", self.second.message or "")
		waiting = [
			row.name for row in self.after_first["rows"] if row.transaction_type.startswith("WITHDRAWAL_")
		]
		for name in waiting:
			row = frappe.db.get_value(
				WALLET_TRANSACTION, name, ["booking_status", "booking_message"], as_dict=True
			)
			self.assertEqual((row.booking_status, row.booking_message), ("Booked", None), name)
		for withdrawal in withdrawals(SHOP_ID):
			self.assertFalse(withdrawal.waiting_for, withdrawal)
			if withdrawal.status != "Cancelled":
				self.assertTrue(withdrawal.transfer, withdrawal)
			if withdrawal.status == "Completed":
				self.assertEqual(withdrawal.reconciliation, "Matched", withdrawal)
		self.assertFalse(
			[
				row
				for row in unbooked_rows(SHOP_ID)
				if row.booking_status == "Pending" or not row.booking_message
			]
		)

	def test_the_check_is_for_managers(self):
		frappe.set_user(clerk_user())
		try:
			self.assertRaises(frappe.PermissionError, api.check_finance_setup, SHOP_ID)
		finally:
			frappe.set_user("Administrator")
		self.assertEqual(api.check_finance_setup(SHOP_ID), [])


class TestSetUpShopIsReady(IntegrationTestCase):
	"""Set Up Finance Accounts plus a Bank Account in the wallet's currency leave nothing to fix."""

	shop = "719999"

	def setUp(self):
		if frappe.db.exists(SHOP, self.shop):
			frappe.delete_doc(SHOP, self.shop, force=True, ignore_permissions=True)
		frappe.get_doc(
			{
				"doctype": SHOP,
				"shop_id": self.shop,
				"shop_name": "Readiness Set Up SG",
				"region": "SG",
				"currency": "SGD",
				"company": default_company(),
			}
		).insert(ignore_permissions=True)

	def test_set_up_and_a_bank_account_leave_no_gap(self):
		self.assertEqual({gap["field"] for gap in finance_gaps(self.shop)}, EVERY_GAP)
		api.setup_finance_accounts(self.shop)
		left = finance_gaps(self.shop)
		self.assertEqual([gap["field"] for gap in left], ["bank_account"], left)
		frappe.db.set_value(SHOP, self.shop, "bank_account", payout_bank_account("SGD"))
		self.assertEqual(finance_gaps(self.shop), [])

	def test_a_bank_account_in_another_currency_is_named(self):
		api.setup_finance_accounts(self.shop)
		company_currency = frappe.get_cached_value("Company", default_company(), "default_currency")
		other = "USD" if company_currency != "USD" else "IDR"
		frappe.db.set_value(SHOP, self.shop, "bank_account", payout_bank_account(other))
		gaps = finance_gaps(self.shop)
		self.assertEqual([gap["field"] for gap in gaps], ["bank_account"], gaps)
		self.assertIn(f"in {other}", gaps[0]["message"])
		self.assertIn("SGD", gaps[0]["message"])
