"""Ship Shopee orders from Desk: the Sales Order's Ship dialog, the list's bulk action, the tracking number
Shopee pushes, the label fetched on the form, and one merged PDF of the shipping labels from the Delivery
Note list.

Orders to ship are chosen among the booked ones each run (never hard-coded): READY_TO_SHIP orders
first. A sandbox seed holds only a few of those, so when they run out an order that the shop shipped
outside this app (in transit, then completed) is made ready to ship again in the sandbox, as the
tier-2 suite does with its orders.
"""

import io
import json
import re

from conftest import Desk, wait_until
from playwright.sync_api import expect
from pypdf import PdfReader

SHIP_ORDER = "/api/v2/logistics/ship_order"
TRACKING_NUMBER_PUSH = 4
PRINT_LABELS = "/api/method/shopee_bridge.api.print_shipping_labels"
MODE_LABELS = {"pickup": "Pickup", "dropoff": "Drop-off", "non_integrated": "Non-integrated"}
# the booked orders a test may ship, best first: ready to ship, else shipped outside this app
REOPENABLE_STATUSES = ("READY_TO_SHIP", "PROCESSED", "SHIPPED", "TO_CONFIRM_RECEIVE", "COMPLETED")
LABEL_TIMEOUT_MS = 180_000

# what the flows shipped, for the tracking and label flows that follow them
shipped: dict[str, list[str]] = {"form": [], "bulk": []}
used: set[str] = set()


# -- the sandbox ("Shopee") ------------------------------------------------------------------------


def ship_order_calls(desk: Desk, order_sn: str) -> list[dict]:
	return [
		call
		for call in desk.sandbox_calls()
		if call["path"] == SHIP_ORDER and (call.get("body") or {}).get("order_sn") == order_sn
	]


def issue_tracking(desk: Desk, order_sn: str) -> str:
	"""The carrier assigns the order's tracking number now (Shopee would after a while)."""
	tracking = desk.sandbox_control("logistics/issue_tracking", {"order_sn": order_sn})["tracking_number"]
	assert tracking, f"the sandbox issued no tracking number for {order_sn}"
	return tracking


# -- choosing orders -------------------------------------------------------------------------------


def shipping_options(desk: Desk, sales_order: str) -> dict | None:
	"""What the Ship dialog offers for the order (the app asks Shopee), or None when Shopee refuses."""
	try:
		return desk.call("shopee_bridge.api.shipping_options", doctype="Sales Order", name=sales_order)
	except AssertionError:
		return None


def unshipped_orders(desk: Desk, shop: str) -> list[dict]:
	rows = desk.get_list(
		"Sales Order",
		{
			"shopee_shop": shop,
			"docstatus": 1,
			"shopee_shipment_state": ["is", "not set"],
			"shopee_order_status": ["in", REOPENABLE_STATUSES],
		},
		fields=("name", "shopee_order_sn", "shopee_order_status"),
		order_by="creation desc",
	)
	with_returns = {
		row["order_sn"] for row in desk.get_list("Shopee Return", {"shop": shop}, fields=("order_sn",))
	}
	rows = [row for row in rows if row["shopee_order_sn"] not in with_returns | used]
	return sorted(rows, key=lambda row: REOPENABLE_STATUSES.index(row["shopee_order_status"]))


def make_ready_to_ship(desk: Desk, row: dict) -> bool:
	"""False when the order is not in this sandbox's data (an earlier seed booked it)."""
	if row["shopee_order_status"] == "READY_TO_SHIP":
		return True
	body = {"order_sn": row["shopee_order_sn"], "status": "READY_TO_SHIP"}
	return desk.sandbox_post("orders/status", body).ok


def shippable_orders(desk: Desk, shop: str, count: int, mode: str) -> list[dict]:
	"""`count` booked orders of the shop that Shopee lets ship by `mode` now (their options with them)."""
	found = []
	for row in unshipped_orders(desk, shop):
		if len(found) == count:
			break
		if not make_ready_to_ship(desk, row):
			continue
		options = shipping_options(desk, row["name"])
		if options and mode in options["modes"]:
			used.add(row["shopee_order_sn"])
			found.append({**row, "options": options})
	return found


def shop_with_shippable_orders(desk: Desk, shops: list[str], count: int, mode: str) -> tuple[str, list]:
	for shop in shops:
		orders = shippable_orders(desk, shop, count, mode)
		if len(orders) == count:
			return shop, orders
	raise AssertionError(
		f"no shop has {count} booked, unshipped orders Shopee lets ship by {mode}: "
		"connect and sync the shops first (test_01), or start the sandbox with another seed"
	)


# -- the form --------------------------------------------------------------------------------------


def select_options(dialog, fieldname: str) -> list[tuple[str, str]]:
	select = dialog.locator(f".frappe-control[data-fieldname='{fieldname}'] select")
	pairs = select.locator("option").evaluate_all(
		"(options) => options.filter((o) => o.value).map((o) => [o.value, o.textContent.trim()])"
	)
	return [tuple(pair) for pair in pairs]


def expected_slots(address: dict) -> list[tuple[str, str]]:
	return [
		(slot["pickup_time_id"], slot["label"] + (" (recommended)" if slot["recommended"] else ""))
		for slot in address["slots"]
	]


def pickup_address(options: dict) -> dict:
	return next((a for a in options["addresses"] if a["pickup_address"]), options["addresses"][0])


# -- 1. Ship on Shopee from the Sales Order -------------------------------------------------------


def test_ship_from_the_sales_order_with_pickup(manager: Desk, shops):
	"""The dialog offers what Shopee offers for the order; a pickup is arranged and recorded."""
	_shop, [order] = shop_with_shippable_orders(manager, shops, 1, "pickup")
	options, order_sn = order["options"], order["shopee_order_sn"]
	manager.open_form("Sales Order", order["name"])
	manager.menu("Shopee", "Ship on Shopee")
	dialog = manager.dialog()
	expect(dialog.locator(".modal-title")).to_have_text(f"Ship Shopee order {order_sn}")

	assert select_options(dialog, "mode") == [(m, MODE_LABELS[m]) for m in options["modes"]]
	dialog.locator(".frappe-control[data-fieldname='mode'] select").select_option("pickup")
	address = pickup_address(options)
	assert select_options(dialog, "address_id") == [
		(a["address_id"], a["label"]) for a in options["addresses"]
	]
	expect(dialog.locator(".frappe-control[data-fieldname='address_id'] select")).to_have_value(
		address["address_id"]
	)
	assert select_options(dialog, "pickup_time_id") == expected_slots(address)
	slot = next(s for s in address["slots"] if s["recommended"])
	dialog.locator(".frappe-control[data-fieldname='pickup_time_id'] select").select_option(
		slot["pickup_time_id"]
	)
	manager.snap("03-ship-dialog")
	dialog.get_by_role("button", name="Ship", exact=True).click()

	expect(manager.alert("Shipment arranged (Pickup)")).to_be_visible(timeout=60_000)
	so = manager.get_doc("Sales Order", order["name"])
	assert (so["shopee_shipment_state"], so["shopee_shipping_mode"]) == ("Arranged", "Pickup"), so
	manager.page.wait_for_function("() => cur_frm.doc.shopee_shipment_state === 'Arranged'")
	expect(manager.shown_value("shopee_shipment_state")).to_have_text("Arranged")
	expect_shipment_note(manager, order_sn)
	calls = ship_order_calls(manager, order_sn)
	assert [(c["status"], c["body"]["pickup"]) for c in calls] == [
		(200, {"address_id": int(address["address_id"]), "pickup_time_id": slot["pickup_time_id"]})
	], calls
	manager.button("Shopee").click()
	menu = manager.page.locator(".page-head:visible .dropdown-menu.show")
	expect(menu.get_by_text("Print Shipping Label", exact=True)).to_be_visible()
	expect(menu.get_by_text("Ship on Shopee", exact=True)).to_have_count(0)
	manager.snap("03-shipped-from-the-form")
	manager.page.keyboard.press("Escape")
	shipped["form"] = [order_sn]


def expect_shipment_note(desk: Desk, order_sn: str) -> dict:
	"""The order's Delivery Note carries the shipment (a draft made when it was arranged, or its own)."""
	notes = delivery_notes(desk, [order_sn])
	assert len(notes) == 1, notes
	assert notes[0]["shopee_shipment_state"] == "Arranged", notes
	return notes[0]


def delivery_notes(desk: Desk, order_sns: list[str]) -> list[dict]:
	return desk.get_list(
		"Delivery Note",
		{"shopee_order_sn": ["in", order_sns], "docstatus": ["<", 2], "is_return": 0},
		fields=("name", "shopee_order_sn", "shopee_shipment_state", "shopee_tracking_number"),
	)


# -- 2. Ship on Shopee from the Sales Order list --------------------------------------------------


def open_list(desk: Desk, doctype: str, names: list[str], **filters):
	route_filters = {**filters, "name": json.dumps(["in", names])}
	query = "&".join(f"{key}={value}" for key, value in route_filters.items())
	page = desk.goto(f"/app/{doctype.lower().replace(' ', '-')}?{query}")
	for name in names:
		expect(page.locator(f"input.list-row-checkbox[data-name='{name}']")).to_be_visible()
	return page


def listed_names(desk: Desk) -> list[str]:
	return desk.page.locator("input.list-row-checkbox").evaluate_all(
		"boxes => boxes.map(box => box.dataset.name)"
	)


def tick(desk: Desk, names: list[str]) -> None:
	for name in names:
		desk.page.locator(f"input.list-row-checkbox[data-name='{name}']").check()


def latest_log(desk: Desk, job: str) -> dict | None:
	logs = desk.get_list(
		"Shopee Sync Log",
		{"job": job, "triggered_by": desk.user["usr"]},
		fields=("name", "status", "fetched", "updated", "skipped", "failed"),
		order_by="creation desc",
		limit=1,
	)
	return logs[0] if logs else None


def test_ship_two_orders_from_the_sales_order_list(manager: Desk, shops):
	"""Tick two orders, Actions → Ship on Shopee, Pickup: a background job ships both."""
	shop, orders = shop_with_shippable_orders(manager, shops, 2, "pickup")
	names = [order["name"] for order in orders]
	before = latest_log(manager, "ship_sales_orders")
	open_list(manager, "Sales Order", names, shopee_shop=shop)
	tick(manager, names)
	manager.menu("Actions", "Ship on Shopee")
	prompt = manager.dialog()
	expect(prompt.locator(".modal-title")).to_have_text("Ship 2 orders on Shopee")
	prompt.locator(".frappe-control[data-fieldname='mode'] select").select_option("pickup")
	prompt.get_by_role("button", name="Ship", exact=True).click()
	expect(manager.alert("2 orders queued for shipping; see Shopee Sync Log")).to_be_visible()

	log = wait_until(
		lambda: (
			(latest := latest_log(manager, "ship_sales_orders"))
			and latest["name"] != (before or {}).get("name")
			and latest["status"] != "Running"
			and latest
		),
		"the bulk shipment's Sync Log",
	)
	assert (log["fetched"], log["updated"], log["failed"]) == (2, 2, 0), log
	for order in orders:
		so = manager.get_doc("Sales Order", order["name"])
		assert (so["shopee_shipment_state"], so["shopee_shipping_mode"]) == ("Arranged", "Pickup"), so
		expect_shipment_note(manager, order["shopee_order_sn"])
		calls = ship_order_calls(manager, order["shopee_order_sn"])
		address = pickup_address(order["options"])
		assert [(c["status"], c["body"]["pickup"]["address_id"]) for c in calls] == [
			(200, int(address["address_id"]))
		], calls
	manager.page.reload()
	manager.page.wait_for_function("() => window.cur_list && !frappe.dom.freeze_count")
	manager.snap("03-shipped-from-the-list")
	shipped["bulk"] = [order["shopee_order_sn"] for order in orders]


# -- 3. The tracking number Shopee pushes ---------------------------------------------------------


def test_tracking_number_pushed_by_shopee_shows_on_the_form(manager: Desk):
	"""The carrier assigns the number; Shopee's push (code 4) puts it on the order and its note."""
	assert shipped["form"], "test_ship_from_the_sales_order_with_pickup shipped nothing"
	[order_sn] = shipped["form"]
	tracking = issue_tracking(manager, order_sn)
	shop, so_name = sales_order_of(manager, order_sn)
	manager.shopee_push(TRACKING_NUMBER_PUSH, shop, {"ordersn": order_sn, "tracking_no": tracking})

	wait_until(
		lambda: manager.value("Sales Order", so_name, "shopee_tracking_number") == tracking,
		f"the tracking number {tracking} on {so_name}",
	)
	manager.open_form("Sales Order", so_name)
	expect(manager.shown_value("shopee_tracking_number")).to_have_text(tracking)
	assert [note["shopee_tracking_number"] for note in delivery_notes(manager, [order_sn])] == [tracking]
	manager.snap("03-tracking-number")


def sales_order_of(desk: Desk, order_sn: str) -> tuple[str, str]:
	[row] = desk.get_list("Sales Order", {"shopee_order_sn": order_sn}, fields=("name", "shopee_shop"))
	return row["shopee_shop"], row["name"]


def test_get_the_shipping_label_on_the_sales_order_form(manager: Desk):
	"""Shopee → Get Shipping Label attaches the label to the order's Delivery Note; asked again, the
	label attached stays the only one."""
	[order_sn] = shipped["form"]
	_shop, so_name = sales_order_of(manager, order_sn)
	note = expect_shipment_note(manager, order_sn)["name"]
	files_before = label_files(manager, note)
	manager.open_form("Sales Order", so_name)
	manager.menu("Shopee", "Get Shipping Label")
	attached = manager.alert(re.compile(r"Shipping label version \d+ attached"))
	expect(attached).to_be_visible(timeout=LABEL_TIMEOUT_MS)
	version = int(re.search(r"version (\d+)", attached.inner_text()).group(1))
	[label] = manager.get_list(
		"Shopee Shipping Label",
		{"delivery_note": note, "version": version},
		fields=("order_sn", "file", "tracking_number"),
	)
	tracking = manager.value("Sales Order", so_name, "shopee_tracking_number")
	assert (label["order_sn"], label["tracking_number"]) == (order_sn, tracking), label
	assert label_files(manager, note) == [*files_before, label["file"]]

	manager.open_form("Sales Order", so_name)
	manager.menu("Shopee", "Get Shipping Label")
	expect(manager.alert(f"The shipping label is already attached (version {version})")).to_be_visible(
		timeout=LABEL_TIMEOUT_MS
	)
	assert label_files(manager, note) == [*files_before, label["file"]]
	manager.snap("03-label-on-the-form")


def label_files(desk: Desk, note: str) -> list[str]:
	"""The Files of the Delivery Note's labels, oldest first."""
	rows = desk.get_list(
		"Shopee Shipping Label", {"delivery_note": note}, fields=("file",), order_by="version asc"
	)
	return [row["file"] for row in rows]


# -- 4. Print Shopee Labels from the Delivery Note list -------------------------------------------


def test_print_labels_of_the_shipped_orders_as_one_pdf(manager: Desk):
	"""Actions → Print Shopee Labels fetches each label from Shopee and opens one merged PDF."""
	order_sns = shipped["form"] + shipped["bulk"]
	assert len(order_sns) == 3, f"the shipping tests shipped {order_sns}"
	for order_sn in shipped["bulk"]:
		issue_tracking(manager, order_sn)  # Shopee prints a label only once the number exists
	notes = {note["shopee_order_sn"]: note["name"] for note in delivery_notes(manager, order_sns)}
	assert sorted(notes) == sorted(order_sns), notes
	names = [notes[order_sn] for order_sn in order_sns]

	open_list(manager, "Delivery Note", names)
	tick(manager, names)
	with manager.context.expect_event(
		"response", lambda r: PRINT_LABELS in r.url, timeout=LABEL_TIMEOUT_MS
	) as opened:
		manager.menu("Actions", "Print Shopee Labels")
	response = opened.value
	assert response.status == 200, response.status
	assert "application/pdf" in response.headers.get("content-type", ""), response.headers
	expect(manager.page.locator(".modal.show").filter(has_text="Labels not available")).to_have_count(0)

	pdf = manager.context.request.get(response.url)
	assert pdf.ok and pdf.body().startswith(b"%PDF-"), pdf.status
	pages = PdfReader(io.BytesIO(pdf.body())).pages
	assert len(pages) == len(names), f"{len(pages)} pages for {len(names)} labels"
	order_sn_of = {name: order_sn for order_sn, name in notes.items()}
	in_list_order = [order_sn_of[name] for name in listed_names(manager) if name in order_sn_of]
	for page, order_sn in zip(pages, in_list_order, strict=True):
		assert f"Order {order_sn}" in page.extract_text()  # the labels come in the order the list shows
	expect_one_label_each(manager, notes)
	manager.snap("03-print-labels")


def expect_one_label_each(desk: Desk, notes: dict[str, str]) -> None:
	labels = desk.get_list(
		"Shopee Shipping Label",
		{"delivery_note": ["in", list(notes.values())]},
		fields=("name", "delivery_note", "order_sn", "version", "file", "tracking_number"),
	)
	assert sorted((label["order_sn"], label["delivery_note"]) for label in labels) == sorted(notes.items()), (
		labels
	)
	for label in labels:
		file = desk.get_doc("File", label["file"])
		assert (file["attached_to_doctype"], file["attached_to_name"]) == (
			"Delivery Note",
			label["delivery_note"],
		)
		assert re.fullmatch(rf"shopee-label-{label['order_sn']}-v\d+\.pdf", file["file_name"]), file
		assert label["tracking_number"] == desk.value(
			"Sales Order", sales_order_of(desk, label["order_sn"])[1], "shopee_tracking_number"
		)
