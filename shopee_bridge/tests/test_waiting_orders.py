"""Each reason an order step waits, shown where a user looks, and the order booked once it is fixed."""

import random

import frappe
from frappe.utils import add_days, getdate

from shopee_bridge import api
from shopee_bridge.compat import IntegrationTestCase
from shopee_bridge.constants import ITEM_MAP, ORDER_SN_FIELD, WAITING_ORDER
from shopee_bridge.jobs.orders import retry_waiting_orders
from shopee_bridge.services.orders import sync_incremental_orders, sync_order, sync_orders
from shopee_bridge.tests.utils import (
	SandboxMixin,
	authorize_shop,
	catalogue_units,
	cents,
	clerk_user,
	configure_shop,
	default_company,
	delete_shop,
	difference_account,
	make_stock_item,
	map_listing,
	prepare_erpnext_for_sandbox,
	receive_stock,
	save_settings,
	set_stock_settings,
)

SHOP_ID = "610003"


class TestWaitingOrders(SandboxMixin, IntegrationTestCase):
	sandbox_orders = 120
	sandbox_shops = [
		{"shop_id": int(SHOP_ID), "shop_name": "Waiting Shop SG", "region": "SG", "currency": "SGD"}
	]
	sandbox_harsh = True

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		prepare_erpnext_for_sandbox()
		cls.stock_settings = set_stock_settings(allow_negative_stock=0)
		cls.sandbox_seed = random.randint(1000, 10**9)
		cls.start_sandbox()
		delete_shop(SHOP_ID)
		authorize_shop(cls.sandbox, SHOP_ID)
		frappe.db.rollback()
		configure_shop(SHOP_ID)
		cls.warehouse = frappe.db.get_value("Shopee Shop", SHOP_ID, "warehouse")
		frappe.db.delete(ITEM_MAP, {"shop": SHOP_ID})  # mappings an earlier run made by hand
		for item_id, model_id, sku in catalogue_units():  # non-stock items: only the item under test matters
			item_code = f"SBX-NS-{sku}"
			if not frappe.db.exists("Item", item_code):
				frappe.get_doc(
					{
						"doctype": "Item",
						"item_code": item_code,
						"item_group": "Products",
						"stock_uom": "Nos",
						"is_stock_item": 0,
					}
				).insert(ignore_permissions=True)
			map_listing(SHOP_ID, item_id, model_id, item_code, sku)
		cls.scenarios = cls.hold_back_scenario_orders()
		frappe.db.commit()  # nosemgrep: the sync commits per order
		save_settings(initial_sync_days=61, auto_create_items=0)
		cls.first_log = sync_incremental_orders(SHOP_ID)

	@classmethod
	def hold_back_scenario_orders(cls) -> dict[str, tuple[str, list]]:
		"""One catalogue-only order per scenario, kept UNPAID (so unbooked) until its test pays it."""
		units = {(item_id, model_id) for item_id, model_id, _sku in catalogue_units()}
		dataset, picked = cls.sandbox.dataset, []
		for order_sn in dataset.order_sns(int(SHOP_ID)):
			lines = dataset.order_detail(dataset.index_of(order_sn), {"item_list"})["item_list"]
			if all((line["item_id"], line["model_id"]) in units for line in lines):
				picked.append((order_sn, lines))
		names = ("no_stock", "no_rate", "closed", "residual")
		for order_sn, _lines in picked[: len(names)]:
			cls.sandbox.set_order_status(order_sn, "UNPAID")
		return dict(zip(names, picked, strict=False))

	@classmethod
	def tearDownClass(cls):
		save_settings(initial_sync_days=14)
		set_stock_settings(**cls.stock_settings)
		delete_shop(SHOP_ID)
		cls.stop_sandbox()
		super().tearDownClass()

	def pay(self, scenario: str, status: str) -> tuple[str, list]:
		order_sn, lines = self.scenarios[scenario]
		self.sandbox.set_order_status(order_sn, status)
		return order_sn, lines

	def map_first_line(self, lines, item_code):
		map_listing(SHOP_ID, lines[0]["item_id"], lines[0]["model_id"], item_code)
		frappe.db.commit()  # nosemgrep: the sync reads the map

	def waiting(self, order_sn):
		return frappe.db.get_value(
			WAITING_ORDER,
			order_sn,
			["step", "reason_code", "reason", "sales_order", "next_retry_at"],
			as_dict=True,
		)

	def count(self, doctype, order_sn):
		filters = {ORDER_SN_FIELD: order_sn, "docstatus": 1}
		if doctype == "Sales Invoice":
			filters["is_return"] = 0
		return frappe.db.count(doctype, filters)

	def test_no_stock_holds_only_the_delivery_note_until_stock_arrives(self):
		order_sn, lines = self.pay("no_stock", "COMPLETED")
		item = make_stock_item(f"WAIT-NOSTOCK-{order_sn}")
		self.map_first_line(lines, item)
		result = sync_order(SHOP_ID, order_sn)
		self.assertEqual((result.action, result.waiting), ("created", True))
		self.assertEqual((self.count("Sales Order", order_sn), self.count("Sales Invoice", order_sn)), (1, 1))
		self.assertEqual(self.count("Delivery Note", order_sn), 0)
		row = self.waiting(order_sn)
		self.assertEqual((row.step, row.reason_code), ("Delivery Note", "No Stock"))
		self.assertIn(item, row.reason)
		self.assertIn(item, frappe.db.get_value("Sales Order", row.sales_order, "shopee_waiting_reason"))
		receive_stock(item, self.warehouse, 10, 5)
		frappe.db.commit()  # nosemgrep: the retry job runs as a worker would
		retry_waiting_orders([order_sn])
		self.assertEqual(self.count("Delivery Note", order_sn), 1)
		self.assertFalse(frappe.db.exists(WAITING_ORDER, order_sn))
		self.assertFalse(frappe.db.get_value("Sales Order", row.sales_order, "shopee_waiting_reason"))
		note = frappe.get_doc("Delivery Note", {ORDER_SN_FIELD: order_sn, "docstatus": 1})
		self.assertEqual(note.posting_date, getdate())  # the stock arrived after the pickup: dated now
		self.assertTrue(
			frappe.db.exists(
				"Comment", {"reference_name": note.name, "content": ["like", "%received after%"]}
			)
		)

	def test_no_valuation_rate_waits_until_the_item_has_one(self):
		previous = set_stock_settings(allow_negative_stock=1)
		try:
			order_sn, lines = self.pay("no_rate", "SHIPPED")
			item = make_stock_item(f"WAIT-NORATE-{order_sn}")
			self.map_first_line(lines, item)
			sync_order(SHOP_ID, order_sn)
			self.assertEqual(self.waiting(order_sn).reason_code, "No Valuation Rate")
			self.assertEqual(self.count("Sales Order", order_sn), 1)
			frappe.db.set_value("Item", item, "valuation_rate", 7)
			frappe.db.commit()  # nosemgrep: the retry reads the item
			self.assertEqual(sync_order(SHOP_ID, order_sn).action, "updated")
			self.assertEqual(self.count("Delivery Note", order_sn), 1)
			self.assertFalse(frappe.db.exists(WAITING_ORDER, order_sn))
		finally:
			set_stock_settings(**previous)

	def test_listing_without_sku_waits_for_a_mapping_then_books(self):
		dataset = self.sandbox.dataset
		mapped = {(item_id, model_id) for item_id, model_id, _sku in catalogue_units()}
		# an order whose only unmapped line is one listing without SKU (others may also sell the
		# sandbox's unmapped product, which would keep them waiting after this mapping)
		order_sn, lines = next(
			(order_sn, lines)
			for order_sn in dataset.order_sns(int(SHOP_ID))
			if dataset.state(dataset.index_of(order_sn))[0] not in ("UNPAID", "CANCELLED", "IN_CANCEL")
			for lines in [dataset.order_detail(dataset.index_of(order_sn), {"item_list"})["item_list"]]
			if len({(line["item_id"], line["model_id"]) for line in lines} - mapped) == 1
			and any(not (line["model_sku"] or line["item_sku"]) for line in lines)
		)
		log = frappe.get_doc("Shopee Sync Log", self.first_log)
		errors = {row.reference: row.error for row in log.errors}
		self.assertIn("item_id=", errors[order_sn])
		self.assertEqual(self.waiting(order_sn).reason_code, "Unmapped Item")
		self.assertFalse(frappe.db.exists("Sales Order", {ORDER_SN_FIELD: order_sn}))
		listing = next(line for line in lines if not (line["model_sku"] or line["item_sku"]))
		row = frappe.get_doc(
			ITEM_MAP,
			{"shop": SHOP_ID, "item_id": str(listing["item_id"]), "model_id": str(listing["model_id"])},
		)
		self.assertFalse(row.item_code)  # listed in Desk for the user to map
		frappe.db.set_value(WAITING_ORDER, order_sn, "next_retry_at", add_days(getdate(), 1))
		row.item_code = "SBX-NS-KEYCHAIN"
		if not frappe.db.exists("Item", row.item_code):
			frappe.get_doc(
				{
					"doctype": "Item",
					"item_code": row.item_code,
					"item_group": "Products",
					"stock_uom": "Nos",
					"is_stock_item": 0,
				}
			).insert(ignore_permissions=True)
		row.save()  # mapping it makes its waiting orders due now
		frappe.db.commit()  # nosemgrep: the next run reads the map
		sync_incremental_orders(SHOP_ID)
		self.assertEqual(self.count("Sales Order", order_sn), 1, self.waiting(order_sn))
		self.assertFalse(frappe.db.exists(WAITING_ORDER, order_sn))

	def test_closed_accounting_period_holds_the_invoice_until_reopened(self):
		order_sn, _lines = self.pay("closed", "COMPLETED")
		period = frappe.get_doc(
			{
				"doctype": "Accounting Period",
				"period_name": f"Shopee test closed {order_sn}",
				"company": default_company(),
				"start_date": add_days(getdate(), -90),
				"end_date": add_days(getdate(), 30),
				"closed_documents": [{"document_type": "Sales Invoice", "closed": 1}],
			}
		).insert(ignore_permissions=True)
		frappe.db.commit()  # nosemgrep: the sync reads it
		try:
			sync_order(SHOP_ID, order_sn)
			row = self.waiting(order_sn)
			self.assertEqual((row.step, row.reason_code), ("Sales Invoice", "Closed Period"))
			self.assertEqual(
				(self.count("Sales Order", order_sn), self.count("Delivery Note", order_sn)), (1, 1)
			)
		finally:
			period.delete(ignore_permissions=True)
			frappe.db.commit()  # nosemgrep: reopened for the retry
		retry_waiting_orders([order_sn])
		self.assertEqual(self.count("Sales Invoice", order_sn), 1)
		self.assertFalse(frappe.db.exists(WAITING_ORDER, order_sn))

	def test_an_amount_shopee_does_not_explain_is_booked_on_the_difference_account(self):
		order_sn, _lines = self.pay("residual", "READY_TO_SHIP")
		dataset = self.sandbox.dataset
		paid = dataset.order_detail(dataset.index_of(order_sn), {"total_amount"})["total_amount"]
		self.sandbox.amend_order(order_sn, {"total_amount": paid + 1}, {"buyer_total_amount": paid + 1})
		frappe.db.set_value("Shopee Shop", SHOP_ID, "shopee_difference_account", None)
		frappe.db.commit()  # nosemgrep: the sync reads the shop
		sync_order(SHOP_ID, order_sn)
		self.assertEqual(self.waiting(order_sn).reason_code, "Shop Setup")  # where to book it is missing
		account = difference_account()
		frappe.db.set_value("Shopee Shop", SHOP_ID, "shopee_difference_account", account)
		frappe.db.commit()  # nosemgrep: the retry reads the shop
		retry_waiting_orders([order_sn])
		so = frappe.get_doc("Sales Order", {ORDER_SN_FIELD: order_sn})
		self.assertEqual(so.docstatus, 1)
		self.assertEqual(cents(so.shopee_amount_residual), cents(1))
		rows = [row for row in so.taxes if row.account_head == account]
		self.assertEqual([cents(row.tax_amount) for row in rows], [cents(1)])
		row = self.waiting(order_sn)
		self.assertEqual(
			(row.step, row.reason_code, row.next_retry_at), ("Review Amounts", "Amount Residual", None)
		)
		self.assertNotIn(order_sn, api.retry_waiting_orders([order_sn]))  # reviewed, not retried

	def test_an_order_shopee_sends_no_detail_for_waits(self):
		result = sync_orders(SHOP_ID, ["2611300NODETAIL"])["2611300NODETAIL"]
		self.assertEqual([f.reason_code for f in result.failures], ["Missing Order Detail"])
		self.assertEqual(self.waiting("2611300NODETAIL").reason_code, "Missing Order Detail")
		frappe.delete_doc(WAITING_ORDER, "2611300NODETAIL", force=True)

	def test_retry_needs_a_shopee_manager(self):
		frappe.set_user(clerk_user())
		try:
			with self.assertRaises(frappe.PermissionError):
				api.retry_waiting_orders(["anything"])
		finally:
			frappe.set_user("Administrator")
