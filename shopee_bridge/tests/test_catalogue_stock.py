"""Catalogue import and stock push against the sandbox, on a real site.

One shop imports the whole sandbox catalogue (variations, listings without SKU, a shared SKU,
banned / unlisted / deleted listings, a 60-model listing, items with and without a stock location)
and maps it by barcode; its stock is pushed after Stock Entries, Sales Orders and Delivery Notes,
through injected server errors, a rate limit and a promotion lock, and a full reconciliation then
finds no drift. A second shop, whose sandbox catalogue is cut down to listings nothing matches,
imports with "create Items": Items, and a template with Item Variants.

Items are matched by barcode (Shopee Settings) so that no stock Item is ever named like a sandbox
SKU: the order tests rely on those names being non-stock Items. Quantities are checked against
ERPNext's own Bin figures or as differences, so re-running on the same site holds.
"""

import time

import frappe
from erpnext.selling.doctype.sales_order.sales_order import make_delivery_note
from frappe.utils import add_to_date, now_datetime

from shopee_bridge.compat import IntegrationTestCase
from shopee_bridge.constants import ITEM_MAP, SHOP, SYNC_LOG
from shopee_bridge.jobs import schedule
from shopee_bridge.jobs import stock as stock_jobs
from shopee_bridge.mappers.catalogue import minimum_calls
from shopee_bridge.sandbox.products import LOCKED_MODEL
from shopee_bridge.services.catalogue import import_catalogue
from shopee_bridge.services.stock_reconcile import reconcile_shop_stock
from shopee_bridge.tests.utils import (
	SandboxMixin,
	authorize_shop,
	default_company,
	default_warehouse,
	delete_shop,
	make_sales_order,
	save_settings,
	sellable_stock,
)

SHOP_ID, BUILD_SHOP_ID = 630001, 630002
SHOPS = [
	{"shop_id": SHOP_ID, "shop_name": "Stock Shop SG", "region": "SG", "currency": "SGD"},
	{"shop_id": BUILD_SHOP_ID, "shop_name": "New Seller SG", "region": "SG", "currency": "SGD"},
]
UPDATE_STOCK = "/api/v2/product/update_stock"
UPDATE_PRICE = "/api/v2/product/update_price"
PREFIX = "CATSTK-"
# sandbox listing SKU -> how many of its units get an ERPNext Item (by barcode), and their opening stock
MAPPED = {"SBX-TEE": 10, "SBX-HOOD": 4, "SBX-CHGR": 8, "SBX-STKR": 0, "SBX-SHARED": 6, "SBX-WATCH": 3}


def item_group() -> str:
	return frappe.db.get_value("Item Group", {"is_group": 0}, "name") or "All Item Groups"


def barcode_item(barcode: str) -> str:
	"""A stock Item CATSTK-<barcode> carrying the sandbox SKU as its barcode (created once)."""
	code = PREFIX + barcode
	if not frappe.db.exists("Item", code):
		frappe.get_doc(
			{
				"doctype": "Item",
				"item_code": code,
				"item_name": code,
				"item_group": item_group(),
				"stock_uom": "Nos",
				"is_stock_item": 1,
				"valuation_rate": 5,
				"barcodes": [{"barcode": barcode}],
			}
		).insert(ignore_permissions=True)
	return code


def company_price_list() -> str:
	"""A selling Price List in the company's currency, so Sales Orders need no exchange rate."""
	currency = frappe.get_cached_value("Company", default_company(), "default_currency")
	name = f"Shopee Stock Test {currency}"
	if not frappe.db.exists("Price List", name):
		frappe.get_doc(
			{"doctype": "Price List", "price_list_name": name, "currency": currency, "selling": 1}
		).insert()
	return name


def stock_entry(purpose: str, warehouse: str, quantities: dict[str, float]) -> str:
	"""A submitted Material Receipt / Issue of the quantities, committed (so the change is flushed)."""
	field = "t_warehouse" if purpose == "Material Receipt" else "s_warehouse"
	entry = frappe.get_doc(
		{
			"doctype": "Stock Entry",
			"stock_entry_type": purpose,
			"company": default_company(),
			"items": [
				{"item_code": code, "qty": qty, field: warehouse, "basic_rate": 5}
				for code, qty in quantities.items()
			],
		}
	).insert(ignore_permissions=True)
	entry.submit()
	frappe.db.commit()  # nosemgrep: the change marks the map after commit, as in production
	return entry.name


class TestCatalogueStock(SandboxMixin, IntegrationTestCase):
	sandbox_shops = SHOPS
	sandbox_orders = 10

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.start_sandbox()
		cls.warehouse = default_warehouse(default_company())
		cls.price_list = company_price_list()
		save_settings(sku_match_field="Barcode", push_prices=0)
		for shop in (str(SHOP_ID), str(BUILD_SHOP_ID)):
			delete_shop(shop)
			frappe.db.delete(ITEM_MAP, {"shop": shop})
			authorize_shop(cls.sandbox, shop)
			frappe.db.rollback()
		frappe.db.set_value(SHOP, str(SHOP_ID), {"warehouse": cls.warehouse, "push_stock": 1})
		frappe.db.set_value(SHOP, str(BUILD_SHOP_ID), "warehouse", cls.warehouse)
		cls.store = cls.sandbox.dataset.products
		cls.items = cls.make_items()
		frappe.db.commit()  # nosemgrep: the import and pushes run as the jobs would, committing
		cls.import_log = import_catalogue(str(SHOP_ID))

	@classmethod
	def make_items(cls) -> dict[str, str]:
		"""{sandbox SKU: Item} for the mapped listings' units, their sellable stock topped up to MAPPED.

		Each run delivers more than it receives (and a run cut short leaves orders reserving units),
		so a site the class ran on before is topped up rather than left to run dry."""
		items, top_up = {}, {}
		for item_id in cls.store.item_ids(SHOP_ID):
			listing = cls.store.listing(SHOP_ID, item_id)
			if listing["item_sku"] not in MAPPED:
				continue
			for unit in listing["units"].values():
				sku = unit["model_sku"] or listing["item_sku"]
				items[sku] = barcode_item(sku)
				top_up[items[sku]] = MAPPED[listing["item_sku"]] - sellable_stock(items[sku], cls.warehouse)
		if any(qty > 0 for qty in top_up.values()):
			stock_entry("Material Receipt", cls.warehouse, {k: v for k, v in top_up.items() if v > 0})
		return items

	@classmethod
	def tearDownClass(cls):
		save_settings(sku_match_field="Item Code", push_prices=0, push_price_list=None)
		for shop in (str(SHOP_ID), str(BUILD_SHOP_ID)):
			delete_shop(shop)
		cls.stop_sandbox()
		super().tearDownClass()

	# -- helpers ---------------------------------------------------------------------------

	def row(self, sku: str, shop: int = SHOP_ID) -> dict:
		listing, unit = self.unit(sku)
		return frappe.db.get_value(
			ITEM_MAP,
			{"shop": str(shop), "item_id": str(listing["item_id"]), "model_id": str(unit["model_id"])},
			"*",
			as_dict=True,
		)

	def unit(self, sku: str) -> tuple[dict, dict]:
		for item_id in self.store.item_ids(SHOP_ID):
			listing = self.store.listing(SHOP_ID, item_id)
			for unit in listing["units"].values():
				if (unit["model_sku"] or listing["item_sku"]) == sku:
					return listing, unit
		raise KeyError(sku)

	def shopee_stock(self, sku: str) -> int:
		listing, unit = self.unit(sku)
		return self.store.stock(SHOP_ID, listing["item_id"], unit["model_id"])

	def erpnext_sellable(self, sku: str) -> int:
		return max(0, int(sellable_stock(self.items[sku], self.warehouse)))

	def push(self) -> str | None:
		self.sandbox.reset_counts()
		return stock_jobs.push_stock(str(SHOP_ID))

	def stock_calls(self) -> list[dict]:
		return [call for call in self.sandbox.calls if call["path"] == UPDATE_STOCK]

	def make_due(self, *skus: str) -> None:
		"""Let the backoff pass for these rows."""
		for sku in skus:
			frappe.db.set_value(
				ITEM_MAP, self.row(sku).name, "next_push_at", add_to_date(now_datetime(), seconds=-1)
			)
		frappe.db.commit()  # nosemgrep: the push reads committed rows

	# -- the tests, in order -------------------------------------------------------------

	def test_1_import_maps_by_sku_flags_shared_and_lists_the_rest(self):
		log = frappe.get_doc(SYNC_LOG, self.import_log)
		self.assertEqual(log.status, "Success", [e.error for e in log.errors])
		listed = [self.store.listing(SHOP_ID, i) for i in self.store.item_ids(SHOP_ID)]
		listed = [x for x in listed if x["item_status"] != "SELLER_DELETE"]
		self.assertEqual(
			frappe.db.count(ITEM_MAP, {"shop": str(SHOP_ID)}), sum(len(x["units"]) for x in listed)
		)
		with_models = sum(1 for x in listed if x["has_model"])
		# one list page for the listings, one for deleted ones, base info per 50, model list per listing with models
		self.assertEqual(log.api_calls, 2 + -(-len(listed) // 50) + with_models)
		tee = self.row("SBX-TEE-03")
		self.assertEqual(
			(tee.item_code, tee.model_name, tee.item_sku), (self.items["SBX-TEE-03"], "White,L", "SBX-TEE")
		)
		self.assertEqual(tee.location_id, self.unit("SBX-TEE-03")[0]["location_id"])
		self.assertTrue(tee.location_id)
		self.assertFalse(self.row("SBX-CHGR").location_id)
		shared = frappe.get_all(
			ITEM_MAP, filters={"shop": str(SHOP_ID), "sku": "SBX-SHARED"}, fields=["item_code", "shared_sku"]
		)
		self.assertEqual([(r.item_code, r.shared_sku) for r in shared], [(self.items["SBX-SHARED"], 1)] * 2)
		unmapped = frappe.get_all(
			ITEM_MAP, filters={"shop": str(SHOP_ID), "item_code": ["is", "not set"]}, pluck="sku"
		)
		self.assertIn("", unmapped)  # listings without SKU wait for mapping in Desk
		self.assertIn("SBX-CAP-01", unmapped)  # no Item carries this barcode
		self.assertEqual(self.row("SBX-WATCH").item_status, "BANNED")
		self.assertEqual(
			frappe.db.get_value(ITEM_MAP, {"shop": str(SHOP_ID), "sku": "SBX-RADIO"}, "item_status"), "UNLIST"
		)
		self.assertFalse(frappe.db.exists(ITEM_MAP, {"shop": str(SHOP_ID), "sku": "SBX-OLDMUG"}))
		self.assertEqual(self.row("SBX-TEE-01").shopee_stock, self.shopee_stock("SBX-TEE-01"))
		self.assertEqual(self.row("SBX-TEE-01").push_state, "Pending")

	def mapped_rows(self) -> list[dict]:
		return frappe.get_all(
			ITEM_MAP,
			filters={"shop": str(SHOP_ID), "item_code": ["is", "set"]},
			fields=["name", "item_id", "model_id", "item_code", "item_status", "push_state", "shopee_stock"],
		)

	def sandbox_stock(self, row: dict) -> int:
		return self.store.stock(SHOP_ID, int(row.item_id), int(row.model_id))

	def item_sellable(self, item_code: str) -> int:
		sku = next(sku for sku, code in self.items.items() if code == item_code)
		return self.erpnext_sellable(sku)

	def test_2_first_push_sets_shopee_to_erpnext_in_the_fewest_calls(self):
		rows = self.mapped_rows()
		before = {row.name: self.sandbox_stock(row) for row in rows}
		log = self.push()
		changed: dict[str, int] = {}
		for row in rows:
			if row.item_status == "NORMAL" and before[row.name] != self.item_sellable(row.item_code):
				changed[row.item_id] = changed.get(row.item_id, 0) + 1
		self.assertEqual(len(self.stock_calls()), minimum_calls(changed.values()))
		self.assertTrue(any(len(call["body"]["stock_list"]) == 50 for call in self.stock_calls()))
		locked_sku = f"{LOCKED_MODEL[0]}-{LOCKED_MODEL[1] + 1:02d}"
		locked = self.row(locked_sku)
		for row in self.mapped_rows():
			if row.name == locked.name or row.item_status == "BANNED":
				continue
			expected = self.item_sellable(row.item_code)
			self.assertEqual(self.sandbox_stock(row), expected, row.item_code)
			self.assertEqual((row.push_state, row.shopee_stock), ("Synced", expected), row.item_code)
		self.assertEqual((locked.push_state, locked.push_attempts), ("Failed", 1))
		self.assertIn("promotion", locked.last_error)
		self.assertGreater(locked.next_push_at, now_datetime())
		self.assertEqual(self.row("SBX-WATCH").push_state, "Not Pushed")  # banned on Shopee
		tee_item = self.unit("SBX-TEE-01")[0]["item_id"]
		for call in self.stock_calls():
			for entry in call["body"]["stock_list"] if call["body"]["item_id"] == tee_item else []:
				self.assertEqual(entry["seller_stock"][0]["location_id"], self.row("SBX-TEE-01").location_id)
		sync_log = frappe.get_doc(SYNC_LOG, log)
		self.assertEqual(sync_log.status, "Partial")
		self.assertEqual(len(sync_log.errors), 1)
		self.assertIn("promotion", sync_log.errors[0].error)
		# nothing changed since: the next run calls nobody and writes no Sync Log
		self.assertIsNone(self.push())
		self.assertEqual(self.sandbox.call_counts, {})

	def test_3_a_stock_entry_is_pushed_for_its_model_only(self):
		before = self.shopee_stock("SBX-TEE-02")
		entry = stock_entry("Material Receipt", self.warehouse, {self.items["SBX-TEE-02"]: 7})
		self.assertEqual(self.row("SBX-TEE-02").push_state, "Pending")
		self.assertEqual(self.row("SBX-TEE-01").push_state, "Synced")
		self.push()
		self.assertEqual(len(self.stock_calls()), 1)
		self.assertEqual(len(self.stock_calls()[0]["body"]["stock_list"]), 1)
		self.assertEqual(self.shopee_stock("SBX-TEE-02"), before + 7)
		row = self.row("SBX-TEE-02")
		self.assertEqual((row.push_state, row.last_pushed_stock), ("Synced", before + 7))
		self.assertTrue(row.last_pushed_at)
		# cancelling it adds a reversing Stock Ledger Entry: the same signal
		frappe.get_doc("Stock Entry", entry).cancel()
		frappe.db.commit()  # nosemgrep: the change marks the map after commit
		self.assertEqual(self.row("SBX-TEE-02").push_state, "Pending")
		self.push()
		self.assertEqual(self.shopee_stock("SBX-TEE-02"), before)

	def test_4_sales_order_reserves_and_delivery_notes_deliver(self):
		before = self.shopee_stock("SBX-CHGR")
		so = make_sales_order(self.items["SBX-CHGR"], qty=3, rate=10, selling_price_list=self.price_list)
		so.items[0].warehouse = self.warehouse
		so.insert(ignore_permissions=True)
		so.submit()
		frappe.db.commit()  # nosemgrep: the change marks the map after commit
		self.assertEqual(self.row("SBX-CHGR").push_state, "Pending")
		self.push()
		self.assertEqual(self.shopee_stock("SBX-CHGR"), before - 3)  # reserved units are not for sale
		dn = make_delivery_note(so.name)
		dn.insert(ignore_permissions=True)
		dn.submit()
		frappe.db.commit()  # nosemgrep: the change marks the map after commit
		self.assertEqual(self.row("SBX-CHGR").push_state, "Pending")
		self.push()
		self.assertEqual(self.stock_calls(), [])  # delivered from reserved stock: sellable did not move
		self.assertEqual(self.row("SBX-CHGR").push_state, "Synced")
		# closing an order releases what it reserved (Close runs on_change, not on_update_after_submit)
		held = make_sales_order(self.items["SBX-CHGR"], qty=2, rate=10, selling_price_list=self.price_list)
		held.insert(ignore_permissions=True).submit()
		frappe.db.commit()  # nosemgrep: the change marks the map after commit
		self.push()
		self.assertEqual(self.shopee_stock("SBX-CHGR"), before - 5)
		held.reload().update_status("Closed")
		frappe.db.commit()  # nosemgrep: the change marks the map after commit
		self.push()
		self.assertEqual(self.shopee_stock("SBX-CHGR"), before - 3)
		# a Delivery Note without a Sales Order takes sellable stock at once
		tee = self.shopee_stock("SBX-TEE-01")
		dn = frappe.get_doc(
			{
				"doctype": "Delivery Note",
				"customer": so.customer,
				"company": so.company,
				"selling_price_list": self.price_list,
				"items": [
					{"item_code": self.items["SBX-TEE-01"], "qty": 2, "rate": 10, "warehouse": self.warehouse}
				],
			}
		).insert(ignore_permissions=True)
		dn.submit()
		frappe.db.commit()  # nosemgrep: the change marks the map after commit
		self.push()
		self.assertEqual(self.shopee_stock("SBX-TEE-01"), tee - 2)
		self.assertEqual(self.shopee_stock("SBX-TEE-01"), self.erpnext_sellable("SBX-TEE-01"))

	def test_5_failures_retry_with_backoff_and_recover(self):
		before = self.shopee_stock("SBX-TEE-03")
		self.sandbox.inject_fault(UPDATE_STOCK, "server_error", count=2)  # the call and its one retry
		stock_entry("Material Receipt", self.warehouse, {self.items["SBX-TEE-03"]: 1})
		self.push()
		row = self.row("SBX-TEE-03")
		self.assertEqual((row.push_state, row.push_attempts), ("Failed", 1))
		self.assertIn("error_server", row.last_error)
		self.assertEqual(self.shopee_stock("SBX-TEE-03"), before)
		self.assertIsNone(self.push())  # backing off: not due yet
		self.make_due("SBX-TEE-03")
		self.push()
		self.assertEqual(
			(self.row("SBX-TEE-03").push_state, self.shopee_stock("SBX-TEE-03")), ("Synced", before + 1)
		)
		# a rate limit stops the run: what was not sent stays due, nothing passes for Synced
		self.sandbox.inject_fault(UPDATE_STOCK, "rate_limit", count=2)
		stock_entry(
			"Material Receipt", self.warehouse, {self.items["SBX-TEE-03"]: 1, self.items["SBX-CHGR"]: 1}
		)
		self.push()
		self.assertEqual(
			len(self.stock_calls()), 2
		)  # the first item's call and its retry, then the run stops
		states = {self.row(sku).push_state for sku in ("SBX-TEE-03", "SBX-CHGR")}
		self.assertEqual(states, {"Failed"} if len(states) == 1 else {"Failed", "Pending"})
		self.make_due("SBX-TEE-03", "SBX-CHGR")
		self.push()
		for sku in ("SBX-TEE-03", "SBX-CHGR"):
			self.assertEqual(
				(self.row(sku).push_state, self.shopee_stock(sku)), ("Synced", self.erpnext_sellable(sku))
			)
		# the promotion ends: the locked model goes through on its next retry
		locked_sku = f"{LOCKED_MODEL[0]}-{LOCKED_MODEL[1] + 1:02d}"
		listing, unit = self.unit(locked_sku)
		self.store.set_locked(SHOP_ID, listing["item_id"], unit["model_id"], False)
		self.make_due(locked_sku)
		self.push()
		self.assertEqual(self.row(locked_sku).push_state, "Synced")
		self.assertEqual(self.shopee_stock(locked_sku), self.erpnext_sellable(locked_sku))

	def test_6_reconciliation_finds_no_drift_then_corrects_a_seller_center_edit(self):
		result = reconcile_shop_stock(str(SHOP_ID))
		pushable = [row for row in self.mapped_rows() if row.item_status != "BANNED"]
		self.assertEqual(
			(result.drift, result.compared, result.missing), (0, len(pushable), 0), result.drifted
		)
		listing, unit = self.unit("SBX-CHGR")
		self.store.set_stock(SHOP_ID, listing["item_id"], unit["model_id"], 99)  # edited in Seller Center
		log = stock_jobs.reconcile_stock(str(SHOP_ID))
		self.assertEqual(self.shopee_stock("SBX-CHGR"), self.erpnext_sellable("SBX-CHGR"))
		sync_log = frappe.get_doc(SYNC_LOG, log)
		self.assertEqual((sync_log.status, sync_log.updated), ("Partial", 1))  # the drift is noted
		self.assertIn("Shopee 99", sync_log.errors[0].error)
		self.assertEqual(reconcile_shop_stock(str(SHOP_ID)).drift, 0)

	def test_7_prices_are_pushed_from_the_chosen_price_list(self):
		price_list = "Shopee SG Test Prices"
		if not frappe.db.exists("Price List", price_list):
			frappe.get_doc(
				{"doctype": "Price List", "price_list_name": price_list, "currency": "SGD", "selling": 1}
			).insert()
		save_settings(push_prices=1, push_price_list=price_list)
		frappe.db.delete("Item Price", {"price_list": price_list})
		frappe.get_doc(
			{
				"doctype": "Item Price",
				"price_list": price_list,
				"item_code": self.items["SBX-CHGR"],
				"price_list_rate": 21.456,
			}
		).insert()
		frappe.db.commit()  # nosemgrep: the price change marks the map after commit
		self.assertEqual(self.row("SBX-CHGR").push_state, "Pending")
		self.push()
		listing, _unit = self.unit("SBX-CHGR")
		self.assertEqual(str(self.store.price(SHOP_ID, listing["item_id"])), "21.46")
		self.assertEqual([c["path"] for c in self.sandbox.calls], [UPDATE_PRICE])  # stock had not changed
		self.assertEqual(self.row("SBX-CHGR").last_pushed_price, "21.46")
		save_settings(push_prices=0)

	def test_8_the_scheduler_path_pushes_through_the_worker(self):
		"""What production does: a change, the every-minute scheduler job, a worker running the push."""
		before = self.shopee_stock("SBX-TEE-01")
		stock_entry("Material Issue", self.warehouse, {self.items["SBX-TEE-01"]: 1})
		self.assertIn(f"shopee_stock_push::{SHOP_ID}", schedule.stock_push())
		frappe.db.commit()  # nosemgrep: the job is queued after commit
		deadline = time.time() + 90
		while self.row("SBX-TEE-01").push_state != "Synced" and time.time() < deadline:
			time.sleep(1)
			frappe.db.rollback()  # a fresh snapshot of what the worker committed
		self.assertEqual(self.row("SBX-TEE-01").push_state, "Synced")
		self.assertEqual(self.shopee_stock("SBX-TEE-01"), before - 1)

	def test_9_import_can_create_items_and_item_variants(self):
		keep = {"", "CATSTK-MUG"}
		for item_id in self.store.item_ids(BUILD_SHOP_ID):
			if self.store.listing(BUILD_SHOP_ID, item_id)["item_sku"] not in keep:
				self.store.set_status(BUILD_SHOP_ID, item_id, "SELLER_DELETE")
		mug = [
			{"model_name": f"{c},{s}", "model_sku": f"CATSTK-MUG-{c[0]}{s[0]}"}
			for c in ("Red", "Blue")
			for s in ("Small", "Large")
		]
		if not any(
			self.store.listing(BUILD_SHOP_ID, i)["item_sku"] == "CATSTK-MUG"
			for i in self.store.item_ids(BUILD_SHOP_ID)
		):
			self.store.add_listing(BUILD_SHOP_ID, "Enamel Mug", "CATSTK-MUG", mug, stock=2, price="12.50")
		# Items an order of a listing without SKU created earlier (auto-create) are adopted, not made twice
		made_by_orders = set(frappe.get_all("Item", filters={"name": ["like", "SHOPEE-%"]}, pluck="name"))
		log = frappe.get_doc(SYNC_LOG, stock_jobs.import_catalogue(str(BUILD_SHOP_ID), create_items=True))
		self.assertEqual(log.status, "Success", [e.error for e in log.errors])
		rows = frappe.get_all(
			ITEM_MAP, filters={"shop": str(BUILD_SHOP_ID)}, fields=["item_id", "model_id", "item_code", "sku"]
		)
		self.assertTrue(rows and all(row.item_code for row in rows))
		template = frappe.get_doc("Item", "CATSTK-MUG")
		self.assertTrue(template.has_variants)
		self.assertEqual([a.attribute for a in template.attributes], ["Colour", "Size"])
		variant = frappe.get_doc("Item", "CATSTK-MUG-BL")
		self.assertEqual((variant.variant_of, variant.is_stock_item), ("CATSTK-MUG", 1))
		self.assertEqual(
			{a.attribute: a.attribute_value for a in variant.attributes}, {"Colour": "Blue", "Size": "Large"}
		)
		scarf = [row for row in rows if row.sku == "" and row.model_id != "0"]
		self.assertEqual(len(scarf), 2)
		for row in scarf:
			self.assertEqual(row.item_code, f"SHOPEE-{row.item_id}-{row.model_id}")
			if row.item_code not in made_by_orders:
				self.assertEqual(
					frappe.db.get_value("Item", row.item_code, "variant_of"), f"SHOPEE-{row.item_id}"
				)
		keychain = [row for row in rows if row.sku == "" and row.model_id == "0"]
		self.assertEqual([row.item_code for row in keychain], [f"SHOPEE-{keychain[0].item_id}"])
		# a second import finds everything mapped and creates nothing
		before = frappe.db.count("Item")
		stock_jobs.import_catalogue(str(BUILD_SHOP_ID), create_items=True)
		self.assertEqual(frappe.db.count("Item"), before)
