import random

import frappe

from shopee_bridge.compat import IntegrationTestCase
from shopee_bridge.constants import ORDER_SN_FIELD
from shopee_bridge.services.orders import OrderSync, sync_incremental_orders, sync_order
from shopee_bridge.tests.utils import (
	ESCROW_BATCH,
	SandboxMixin,
	authorize_shop,
	bookable_order_sns,
	cents,
	configure_shop,
	default_company,
	delete_shop,
	expected_total,
	make_account,
	make_item,
	prepare_erpnext_for_sandbox,
	save_settings,
	shopee_amounts,
)

SHOP_ID = "600003"
SHIPPING_ITEM = "SHOPEE-SHIPPING"


def inclusive_gst_template() -> str:
	"""A 9 % GST template included in the price, as Shopee prices are."""
	company = default_company()
	account = make_account(
		"Shopee GST", [{"account_type": "Tax"}, {"root_type": "Liability"}], company, account_type="Tax"
	)
	title = "Shopee GST Inclusive"
	name = frappe.db.get_value("Sales Taxes and Charges Template", {"title": title, "company": company})
	if not name:
		name = (
			frappe.get_doc(
				{
					"doctype": "Sales Taxes and Charges Template",
					"title": title,
					"company": company,
					"taxes": [
						{
							"charge_type": "On Net Total",
							"account_head": account,
							"description": "GST 9% (included)",
							"rate": 9,
							"included_in_print_rate": 1,
						}
					],
				}
			)
			.insert(ignore_permissions=True)
			.name
		)
	return name


class TestOrderBookingOptions(SandboxMixin, IntegrationTestCase):
	"""Shipping booked as an Item line, and the shop's (inclusive) tax template applied."""

	sandbox_orders = 30
	sandbox_shops = [
		{"shop_id": int(SHOP_ID), "shop_name": "Sandbox Shop SG 3", "region": "SG", "currency": "SGD"}
	]

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		prepare_erpnext_for_sandbox()
		make_item(SHIPPING_ITEM)
		cls.template = inclusive_gst_template()
		cls.sandbox_seed = random.randint(1000, 10**9)
		cls.start_sandbox()
		cls.unpaid = bookable_order_sns(cls.sandbox, SHOP_ID)[:3]
		for order_sn in cls.unpaid:  # not booked by the first sync: the unpaid-booking tests use them
			cls.sandbox.set_order_status(order_sn, "UNPAID")
		delete_shop(SHOP_ID)
		authorize_shop(cls.sandbox, SHOP_ID)
		frappe.db.rollback()
		configure_shop(SHOP_ID)
		frappe.db.set_value("Shopee Shop", SHOP_ID, "taxes_and_charges", cls.template)
		save_settings(shipping_as="Item", shipping_item=SHIPPING_ITEM, initial_sync_days=61)
		cls.log = sync_incremental_orders(SHOP_ID)

	@classmethod
	def tearDownClass(cls):
		save_settings(shipping_as="Charge row", shipping_item=None, initial_sync_days=14)
		delete_shop(SHOP_ID)
		cls.stop_sandbox()
		super().tearDownClass()

	def sales_orders(self) -> list:
		order_sns = set(self.sandbox.dataset.order_sns(int(SHOP_ID))) - set(self.unpaid)
		return frappe.get_all("Sales Order", filters={ORDER_SN_FIELD: ["in", list(order_sns)]}, pluck="name")

	def test_totals_still_match_shopee_with_inclusive_tax_and_shipping_item(self):
		dataset, checked, with_shipping = self.sandbox.dataset, 0, 0
		for name in self.sales_orders():
			so = frappe.get_doc("Sales Order", name)
			order_sn = so.get(ORDER_SN_FIELD)
			self.assertEqual(cents(so.grand_total), expected_total(self.sandbox, order_sn), name)
			self.assertEqual(
				[t.account_head for t in so.taxes if t.charge_type == "On Net Total"],
				[so.taxes[0].account_head],
			)
			self.assertTrue(so.taxes[0].included_in_print_rate)
			self.assertFalse([t for t in so.taxes if t.charge_type == "Actual"])
			shipping = [row for row in so.items if row.item_code == SHIPPING_ITEM]
			income = dataset.escrow_detail(dataset.index_of(order_sn))["order_income"]
			if cents(income.get("buyer_paid_shipping_fee")):
				self.assertEqual(len(shipping), 1)
				with_shipping += 1
			checked += 1
		log = frappe.get_doc("Shopee Sync Log", self.log)
		# nothing waits except the orders of the sandbox's deliberately unmapped product
		self.assertEqual([e.error for e in log.errors if "SANDBOX-UNMAPPED" not in e.error], [])
		self.assertEqual(checked, log.created_count)
		self.assertGreater(checked, 10)
		self.assertGreater(with_shipping, 0)

	def test_unpaid_order_is_a_draft_until_paid_then_priced_from_escrow(self):
		paid_later, never_paid = self.unpaid[:2]
		save_settings(book_unpaid_orders=1)
		try:
			draft = sync_order(SHOP_ID, paid_later).reference_name
			so = frappe.get_doc("Sales Order", draft)
			_buyer_paid, funded = shopee_amounts(self.sandbox, paid_later)
			self.assertEqual((so.docstatus, so.shopee_funded_amount), (0, 0))  # an estimate until paid
			self.sandbox.set_order_status(paid_later, "READY_TO_SHIP")
			self.sandbox.reset_counts()
			result = sync_order(SHOP_ID, paid_later)
			self.assertEqual(self.sandbox.call_counts.get(ESCROW_BATCH), 1)
			so = frappe.get_doc("Sales Order", draft)  # same name, now priced from escrow and submitted
			self.assertEqual((result.reference_name, so.docstatus), (draft, 1))
			self.assertEqual(
				(cents(so.grand_total), cents(so.shopee_funded_amount)),
				(expected_total(self.sandbox, paid_later), funded),
			)

			sync_order(SHOP_ID, never_paid)
			self.assertEqual(frappe.db.count("Sales Order", {ORDER_SN_FIELD: never_paid, "docstatus": 0}), 1)
			self.sandbox.set_order_status(never_paid, "CANCELLED")
			sync_order(SHOP_ID, never_paid)
			self.assertFalse(frappe.db.exists("Sales Order", {ORDER_SN_FIELD: never_paid}))
		finally:
			save_settings(book_unpaid_orders=0)

	def test_a_paid_order_without_escrow_detail_is_not_booked_yet(self):
		order_sn = self.unpaid[2]
		self.sandbox.set_order_status(order_sn, "READY_TO_SHIP")
		sync = OrderSync(SHOP_ID)
		order = sync.client.get_order_detail([order_sn])["order_list"][0]
		result = sync.sync_one(order, None)
		self.assertEqual(result.action, "waiting")
		self.assertEqual([f.reason_code for f in result.failures], ["Missing Escrow"])
		self.assertIn(order_sn, result.failures[0].message)
		self.assertEqual(
			frappe.db.get_value("Shopee Waiting Order", order_sn, "reason_code"), "Missing Escrow"
		)
		self.assertFalse(frappe.db.exists("Sales Order", {ORDER_SN_FIELD: order_sn}))
		self.assertEqual(sync_order(SHOP_ID, order_sn).action, "created")  # with escrow it books
		self.assertFalse(frappe.db.exists("Shopee Waiting Order", order_sn))
