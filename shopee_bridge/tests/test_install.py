import frappe

from shopee_bridge import install
from shopee_bridge.compat import IntegrationTestCase
from shopee_bridge.constants import MANAGER_ROLE, ORDER_SN_FIELD, SETTINGS, WORKSPACE
from shopee_bridge.tests.utils import make_item, make_sales_order, new_order_sn


def expected_custom_fields() -> list[tuple]:
	pairs = []
	for doctypes, fields in install.get_custom_fields().items():
		for dt in (doctypes,) if isinstance(doctypes, str) else doctypes:
			pairs += [(dt, field["fieldname"]) for field in fields]
	return sorted(pairs)


def shopee_custom_fields() -> list[tuple]:
	names = {fieldname for _, fieldname in expected_custom_fields()}
	return frappe.get_all(
		"Custom Field",
		filters={
			"fieldname": ["in", list(names)],
			"dt": ["in", list({dt for dt, _ in expected_custom_fields()})],
		},
		fields=["dt", "fieldname", "modified"],
		order_by="dt, fieldname",
		as_list=True,
	)


def unique_indexes(table: str, column: str) -> list:
	return frappe.db.sql(
		f"SHOW INDEX FROM `{table}` WHERE Column_name=%s AND Non_unique=0", column, as_dict=True
	)


class TestInstall(IntegrationTestCase):
	def test_setup_twice_changes_nothing(self):
		install.setup()
		before = shopee_custom_fields()
		install.setup()
		install.setup()
		after = shopee_custom_fields()
		self.assertEqual(sorted(row[:2] for row in before), expected_custom_fields())
		# nothing was rewritten by the second and third runs
		self.assertEqual(before, after)

	def test_the_desk_sidebar_leads_where_the_workspace_does(self):
		if not frappe.db.table_exists("Workspace Sidebar"):
			self.skipTest("this Frappe has no Workspace Sidebar: the workspace is the menu")
		install.setup()
		items = frappe.get_all(
			"Workspace Sidebar Item", {"parent": WORKSPACE}, ["label", "url", "link_to"], order_by="idx"
		)
		connect = [item.url for item in items if item.label == "Connect to Shopee"]
		self.assertEqual(connect, ["/api/method/shopee_bridge.api.connect_shop_redirect"])
		self.assertIn("Shopee Listing", [item.link_to for item in items])

	def test_one_sync_gives_every_doctype_all_its_fields(self):
		"""Delivery Note and Sales Invoice are in two field groups: a first install must add both."""
		names = ["Delivery Note-" + ORDER_SN_FIELD, "Delivery Note-shopee_return_sn"]
		names += ["Sales Invoice-" + ORDER_SN_FIELD, "Sales Invoice-shopee_return_sn"]
		for name in names:
			frappe.delete_doc("Custom Field", name, force=True, ignore_permissions=True)
		install.sync_custom_fields()
		self.assertEqual([name for name in names if not frappe.db.exists("Custom Field", name)], [])

	def test_sales_order_has_unique_index_on_order_sn(self):
		self.assertTrue(unique_indexes("tabSales Order", ORDER_SN_FIELD))

	def test_invoice_and_delivery_note_order_sn_are_indexed_not_unique(self):
		for table in ("tabSales Invoice", "tabDelivery Note"):
			indexes = frappe.db.sql(
				f"SHOW INDEX FROM `{table}` WHERE Column_name=%s", ORDER_SN_FIELD, as_dict=True
			)
			self.assertTrue(indexes, table)
			self.assertTrue(all(index.Non_unique == 1 for index in indexes), table)

	def test_customer_key_is_unique_per_shop(self):
		index = frappe.db.sql(
			"SHOW INDEX FROM `tabCustomer` WHERE Key_name=%s",
			install.CUSTOMER_UNIQUE_CONSTRAINT,
			as_dict=True,
		)
		self.assertEqual(sorted(row.Column_name for row in index), ["shopee_buyer_username", "shopee_shop"])
		self.assertTrue(all(row.Non_unique == 0 for row in index))

	def test_role_settings_module_and_workspace_exist(self):
		self.assertTrue(frappe.db.exists("Role", MANAGER_ROLE))
		self.assertTrue(frappe.db.exists("Module Def", "Shopee Bridge"))
		self.assertTrue(frappe.db.exists("Workspace", WORKSPACE))
		self.assertEqual(frappe.db.get_value("Workspace", WORKSPACE, "module"), "Shopee Bridge")
		settings = frappe.get_single(SETTINGS)
		self.assertTrue(settings.oauth_redirect_url.endswith("/api/method/shopee_bridge.api.oauth_callback"))

	def test_deleted_workspace_comes_back_on_setup(self):
		frappe.delete_doc("Workspace", WORKSPACE, force=True, ignore_permissions=True)
		install.setup()
		shortcuts = frappe.get_doc("Workspace", WORKSPACE).shortcuts
		self.assertIn("Shopee Webhook Inbox", [s.link_to for s in shortcuts])
		self.assertIn("/api/method/shopee_bridge.api.connect_shop_redirect", [s.url for s in shortcuts])


class TestOrderSnOnDocuments(IntegrationTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.item = make_item("SB-TEST-INSTALL")

	def test_invoice_and_delivery_note_from_shopee_order_submit(self):
		from erpnext.selling.doctype.sales_order.sales_order import make_delivery_note, make_sales_invoice

		order_sn = new_order_sn()
		so = make_sales_order(self.item, **{ORDER_SN_FIELD: order_sn})
		so.submit()
		dn = make_delivery_note(so.name)
		si = make_sales_invoice(so.name)
		# no_copy keeps the unique key off mapped documents; the writer sets it explicitly
		self.assertFalse(dn.get(ORDER_SN_FIELD))
		self.assertFalse(si.get(ORDER_SN_FIELD))
		for doc in (dn, si):
			doc.set(ORDER_SN_FIELD, order_sn)
			doc.insert()
			doc.submit()
			self.assertEqual(doc.docstatus, 1)
		self.assertEqual(frappe.db.get_value("Sales Invoice", si.name, ORDER_SN_FIELD), order_sn)

	def test_second_sales_order_with_same_order_sn_is_refused_by_database(self):
		order_sn = new_order_sn()
		make_sales_order(self.item, **{ORDER_SN_FIELD: order_sn}).insert()
		duplicate = make_sales_order(self.item, **{ORDER_SN_FIELD: order_sn})
		with self.assertRaises(frappe.UniqueValidationError):
			duplicate.insert()

	def test_raw_update_bypassing_the_orm_is_refused_too(self):
		first = make_sales_order(self.item, **{ORDER_SN_FIELD: new_order_sn()}).insert()
		second = make_sales_order(self.item, **{ORDER_SN_FIELD: new_order_sn()}).insert()
		with self.assertRaises(Exception) as raised:
			frappe.db.sql(
				f"UPDATE `tabSales Order` SET `{ORDER_SN_FIELD}`=%s WHERE name=%s",
				(first.get(ORDER_SN_FIELD), second.name),
			)
		self.assertTrue(frappe.db.is_unique_key_violation(raised.exception))
