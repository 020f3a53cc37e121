"""Listings from ERPNext: 50 Items published to two sandbox shops, kept current, and refused before any call.

30 Items without variants and 20 templates (10 with one tier, 10 with two), each with PNG images
attached, some with a Brand Shopee knows, are published to an SG and an MY shop through the same
checks the Publish to Shopee dialog runs. Every listing lands in Shopee Item Map; an order for a
published model books and its stock is pushed back. Edits then update exactly the listings they touch
(name, image, a variant disabled, a variant added), a re-run sends nothing, and a disabled Item is
unlisted. Ten broken Items are refused with every problem listed before any Shopee write; a name only
the sandbox refuses fails with Shopee's message verbatim; moderation states are read back.
"""

import json
import secrets
import struct
import zlib
from contextlib import contextmanager

import frappe

from shopee_bridge.compat import IntegrationTestCase
from shopee_bridge.constants import ITEM_MAP, LISTING, SYNC_LOG
from shopee_bridge.jobs import listings as listing_jobs
from shopee_bridge.sandbox.images import sample_png
from shopee_bridge.services import listing_changes, listing_reference, listings
from shopee_bridge.services.listing_choices import prepare
from shopee_bridge.services.orders import sync_order
from shopee_bridge.services.stock_push import StockPush, due_rows
from shopee_bridge.services.webhook_handlers import dispatch
from shopee_bridge.tests.utils import (
	SandboxMixin,
	authorize_shop,
	configure_shop,
	default_company,
	default_warehouse,
	delete_shop,
	receive_stock,
	save_settings,
)
from shopee_bridge.webhooks import parse_push

SG_SHOP, MY_SHOP = 640001, 640002
SHOPS = [
	{"shop_id": SG_SHOP, "shop_name": "Listing Shop SG", "region": "SG", "currency": "SGD"},
	{"shop_id": MY_SHOP, "shop_name": "Listing Shop MY", "region": "MY", "currency": "MYR"},
]
PREFIX = f"LST{secrets.token_hex(2).upper()}-"  # Items with stock cannot be deleted: each run has its own
WRITES = (
	"/api/v2/product/add_item",
	"/api/v2/product/init_tier_variation",
	"/api/v2/product/add_model",
	"/api/v2/product/update_model",
	"/api/v2/product/update_tier_variation",
	"/api/v2/product/delete_model",
	"/api/v2/product/update_item",
	"/api/v2/product/unlist_item",
	"/api/v2/product/delete_item",
	"/api/v2/media_space/upload_image",
)
COLOURS = ["Red", "Blue", "Green"]
SIZES = ["S", "M"]
DESCRIPTION = "A sturdy everyday product made for the Shopee Bridge listing tests. " * 2


def attach_image(item_code: str, seed: int, as_main: bool = False) -> str:
	file = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": f"{item_code}-{seed}.png",
			"attached_to_doctype": "Item",
			"attached_to_name": item_code,
			"content": sample_png(seed),
			"is_private": 0,
		}
	).insert(ignore_permissions=True)
	if as_main:
		frappe.db.set_value("Item", item_code, "image", file.file_url)
	return file.name


def item_group() -> str:
	return frappe.db.get_value("Item Group", {"is_group": 0}, "name") or "All Item Groups"


def ensure_attribute(name: str, values: list[str]) -> None:
	"""An Item Attribute with at least these values (ERPNext's own Colour and Size lack some)."""
	if not frappe.db.exists("Item Attribute", name):
		frappe.get_doc({"doctype": "Item Attribute", "attribute_name": name}).insert(ignore_permissions=True)
	attribute = frappe.get_doc("Item Attribute", name)
	known = {row.attribute_value for row in attribute.item_attribute_values}
	abbrs = {row.abbr for row in attribute.item_attribute_values}
	missing = [value for value in values if value not in known]
	for value in missing:
		abbr = value.upper()[:3]
		attribute.append(
			"item_attribute_values",
			{"attribute_value": value, "abbr": abbr if abbr not in abbrs else f"LST{value}"},
		)
	if missing:
		attribute.save(ignore_permissions=True)


def new_item(code: str, name: str, **fields) -> str:
	frappe.get_doc(
		{
			"doctype": "Item",
			"item_code": code,
			"item_name": name,
			"item_group": item_group(),
			"stock_uom": "Nos",
			"is_stock_item": 1,
			"valuation_rate": 4,
			"description": f"<p>{DESCRIPTION}</p>",
			"weight_per_unit": 350,
			"weight_uom": "Gram" if frappe.db.exists("UOM", "Gram") else "Kg",
			"shopee_package_length": 12,
			"shopee_package_width": 10,
			"shopee_package_height": 9,
			**fields,
		}
	).insert(ignore_permissions=True)
	return code


def new_template(code: str, name: str, tiers: list[str]) -> list[str]:
	"""A template with Item Variants for every combination of the tiers' values; returns the variant codes."""
	from erpnext.controllers.item_variant import create_variant

	new_item(code, name, has_variants=1, attributes=[{"attribute": tier} for tier in tiers])
	combos = [[c] for c in COLOURS] if len(tiers) == 1 else [[c, s] for c in COLOURS for s in SIZES]
	variants = []
	for combo in combos:
		variant = create_variant(code, dict(zip(tiers, combo, strict=True)))
		variant.item_code = f"{code}-{'-'.join(combo)}"
		variant.insert(ignore_permissions=True)
		variants.append(variant.name)
	return variants


class TestListings(SandboxMixin, IntegrationTestCase):
	sandbox_shops = SHOPS
	sandbox_orders = 6
	sandbox_seed = secrets.randbelow(10**9)  # order numbers of placed orders differ from an earlier run's

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.start_sandbox()
		save_settings(push_prices=0)
		cls.shops = []
		for shop_id in (SG_SHOP, MY_SHOP):
			delete_shop(str(shop_id))
			frappe.db.delete(ITEM_MAP, {"shop": str(shop_id)})
			frappe.db.delete(LISTING, {"shop": str(shop_id)})
			authorize_shop(cls.sandbox, shop_id)
			frappe.db.rollback()
			configure_shop(str(shop_id))
			cls.shops.append(str(shop_id))
		cls.warehouse = default_warehouse(default_company())
		for shop in cls.shops:
			currency = frappe.db.get_value("Shopee Shop", shop, "currency")
			frappe.db.set_value(
				"Shopee Shop",
				shop,
				{"selling_price_list": price_list(currency), "warehouse": cls.warehouse, "push_stock": 1},
			)
		ensure_attribute("Colour", COLOURS)
		ensure_attribute("Size", SIZES)
		frappe.cache.delete_keys(listing_reference.CACHE_PREFIX)
		cls.category_id, cls.attributes = cls.mug_choices()
		cls.known_brand = cls.shopee_brand()
		cls.simple, cls.templates, cls.variants = cls.make_catalogue()
		frappe.db.commit()  # nosemgrep: the publish job and the web server read them

	@classmethod
	def tearDownClass(cls):
		cls.stop_sandbox()
		super().tearDownClass()

	# -- fixtures ---------------------------------------------------------------------------------

	@classmethod
	def mug_choices(cls) -> tuple[int, list[dict]]:
		"""Shopee's recommended category for a mug, and a valid value for each of its attributes."""
		shop = str(SG_SHOP)
		category_id = listing_reference.recommended_categories(shop, "Ceramic Coffee Mug")[0]
		tree = listing_reference.category_reference(shop, category_id)["attribute_tree"]
		return category_id, [valid_value(attribute) for attribute in tree if attribute.get("mandatory")]

	@classmethod
	def shopee_brand(cls) -> str:
		brands = listing_reference.category_reference(str(SG_SHOP), cls.category_id)["brands"]
		name = next(b["original_brand_name"] for b in brands if int(b["brand_id"]))
		if not frappe.db.exists("Brand", name):
			frappe.get_doc({"doctype": "Brand", "brand": name}).insert(ignore_permissions=True)
		return name

	@classmethod
	def make_catalogue(cls) -> tuple[list[str], list[str], dict[str, list[str]]]:
		simple, templates, variants = [], [], {}
		for number in range(30):
			code = new_item(
				f"{PREFIX}MUG-{number:02}",
				f"Ceramic Coffee Mug Model {number:02}",
				brand=cls.known_brand if number % 3 == 0 else None,
			)
			attach_image(code, number, as_main=True)
			if number % 2:
				attach_image(code, 100 + number)
			simple.append(code)
		for number in range(20):
			tiers = ["Colour"] if number < 10 else ["Colour", "Size"]
			code = f"{PREFIX}SET-{number:02}"
			variants[code] = new_template(code, f"Ceramic Mug Gift Set Edition {number:02}", tiers)
			attach_image(code, 200 + number, as_main=True)
			templates.append(code)
		for code in simple + [v for group in variants.values() for v in group]:
			set_prices(code, 12.5 if "SET" not in code else 15 + len(code) % 4)
			receive_stock(code, cls.warehouse, 7, 4)
		return simple, templates, variants

	def publish_all(self, items: list[str]) -> dict:
		result = prepare(items, self.shops, self.choices())
		frappe.db.commit()  # nosemgrep: the job reads the listings
		listing_jobs.publish_listings(result["ready"], "Administrator")
		return result

	def choices(self, **extra) -> dict:
		return {"category_id": self.category_id, "attributes": self.attributes, "condition": "NEW", **extra}

	def listing(self, item_code: str, shop: str):
		return frappe.get_doc(LISTING, {"item_code": item_code, "shop": shop})

	def writes(self) -> dict[str, int]:
		counts = self.sandbox.call_counts
		return {path: counts[path] for path in WRITES if counts.get(path)}

	# -- tests ------------------------------------------------------------------------------------

	def test_1_fifty_items_publish_to_two_shops_and_land_in_the_item_map(self):
		result = self.publish_all(self.simple + self.templates)
		self.assertEqual(result["problems"], {})
		self.assertEqual(len(result["ready"]), 100)
		for shop in self.shops:
			for code in self.simple:
				listing = self.listing(code, shop)
				self.assertEqual((listing.status, listing.problems or ""), ("Published", ""), code)
				rows = frappe.get_all(
					ITEM_MAP, {"shop": shop, "item_id": listing.item_id}, ["model_id", "item_code"]
				)
				self.assertEqual([(r.model_id, r.item_code) for r in rows], [("0", code)])
			for code in self.templates:
				listing = self.listing(code, shop)
				self.assertEqual(listing.status, "Published", listing.problems)
				mapped = frappe.get_all(
					ITEM_MAP, {"shop": shop, "item_id": listing.item_id}, pluck="item_code"
				)
				self.assertEqual(sorted(mapped), sorted(self.variants[code]))
		self.assertEqual(self.writes()["/api/v2/product/add_item"], 100)
		self.assertEqual(self.writes()["/api/v2/product/init_tier_variation"], 40)
		# brands: the Item's Brand became Shopee's brand, the others No Brand
		self.assertTrue(self.listing(self.simple[0], self.shops[0]).brand_id)
		self.assertEqual(self.listing(self.simple[1], self.shops[0]).brand_id, 0)

	def test_2_an_order_for_a_published_model_books_and_pushes_stock_back(self):
		template = self.templates[12]
		variant = self.variants[template][3]
		shop = self.shops[0]
		listing = self.listing(template, shop)
		model_id = frappe.db.get_value(ITEM_MAP, {"shop": shop, "item_code": variant}, "model_id")
		order_sn = self.sandbox.place_order(
			int(shop), [{"item_id": int(listing.item_id), "model_id": int(model_id), "quantity": 2}]
		)
		result = sync_order(shop, order_sn)
		so_name = frappe.db.get_value("Sales Order", {"shopee_order_sn": order_sn})
		self.assertTrue(so_name, result)
		self.assertEqual(
			frappe.get_all("Sales Order Item", {"parent": so_name}, pluck="item_code"), [variant]
		)
		frappe.db.commit()  # nosemgrep: the stock push reads the reservation
		StockPush(shop).run(due_rows(shop))
		products = self.sandbox.dataset.products
		self.assertEqual(products.stock(int(shop), int(listing.item_id), int(model_id)), 5)

	def test_3_edits_update_exactly_the_changed_listings_and_a_rerun_sends_nothing(self):
		renamed, imaged, price_only = self.simple[4], self.simple[5], self.simple[6]
		template, grown = self.templates[2], self.templates[3]
		disabled_variant = self.variants[template][1]
		with recorded_syncs() as queued:
			frappe.db.set_value("Item", renamed, "item_name", "Ceramic Coffee Mug Renamed Edition")
			attach_image(imaged, 500)
			frappe.db.set_value("Item", disabled_variant, "disabled", 1)
			added = self.add_variant(grown, "Yellow")
			set_prices(price_only, 13.75)
		queued_items = {frappe.db.get_value(LISTING, name, "item_code") for name, _a in queued}
		self.assertEqual(queued_items, {imaged, grown})  # the File and the new variant's hooks
		frappe.db.commit()  # nosemgrep: the jobs read the Items
		names = frappe.get_all(LISTING, {"shop": ["in", self.shops], "item_id": ["is", "set"]}, pluck="name")
		due = {name: listing_changes.due_action(name) for name in names}
		due = {name: action for name, action in due.items() if action}
		due_items = sorted({frappe.db.get_value(LISTING, name, "item_code") for name in due})
		self.assertEqual(due_items, sorted([renamed, imaged, template, grown]))
		self.sandbox.reset_counts()
		listing_jobs.publish_listings(list(due), "Administrator")
		writes = self.writes()
		self.assertEqual(writes.get("/api/v2/product/update_item"), 4)  # renamed and imaged, two shops
		self.assertEqual(writes.get("/api/v2/media_space/upload_image"), 2)  # only the new image
		self.assertEqual(writes.get("/api/v2/product/delete_model"), 2)
		self.assertEqual(writes.get("/api/v2/product/update_tier_variation"), 2)
		self.assertEqual(writes.get("/api/v2/product/add_model"), 2)
		for shop in self.shops:
			listing = self.listing(grown, shop)
			self.assertTrue(
				frappe.db.get_value(ITEM_MAP, {"shop": shop, "item_id": listing.item_id, "item_code": added})
			)
			info = self.sandbox.dataset.products.listing(int(shop), int(self.listing(renamed, shop).item_id))
			self.assertEqual(info["item_name"], "Ceramic Coffee Mug Renamed Edition")
		self.sandbox.reset_counts()
		listing_jobs.publish_listings(names, "Administrator", always_log=False)
		self.assertEqual(self.writes(), {})
		self.assertFalse([name for name in names if listing_changes.due_action(name)])

	def test_4_an_edit_queues_only_due_listings_and_a_disabled_item_is_unlisted(self):
		with recorded_syncs() as queued:
			item = frappe.get_doc("Item", self.simple[7])
			item.item_group = item.item_group  # a save that changes nothing published
			item.save(ignore_permissions=True)
			self.assertEqual(queued, [])
			item.disabled = 1
			item.save(ignore_permissions=True)
			self.assertEqual(sorted(action for _n, action in queued), ["unlist", "unlist"])  # one per shop
		frappe.db.commit()  # nosemgrep: the job reads the Item
		for name, action in queued:
			listing_jobs.sync_listing(name, action)
		for shop in self.shops:
			listing = self.listing(self.simple[7], shop)
			self.assertEqual((listing.status, listing.item_status), ("Unlisted", "UNLIST"))
			info = self.sandbox.dataset.products.listing(int(shop), int(listing.item_id))
			self.assertEqual(info["item_status"], "UNLIST")

	def test_5_broken_items_get_every_problem_before_any_call(self):
		broken = self.make_broken_items()
		self.sandbox.reset_counts()
		lacking = [code for code, fields in broken.items() if fields == ["Shopee"]]
		result = prepare([code for code in broken if code not in lacking], self.shops[:1], self.choices())
		without_attributes = prepare(lacking, self.shops[:1], self.choices(attributes=[]))
		result["ready"] += without_attributes["ready"]
		result["problems"].update(without_attributes["problems"])
		self.assertEqual(result["ready"], [])
		self.assertEqual(self.writes(), {})
		for code, expected in broken.items():
			found = result["problems"][f"{code} @ {self.shops[0]}"]
			fields = sorted(
				{
					row["field"].split(" ")[0]
					if row["field"].startswith("Shopee Attribute")
					else row["field"]
					for row in found
				}
			)
			self.assertEqual(fields, sorted(expected), (code, found))
			listing = self.listing(code, self.shops[0])
			self.assertEqual(listing.status, "Failed")
			for row in found:
				self.assertIn(row["message"], listing.problems)

	def test_6_a_refusal_only_shopee_knows_is_kept_verbatim(self):
		code = new_item(f"{PREFIX}REPLICA", "Replica Ceramic Coffee Mug Deluxe")
		attach_image(code, 900, as_main=True)
		set_prices(code, 12.5)
		result = prepare([code], self.shops[:1], self.choices())
		self.assertEqual(result["problems"], {})
		frappe.db.commit()  # nosemgrep: the job reads it
		[log] = listing_jobs.publish_listings(result["ready"], "Administrator")
		listing = self.listing(code, self.shops[0])
		self.assertEqual(listing.status, "Failed")
		self.assertFalse(listing.item_id)
		self.assertIn("prohibited", listing.problems.lower())
		errors = frappe.get_all("Shopee Sync Log Error", {"parent": log}, ["reference", "error"])
		self.assertEqual([e.reference for e in errors], [code])
		self.assertIn(listing.problems, errors[0].error)
		self.assertEqual(frappe.db.get_value(SYNC_LOG, log, "status"), "Partial")

	def test_7_moderation_states_are_read_back_onto_the_item_map(self):
		shop = self.shops[1]
		banned, reviewing = self.listing(self.simple[10], shop), self.listing(self.templates[15], shop)
		products = self.sandbox.dataset.products
		products.set_status(int(shop), int(banned.item_id), "BANNED")
		products.set_status(int(shop), int(reviewing.item_id), "REVIEWING")
		listings.refresh_states(shop)
		self.assertEqual(self.listing(self.simple[10], shop).item_status, "BANNED")
		self.assertEqual(self.listing(self.templates[15], shop).item_status, "REVIEWING")
		statuses = frappe.get_all(ITEM_MAP, {"shop": shop, "item_id": banned.item_id}, pluck="item_status")
		self.assertEqual(statuses, ["BANNED"])
		statuses = frappe.get_all(ITEM_MAP, {"shop": shop, "item_id": reviewing.item_id}, pluck="item_status")
		self.assertEqual(set(statuses), {"REVIEWING"})
		# a banned_item push naming one listing reads that one back
		deleted = self.listing(self.simple[11], shop)
		products.set_status(int(shop), int(deleted.item_id), "SHOPEE_DELETE")
		push = parse_push(
			json.dumps(
				{"code": 6, "shop_id": int(shop), "timestamp": 1, "data": {"item_id": int(deleted.item_id)}}
			).encode()
		)
		outcome = dispatch(push, None)
		self.assertEqual(outcome.status, "Done", outcome.message)
		self.assertEqual(self.listing(self.simple[11], shop).item_status, "SHOPEE_DELETE")
		self.assertEqual(
			frappe.get_all(ITEM_MAP, {"shop": shop, "item_id": deleted.item_id}, pluck="item_status"),
			["SHOPEE_DELETE"],
		)

	def test_8_a_lost_answer_never_publishes_twice(self):
		shop = self.shops[0]
		simple = new_item(f"{PREFIX}LOST-1", "Ceramic Coffee Mug Lost Answer")
		template = f"{PREFIX}LOST-2"
		variants = new_template(template, "Ceramic Mug Gift Set Lost Answer", ["Colour"])
		for code in [simple, template]:
			attach_image(code, 1700 + len(code), as_main=True)
		for code in [simple, *variants]:
			set_prices(code, 12.5)
		result = prepare([simple, template], [shop], self.choices())
		frappe.db.commit()  # nosemgrep: the job reads them
		names = {frappe.db.get_value(LISTING, name, "item_code"): name for name in result["ready"]}
		self.sandbox.reset_counts()
		for code, lost in ((simple, "add_item"), (template, "init_tier_variation")):
			self.sandbox.inject_fault(f"/api/v2/product/{lost}", "drop_after_apply")
			listing_jobs.publish_listings([names[code]], "Administrator")  # the answer is lost
			self.assertEqual(self.listing(code, shop).status, "Failed", lost)
			listing_jobs.publish_listings([names[code]], "Administrator")
		writes = self.writes()
		self.assertEqual(writes["/api/v2/product/add_item"], 2)  # each once
		self.assertEqual(writes["/api/v2/product/init_tier_variation"], 1)
		for code in (simple, template):
			listing = self.listing(code, shop)
			self.assertEqual(listing.status, "Published", listing.problems)
			self.assertEqual(self.shopee_items_with_sku(int(shop), code), [int(listing.item_id)])
		mapped = frappe.get_all(
			ITEM_MAP, {"shop": shop, "item_id": self.listing(template, shop).item_id}, pluck="item_code"
		)
		self.assertEqual(sorted(mapped), sorted(variants))
		# a model added with its answer lost is taken over, not added twice
		with recorded_syncs():  # run below, not by the worker
			added = self.add_variant(template, "Yellow")
		frappe.db.commit()  # nosemgrep: the job reads it
		name = self.listing(template, shop).name
		self.sandbox.inject_fault("/api/v2/product/add_model", "drop_after_apply")
		self.sandbox.reset_counts()
		listing_jobs.publish_listings([name], "Administrator")
		listing_jobs.publish_listings([name], "Administrator")
		self.assertEqual(self.writes().get("/api/v2/product/add_model"), 1)
		self.assertEqual(self.listing(template, shop).status, "Published")
		item_id = int(self.listing(template, shop).item_id)
		self.assertEqual(
			len(self.sandbox.dataset.products.listing(int(shop), item_id)["units"]), len(variants) + 1
		)
		self.assertTrue(frappe.db.get_value(ITEM_MAP, {"shop": shop, "item_code": added}))
		# and a model deleted with its answer lost is not deleted again
		frappe.db.set_value("Item", variants[0], "disabled", 1)
		frappe.db.commit()  # nosemgrep: the job reads it
		self.sandbox.inject_fault("/api/v2/product/delete_model", "drop_after_apply")
		self.sandbox.reset_counts()
		listing_jobs.publish_listings([name], "Administrator")
		listing_jobs.publish_listings([name], "Administrator")
		self.assertEqual(self.writes(), {"/api/v2/product/delete_model": 1})
		self.assertEqual(self.listing(template, shop).status, "Published")
		self.assertEqual(
			len(self.sandbox.dataset.products.listing(int(shop), item_id)["units"]), len(variants)
		)

	# -- helpers ----------------------------------------------------------------------------------

	def shopee_items_with_sku(self, shop_id: int, sku: str) -> list[int]:
		products = self.sandbox.dataset.products
		return [
			item_id
			for item_id in products.item_ids(shop_id)
			if (products.listing(shop_id, item_id) or {}).get("item_sku") == sku
		]

	def add_variant(self, template: str, colour: str) -> str:
		from erpnext.controllers.item_variant import create_variant

		ensure_attribute("Colour", [colour])
		variant = create_variant(template, {"Colour": colour})
		variant.item_code = f"{template}-{colour}"
		variant.insert(ignore_permissions=True)
		set_prices(variant.name, 16)
		receive_stock(variant.name, self.warehouse, 3, 4)
		return variant.name

	def make_broken_items(self) -> dict[str, list[str]]:
		"""Ten Items, each breaking the rules named with it."""
		broken = {}

		def item(suffix: str, name: str, expected: list[str], images: int = 1, **fields) -> str:
			code = new_item(f"{PREFIX}BAD-{suffix}", name, **fields)
			for n in range(images):
				attach_image(code, 1000 + len(broken) * 20 + n, as_main=not n)
			if "Price" not in expected:
				set_prices(code, 12.5)
			broken[code] = expected
			return code

		item("SHORT", "Mug", ["Item Name"])
		item("IMAGES", "Ceramic Coffee Mug Many Images", ["Images"], images=10)
		item("NOIMAGE", "Ceramic Coffee Mug No Picture", ["Images"], images=0)
		item(
			"BRAND", "Ceramic Coffee Mug Unknown Brand", ["Brand"], brand=ensure_brand("Nobody Knows Me Ltd")
		)
		item("NOPRICE", "Ceramic Coffee Mug Without Price", ["Price"])
		item(
			"WEIGHT",
			"Ceramic Coffee Mug Weightless",
			["Weight Per Unit", "Package Dimensions"],
			weight_per_unit=0,
			shopee_package_height=0,
		)
		item("DESC", "Ceramic Coffee Mug Short Description", ["Description"], description="Mug")
		item("TWO", "M", ["Item Name", "Description"], description="x")
		ratio = f"{PREFIX}BAD-RATIO"
		variants = new_template(ratio, "Ceramic Mug Gift Set Ratio Edition", ["Colour"])
		attach_image(ratio, 1500, as_main=True)
		for n, variant in enumerate(variants):
			set_prices(variant, 2 if n == 0 else 50)
		broken[ratio] = ["Price"]
		attribute = f"{PREFIX}BAD-ATTR"
		new_item(attribute, "Ceramic Coffee Mug Missing Attribute")
		attach_image(attribute, 1600, as_main=True)
		set_prices(attribute, 12.5)
		broken[attribute] = ["Shopee"]  # "Shopee Attribute <name>": the mandatory one left out
		frappe.db.commit()  # nosemgrep: kept like the others
		return broken


@contextmanager
def recorded_syncs():
	"""The listing syncs Item and File hooks queue, recorded instead of sent to the worker."""
	queued = []
	frappe.flags.pop("shopee_listings_queued", None)  # a request's memory of what it queued
	original = listing_jobs.enqueue_listing_sync
	listing_jobs.enqueue_listing_sync = lambda name, action: queued.append((name, action))
	try:
		yield queued
	finally:
		listing_jobs.enqueue_listing_sync = original


def valid_value(attribute: dict) -> dict:
	"""A value Shopee accepts for the attribute: its first listed value, else a typed one with a unit."""
	info = attribute.get("attribute_info") or {}
	row = {"attribute_id": int(attribute["attribute_id"]), "attribute_name": attribute.get("name")}
	values = attribute.get("attribute_value_list") or []
	if values:
		return {**row, "value_id": int(values[0]["value_id"]), "value": values[0].get("name")}
	value = "350" if info.get("input_validation_type") in (1, 3) else "Handmade"
	units = info.get("attribute_unit_list") or []
	return {**row, "value_id": 0, "value": value, "unit": units[0] if units else ""}


def ensure_brand(name: str) -> str:
	if not frappe.db.exists("Brand", name):
		frappe.get_doc({"doctype": "Brand", "brand": name}).insert(ignore_permissions=True)
	return name


def price_list(currency: str) -> str:
	name = f"Shopee Listing Test {currency}"
	if not frappe.db.exists("Price List", name):
		frappe.get_doc(
			{"doctype": "Price List", "price_list_name": name, "currency": currency, "selling": 1}
		).insert(ignore_permissions=True)
	return name


def set_prices(item_code: str, rate: float) -> None:
	"""The same rate in the SGD and MYR test price lists (replacing an earlier one)."""
	for currency in ("SGD", "MYR"):
		price_list_name = price_list(currency)
		frappe.db.delete("Item Price", {"item_code": item_code, "price_list": price_list_name})
		frappe.get_doc(
			{
				"doctype": "Item Price",
				"item_code": item_code,
				"price_list": price_list_name,
				"price_list_rate": rate,
			}
		).insert(ignore_permissions=True)
