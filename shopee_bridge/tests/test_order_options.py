import random
from decimal import Decimal

import frappe
from frappe.tests.utils import FrappeTestCase

from shopee_bridge.constants import ORDER_SN_FIELD
from shopee_bridge.services.orders import sync_incremental_orders
from shopee_bridge.tests.utils import (
	SandboxMixin,
	authorize_shop,
	configure_shop,
	default_company,
	delete_shop,
	make_account,
	make_item,
	prepare_erpnext_for_sandbox,
	save_settings,
	shopee_funded,
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


class TestOrderBookingOptions(SandboxMixin, FrappeTestCase):
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
		order_sns = self.sandbox.dataset.order_sns(int(SHOP_ID))
		return frappe.get_all("Sales Order", filters={ORDER_SN_FIELD: ["in", order_sns]}, pluck="name")

	def test_totals_still_match_shopee_with_inclusive_tax_and_shipping_item(self):
		dataset, checked, with_shipping = self.sandbox.dataset, 0, 0
		for name in self.sales_orders():
			so = frappe.get_doc("Sales Order", name)
			index = dataset.index_of(so.get(ORDER_SN_FIELD))
			income = dataset.escrow_detail(index)["order_income"]
			total = Decimal(str(dataset.order_detail(index, {"total_amount"})["total_amount"]))
			self.assertEqual(
				Decimal(str(so.grand_total)).quantize(Decimal("0.01")), total + shopee_funded(income), name
			)
			self.assertEqual(
				[t.account_head for t in so.taxes if t.charge_type == "On Net Total"],
				[so.taxes[0].account_head],
			)
			self.assertTrue(so.taxes[0].included_in_print_rate)
			self.assertFalse([t for t in so.taxes if t.charge_type == "Actual"])
			shipping = [row for row in so.items if row.item_code == SHIPPING_ITEM]
			if Decimal(str(income.get("buyer_paid_shipping_fee") or 0)):
				self.assertEqual(len(shipping), 1)
				with_shipping += 1
			checked += 1
		log = frappe.get_doc("Shopee Sync Log", self.log)
		# nothing was refused except the sandbox's deliberately unmapped product
		self.assertEqual([e.error for e in log.errors if "UnmappedSKUError" not in e.error], [])
		self.assertEqual(checked, log.created_count)
		self.assertGreater(checked, 10)
		self.assertGreater(with_shipping, 0)
