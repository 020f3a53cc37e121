"""Two shops as harsh as Shopee (SGD with item prices after the rebate, IDR before it), 200 orders each.

Stock items with and without stock, listings without SKU, a SKU shared by two listings, buyer
transaction fees, rebates on bundles, payment promotions, coin cash back and refunds before the
first sync. Auto-create Items is on and negative stock is allowed, as in a new seller's setup.
"""

import random

import frappe
from frappe.utils import flt

from shopee_bridge.compat import IntegrationTestCase
from shopee_bridge.constants import ITEM_MAP, ORDER_INCOME, ORDER_SN_FIELD, WAITING_ORDER
from shopee_bridge.sandbox.catalogue import UNMAPPED_PRODUCT
from shopee_bridge.services.orders import sync_incremental_orders
from shopee_bridge.tests.utils import (
	SandboxMixin,
	authorize_shop,
	catalogue_units,
	cents,
	configure_shop,
	default_company,
	default_warehouse,
	delete_shop,
	difference_account,
	expected_total,
	make_stock_item,
	map_listing,
	prepare_erpnext_for_sandbox,
	receive_stock,
	save_settings,
	set_stock_settings,
)

SHOPS = [
	{"shop_id": 610001, "shop_name": "Harsh Shop SG", "region": "SG", "currency": "SGD"},
	{
		"shop_id": 610002,
		"shop_name": "Harsh Shop ID",
		"region": "ID",
		"currency": "IDR",
		"item_prices": "before_rebate",
	},
]
BOOKED = {
	"READY_TO_SHIP",
	"PROCESSED",
	"RETRY_SHIP",
	"SHIPPED",
	"TO_CONFIRM_RECEIVE",
	"COMPLETED",
	"TO_RETURN",
}
DELIVERED = {"SHIPPED", "TO_CONFIRM_RECEIVE", "COMPLETED", "TO_RETURN"}
INVOICED = {"COMPLETED", "TO_RETURN"}


class TestHarshShops(SandboxMixin, IntegrationTestCase):
	sandbox_orders = 400
	sandbox_shops = SHOPS
	sandbox_harsh = True

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		prepare_erpnext_for_sandbox()
		cls.stock_settings = set_stock_settings(allow_negative_stock=1)
		cls.sandbox_seed = random.randint(1000, 10**9)
		cls.start_sandbox()
		cls.shops = [str(shop["shop_id"]) for shop in SHOPS]
		for shop in cls.shops:
			delete_shop(shop)
			authorize_shop(cls.sandbox, shop)
			frappe.db.rollback()
			configure_shop(shop)
			frappe.db.set_value("Shopee Shop", shop, "shopee_difference_account", difference_account())
			cls.map_catalogue(shop)
		frappe.db.commit()  # nosemgrep: the sync below runs as a real run would, committing per order
		save_settings(initial_sync_days=61, auto_create_items=1, auto_item_valuation_percent=60)
		cls.logs = {shop: sync_incremental_orders(shop) for shop in cls.shops}

	@classmethod
	def map_catalogue(cls, shop: str):
		"""The regular catalogue as stock items: every other one with stock, the rest only a valuation rate.

		The sandbox's "unmapped" product is mapped too: an Item auto-created under its SKU would map it
		for the other test classes, which rely on it staying unmapped.
		"""
		warehouse = frappe.db.get_value("Shopee Shop", shop, "warehouse") or default_warehouse(
			default_company()
		)
		unmapped = UNMAPPED_PRODUCT["item_id"], 0, UNMAPPED_PRODUCT["item_sku"]
		for number, (item_id, model_id, sku) in enumerate([*catalogue_units(), unmapped]):
			item_code = make_stock_item(f"HARSH-{sku}", valuation_rate=0 if number % 2 else 3)
			if number % 2:  # topped up: every run on the site sells some
				stock = flt(
					frappe.db.get_value("Bin", {"item_code": item_code, "warehouse": warehouse}, "actual_qty")
				)
				if stock < 1000:
					receive_stock(item_code, warehouse, 5000 - stock, 4)
			map_listing(shop, item_id, model_id, item_code, sku)

	@classmethod
	def tearDownClass(cls):
		save_settings(initial_sync_days=14, auto_create_items=0)
		set_stock_settings(**cls.stock_settings)
		for shop in cls.shops:
			delete_shop(shop)
		cls.stop_sandbox()
		super().tearDownClass()

	def shopee_orders(self):
		"""(shop, order_sn, status) of every sandbox order, as Shopee has it now."""
		dataset = self.sandbox.dataset
		for shop in self.shops:
			for order_sn in dataset.order_sns(int(shop)):
				yield shop, order_sn, dataset.state(dataset.index_of(order_sn))[0]

	def documents(self, doctype: str, order_sn: str) -> int:
		filters = {ORDER_SN_FIELD: order_sn, "docstatus": 1}
		if doctype == "Sales Invoice":
			filters["is_return"] = 0
		return frappe.db.count(doctype, filters)

	def has_its_documents(self, order_sn: str, status: str) -> bool:
		so = frappe.db.get_value("Sales Order", {ORDER_SN_FIELD: order_sn}, "docstatus")
		if status not in BOOKED:
			return so in (None, 2)
		return (so, self.documents("Delivery Note", order_sn), self.documents("Sales Invoice", order_sn)) == (
			1,
			int(status in DELIVERED),
			int(status in INVOICED),
		)

	def test_orders_have_the_documents_their_status_calls_for(self):
		complete, waiting, statuses = 0, [], set()
		for _shop, order_sn, status in self.shopee_orders():
			statuses.add(status)
			if self.has_its_documents(order_sn, status):
				complete += 1
			else:
				waiting.append(order_sn)
		total = complete + len(waiting)
		print(f"\nharsh sync: {complete} of {total} orders have exactly their documents; {len(waiting)} wait")
		self.assertEqual(total, self.sandbox_orders)
		self.assertGreaterEqual(complete / total, 0.995)
		self.assertTrue({"READY_TO_SHIP", "SHIPPED", "COMPLETED", "CANCELLED", "TO_RETURN"} <= statuses)
		for order_sn in waiting:  # every other order waits with a reason a user can act on
			row = frappe.db.get_value(WAITING_ORDER, order_sn, ["reason_code", "reason"], as_dict=True)
			self.assertTrue(row and row.reason, order_sn)

	def test_every_total_is_the_identity_to_the_cent_with_zero_residual(self):
		compared = refunded = with_fee = 0
		dataset = self.sandbox.dataset
		for _shop, order_sn, _status in self.shopee_orders():
			so = frappe.db.get_value(
				"Sales Order",
				{ORDER_SN_FIELD: order_sn, "docstatus": 1},
				["grand_total", "shopee_amount_residual", "shopee_buyer_transaction_fee"],
				as_dict=True,
			)
			if not so:
				continue
			expected = expected_total(self.sandbox, order_sn)
			self.assertEqual(cents(so.grand_total), expected, order_sn)
			self.assertEqual(cents(so.shopee_amount_residual), 0, order_sn)
			invoice = frappe.db.get_value(
				"Sales Invoice", {ORDER_SN_FIELD: order_sn, "docstatus": 1, "is_return": 0}, "grand_total"
			)
			if invoice is not None:
				self.assertEqual(cents(invoice), expected, order_sn)
			income = dataset.escrow_detail(dataset.index_of(order_sn))["order_income"]
			refunded += bool(income["seller_return_refund"])
			with_fee += bool(so.shopee_buyer_transaction_fee)
			compared += 1
		print(
			f"\nharsh totals: {compared} Sales Orders equal the identity; {refunded} refunded before booking"
		)
		self.assertGreater(compared, self.sandbox_orders * 2 // 3)
		self.assertGreater(refunded, 0)
		self.assertGreater(with_fee, 0)
		self.assertFalse(
			frappe.db.exists(WAITING_ORDER, {"shop": ["in", self.shops], "step": "Review Amounts"})
		)

	def test_listings_without_sku_and_a_shared_sku_are_mapped_and_flagged(self):
		for shop in self.shops:
			rows = frappe.get_all(
				ITEM_MAP,
				filters={"shop": shop},
				fields=["item_id", "model_id", "sku", "item_code", "shared_sku"],
			)
			no_sku = [row for row in rows if not row.sku]
			self.assertTrue(no_sku, shop)
			for row in no_sku:
				suffix = row.item_id if row.model_id == "0" else f"{row.item_id}-{row.model_id}"
				self.assertEqual(row.item_code, f"SHOPEE-{suffix}")
			shared = [row for row in rows if row.sku == "SBX-SHARED"]
			self.assertEqual(len({row.item_id for row in shared}), 2, shop)
			self.assertTrue(all(row.shared_sku for row in shared))
			self.assertFalse(any(row.shared_sku for row in rows if row.sku != "SBX-SHARED"))
		auto = frappe.get_doc("Item", "SBX-SHARED")
		self.assertEqual((auto.is_stock_item, bool(auto.valuation_rate)), (1, True))

	def test_escrow_breakdown_is_kept_for_every_booked_order(self):
		booked = frappe.get_all(
			"Sales Order",
			filters={"shopee_shop": ["in", self.shops], "docstatus": 1},
			pluck="shopee_order_sn",
		)
		incomes = {
			row.name: row
			for row in frappe.get_all(
				ORDER_INCOME, filters={"name": ["in", booked]}, fields=["name", "sales_order", "version"]
			)
		}
		self.assertEqual(set(incomes), set(booked))
		fees = frappe.get_all(
			"Shopee Order Income Component",
			filters={"parent": ["in", booked], "component": "buyer_transaction_fee", "amount": [">", 0]},
			pluck="parent",
		)
		self.assertTrue(fees)
		self.assertTrue(all(incomes[sn].sales_order for sn in fees))

	def test_rerun_changes_nothing(self):
		counts = {
			dt: frappe.db.count(dt)
			for dt in ("Sales Order", "Delivery Note", "Sales Invoice", "Customer", ORDER_INCOME, ITEM_MAP)
		}
		versions = frappe.db.count("Version")
		for shop in self.shops:
			log = frappe.get_doc("Shopee Sync Log", sync_incremental_orders(shop))
			self.assertEqual((log.created_count, log.updated), (0, 0), shop)
		self.assertEqual(counts, {dt: frappe.db.count(dt) for dt in counts})
		self.assertEqual(versions, frappe.db.count("Version"))
