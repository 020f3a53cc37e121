"""Publish an Item to Shopee from its form: the dialog's problems first, then the listing in the Item Map."""

import json
import re
import secrets

from conftest import Desk, wait_until
from playwright.sync_api import expect

from shopee_bridge.sandbox.images import sample_png

DESCRIPTION = "A sturdy ceramic coffee mug for the browser tier, dishwasher safe and glazed by hand."
# the sandbox's mug category: Material (drop-down), Capacity (a number with a unit), Care Instructions
MATERIAL, CAPACITY, CARE = 100010, 100020, 100030


def shop_price_list(desk: Desk, shop: str) -> str:
	"""A selling Price List in the shop's currency, set on the shop (a new shop has the company's)."""
	currency = desk.value("Shopee Shop", shop, "currency")
	name = f"Shopee Browser {currency}"
	if not desk.count("Price List", {"name": name}):
		doc = {"doctype": "Price List", "price_list_name": name, "currency": currency, "selling": 1}
		desk.call("frappe.client.insert", doc=json.dumps(doc))
	desk.call(
		"frappe.client.set_value",
		doctype="Shopee Shop",
		name=shop,
		fieldname="selling_price_list",
		value=name,
	)
	return name


def publishable_item(desk: Desk, price_list: str) -> str:
	"""A mug Item with an image, a weight, package dimensions and a price, as a seller keeps it."""
	code = f"BROWSER-MUG-{secrets.token_hex(3).upper()}"
	item = {
		"doctype": "Item",
		"item_code": code,
		"item_name": "Ceramic Coffee Mug Browser Edition",
		"item_group": "All Item Groups",
		"stock_uom": "Nos",
		"is_stock_item": 1,
		"description": DESCRIPTION,
		"weight_per_unit": 0.35,
		"weight_uom": "Kg",
		"shopee_package_length": 12,
		"shopee_package_width": 10,
		"shopee_package_height": 9,
	}
	desk.call("frappe.client.insert", doc=json.dumps(item))
	upload = desk.context.request.post(
		f"{desk.site.url}/api/method/upload_file",
		multipart={
			"file": {"name": f"{code}.png", "mimeType": "image/png", "buffer": sample_png(7)},
			"doctype": "Item",
			"docname": code,
			"is_private": "0",
		},
		headers=desk._csrf(),
	)
	assert upload.ok, upload.text()[:300]
	file_url = upload.json()["message"]["file_url"]
	desk.call("frappe.client.set_value", doctype="Item", name=code, fieldname="image", value=file_url)
	price = {"doctype": "Item Price", "item_code": code, "price_list": price_list, "price_list_rate": 14.9}
	desk.call("frappe.client.insert", doc=json.dumps(price))
	return code


def attribute_input(dialog, attribute_id: int, kind: str = "attr"):
	return dialog.locator(
		f".frappe-control[data-fieldname='{kind}_{attribute_id}'] :is(input, select):visible"
	)


def test_publish_an_item_from_its_form(manager: Desk, shops):
	shop = shops[0]
	manager.goto("/app/item")  # Desk's session (and its CSRF token) for the calls below
	code = publishable_item(manager, shop_price_list(manager, shop))
	manager.open_form("Item", code)
	manager.menu("Shopee", "Publish to Shopee")
	dialog = manager.dialog()
	expect(dialog.locator(".modal-title")).to_have_text(f"Publish {code} to Shopee")
	# Shopee's recommendation for the Item's name is chosen, its attributes are offered
	category = dialog.locator(".frappe-control[data-fieldname='category'] input")
	expect(category).to_have_value(re.compile(r"^★ .*Mugs.* \[\d+\]$"))
	expect(dialog.get_by_text("Material *", exact=True)).to_be_visible()
	for other in shops[1:]:  # this one Item goes to the first shop only
		dialog.locator(f".frappe-control[data-fieldname='shops'] input[data-unit='{other}']").uncheck()
	manager.snap("07-publish-dialog")

	# published without the mandatory attributes: every problem is listed, nothing is queued
	dialog.get_by_role("button", name="Publish", exact=True).click()
	problems = manager.page.locator(".modal.show table.shopee-listing-problems")
	expect(problems).to_be_visible()
	for attribute in ("Material", "Capacity", "Care Instructions"):
		expect(problems).to_contain_text(f"Shopee Attribute {attribute}")
	manager.snap("07-publish-problems")
	manager.page.locator(".modal.show:has(table.shopee-listing-problems) .btn-modal-close").click()
	assert manager.get_list("Shopee Listing", {"item_code": code}, fields=("status",)) == [
		{"status": "Failed"}
	]

	# the seller fills them in and publishes
	dialog = manager.dialog()
	attribute_input(dialog, MATERIAL).fill("Ceramic [10001001]")
	attribute_input(dialog, MATERIAL).press("Tab")
	attribute_input(dialog, CAPACITY).fill("350")
	attribute_input(dialog, CAPACITY).press("Tab")
	attribute_input(dialog, CAPACITY, "unit").select_option("ml")
	attribute_input(dialog, CARE).fill("Hand wash recommended")
	dialog.get_by_role("button", name="Publish", exact=True).click()
	expect(manager.alert("Publishing 1 listing(s) to Shopee in the background")).to_be_visible()

	listing = wait_until(
		lambda: [
			row
			for row in manager.get_list(
				"Shopee Listing",
				{"item_code": code, "shop": shop},
				fields=("name", "status", "item_id", "problems"),
			)
			if row["status"] in ("Published", "Failed")
		],
		f"the listing of {code}",
	)[0]
	assert listing["status"] == "Published", listing["problems"]
	rows = manager.get_list(
		"Shopee Item Map", {"shop": shop, "item_code": code}, fields=("item_id", "model_id")
	)
	assert rows == [{"item_id": listing["item_id"], "model_id": "0"}]

	manager.open_form("Item", code)
	expect(
		manager.page.locator(".form-message").filter(has_text=f"Shopee listing in {shop}: Published")
	).to_be_visible()
	manager.snap("07-published-item")
