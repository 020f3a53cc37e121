"""The Shopee Bridge workspace, the waiting-order list, and the shop form's Finance and Catalogue & Stock menus."""

import json
import re
from pathlib import Path

from conftest import DESK_PATH, Desk, wait_until
from playwright.sync_api import Page, expect

CARDS = ("Shopee Orders Today", "Shopee Revenue This Month", "Shopee Orders Waiting", "Shopee Pushes Failed")
CHARTS = ("Shopee Orders per Day", "Shopee Revenue per Day")
UNMAPPED_SKU = "SANDBOX-UNMAPPED"  # the sandbox sells it on purpose; no Item carries it
COUNTS = re.compile(r"fetched (\d+), created (\d+), updated (\d+), skipped (\d+), failed (\d+)")
COUNT_FIELDS = ("fetched", "created_count", "updated", "skipped", "failed")
SHORT_NUMBER = re.compile(r"(-?\d[\d,]*(?:\.\d+)?)\s*([KMBT]?)\b")
SHORT_UNITS = {"": 1, "K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}
JOB_WAIT_MS = 300_000
WORKSPACE_JSON = (
	Path(__file__).parents[1] / "shopee_bridge/shopee_bridge/workspace/shopee_bridge/shopee_bridge.json"
)


# -- 1. the workspace ------------------------------------------------------------------------------


def card_number(page: Page, label: str):
	card = page.locator(".number-widget-box").filter(has=page.locator(".widget-title", has_text=label))
	number = card.locator(".widget-content .number")
	expect(number).to_be_visible(timeout=60_000)
	return number


def shown_value(text: str) -> float:
	"""A card's number as Desk shortens it ("S$ 1,234.50", "12.35 K")."""
	match = SHORT_NUMBER.search(text)
	assert match, f"no number in {text!r}"
	return float(match.group(1).replace(",", "")) * SHORT_UNITS[match.group(2)]


def card_value_from_documents(desk: Desk, card_name: str) -> float:
	"""What the Number Card's own definition gives over the documents this user reads."""
	card = desk.get_doc("Number Card", card_name)
	filters = json.loads(card["filters_json"] or "[]")
	if card["function"] == "Count":
		# get_list, as the card does: frappe.client.get_count ignores the "Timespan" filters
		return len(desk.get_list(card["document_type"], filters))
	field = card["aggregate_function_based_on"]
	assert card["function"] == "Sum", card["function"]
	rows = desk.get_list(card["document_type"], filters, fields=(field,))
	return sum(float(row[field] or 0) for row in rows)


def same_number(shown: float, expected: float) -> bool:
	# Desk rounds a card to whole units, or to 2 decimals of a shortened unit ("12.35 K")
	return abs(shown - expected) <= max(0.5, abs(expected) * 0.001)


def chart_responses(page: Page) -> dict:
	"""The data each chart of the page drew, as the chart's server method returned it."""
	drawn = {}

	def keep(response):
		if "dashboard_chart.dashboard_chart.get" in response.url and response.ok:
			name = (response.request.post_data_json or {}).get("chart_name")
			drawn[name] = response.json()["message"]

	page.on("response", keep)
	return drawn


def drawn_bars(bars) -> int:
	return bars.evaluate_all(
		"(rects) => rects.filter((r) => parseFloat(r.getAttribute('height')) > 0).length"
	)


def chart_widget(page: Page, label: str):
	return page.locator(".dashboard-widget-box").filter(has=page.locator(".widget-title", has_text=label))


def test_workspace_cards_show_what_the_documents_say(manager: Desk):
	# another session may book an order between the card's query and ours: look again then
	for _attempt in range(3):
		page = manager.goto("/app/shopee-bridge")
		shown = {label: shown_value(card_number(page, label).inner_text()) for label in CARDS}
		expected = {label: card_value_from_documents(manager, label) for label in CARDS}
		if all(same_number(shown[label], expected[label]) for label in CARDS):
			break
	for label in CARDS:
		assert same_number(shown[label], expected[label]), (label, shown[label], expected[label])
	manager.snap("02-workspace-cards")


def shortcuts_with_counts() -> list[dict]:
	"""The workspace's DocType shortcuts with a count filter, as the app ships them (migrate imports
	them). v15 counts only those; v16 counts every DocType shortcut."""
	shipped = json.loads(WORKSPACE_JSON.read_text())
	return [
		shortcut
		for shortcut in shipped["shortcuts"]
		if shortcut["type"] == "DocType" and shortcut.get("stats_filter") is not None
	]


def shortcut_count(page: Page, label: str) -> int:
	pill = page.locator(f".shortcut-widget-box[aria-label='{label}'] .indicator-pill")
	expect(pill).to_be_visible(timeout=60_000)
	return int(re.match(r"\d+", pill.inner_text().strip()).group())


def test_workspace_shortcuts_count_what_the_documents_say(manager: Desk):
	shortcuts = shortcuts_with_counts()
	assert len(shortcuts) >= 6, shortcuts
	for _attempt in range(3):
		page = manager.goto("/app/shopee-bridge")
		shown = {s["label"]: shortcut_count(page, s["label"]) for s in shortcuts}
		expected = {
			s["label"]: manager.count(s["link_to"], json.loads(s.get("stats_filter") or "[]"))
			for s in shortcuts
		}
		if shown == expected:
			break
	assert shown == expected
	manager.snap("02-workspace-shortcuts")


def test_workspace_charts_draw_the_synced_orders(manager: Desk):
	drawn = chart_responses(manager.page)
	page = manager.goto("/app/shopee-bridge")
	for label in CHARTS:
		# frappe-charts draws a few seconds after the page: bars for one chart, a line for the other
		marks = chart_widget(page, label).locator("svg.frappe-chart .dataset-units :is(rect.bar, path)")
		expect(marks.first).to_be_attached(timeout=60_000)
	wait_until(lambda: all(label in drawn for label in CHARTS), "both charts' data", timeout=60, page=page)
	for label in CHARTS:
		values = drawn[label]["datasets"][0]["values"]
		assert any(values), f"{label} drew no orders: {drawn[label]}"
	orders = drawn["Shopee Orders per Day"]
	labels = orders["labels"]
	first, last = page.evaluate(
		"(labels) => labels.map((d) => frappe.datetime.user_to_str(d))", [labels[0], labels[-1]]
	)
	chart = manager.get_doc("Dashboard Chart", "Shopee Orders per Day")
	filters = [
		*json.loads(chart["filters_json"]),
		["Sales Order", chart["based_on"], "between", [first, last]],
	]
	assert sum(orders["datasets"][0]["values"]) == manager.count("Sales Order", filters), (first, last)
	bars = chart_widget(page, "Shopee Orders per Day").locator("svg.frappe-chart rect.bar")
	days_with_orders = sum(1 for value in orders["datasets"][0]["values"] if value)
	wait_until(lambda: drawn_bars(bars) == days_with_orders, "a bar for each day with orders", timeout=30)
	manager.snap("02-workspace-charts")


# -- 2. the waiting list ---------------------------------------------------------------------------


def order_waiting_for_the_unmapped_listing(desk: Desk, shops: list[str]) -> dict | None:
	"""An order of the first shop that has one (a shop an earlier run mapped has none left)."""
	waiting = desk.get_list(
		"Shopee Waiting Order",
		{"reason_code": "Unmapped Item", "reason": ["like", f"%{UNMAPPED_SKU}%"], "step": "Sales Order"},
		fields=("name", "shop"),
	)
	for shop in shops:
		for row in waiting:
			if row["shop"] == shop:
				return row
	return None


def an_item_to_sell_it_as(desk: Desk) -> str:
	items = desk.get_list(
		"Item",
		{"item_code": ["like", "SBX-%"], "has_variants": 0, "variant_of": ["is", "not set"], "disabled": 0},
		order_by="item_code asc",
		limit=1,
	)
	assert items, "the site has no sandbox Item"
	return items[0]["name"]


def map_the_listing(desk: Desk, waiting: dict, item_code: str) -> None:
	"""From the waiting order's Map Listings button: the shop's unmapped rows; map the one it names."""
	desk.click_button("Map Listings")
	desk.page.wait_for_url(re.compile(DESK_PATH + "/shopee-item-map"))
	rows = desk.get_list("Shopee Item Map", {"shop": waiting["shop"], "sku": UNMAPPED_SKU}, fields=("name",))
	if rows:
		desk.page.locator(f".list-row-container a[data-name='{rows[0]['name']}']").first.click()
		desk.page.wait_for_function("(n) => window.cur_frm && cur_frm.docname === n", arg=rows[0]["name"])
	else:  # the sync noted no row for it: a new one, as a person types it in
		desk.click_button("Add Shopee Item Map")
		desk.page.wait_for_function("() => window.cur_frm && cur_frm.is_new()")
		desk.set_link("shop", waiting["shop"])
		desk.field("item_id").fill(listing_item_id(desk))
		desk.field("model_id").fill("0")
	desk.set_link("item_code", item_code)
	desk.save()


def listing_item_id(desk: Desk) -> str:
	rows = desk.get_list("Shopee Item Map", {"sku": UNMAPPED_SKU}, fields=("item_id",), limit=1)
	assert rows, f"no shop has seen the listing {UNMAPPED_SKU}"
	return rows[0]["item_id"]


def test_mapping_the_listing_and_retrying_books_the_waiting_order(manager: Desk, shops):
	waiting = order_waiting_for_the_unmapped_listing(manager, shops)
	# run-tests draws a sandbox seed that books such an order (browser_tests/sandbox_seed.py)
	assert waiting, f"no order waits for {UNMAPPED_SKU}: run the suite through scripts/run-tests --tier 3"
	order_sn, shop = waiting["name"], waiting["shop"]
	page = manager.goto(f"/app/shopee-waiting-order?shop={shop}")
	page.locator(f".list-row-container a[data-name='{order_sn}']").first.click()
	manager.page.wait_for_function("(n) => window.cur_frm && cur_frm.docname === n", arg=order_sn)
	expect(page.locator(".form-message").filter(has_text=UNMAPPED_SKU)).to_be_visible()

	if not manager.count("Shopee Item Map", {"shop": shop, "sku": UNMAPPED_SKU, "item_code": ["is", "set"]}):
		map_the_listing(manager, waiting, an_item_to_sell_it_as(manager))
	# else an earlier run mapped it but retried another order: this one books on its Retry
	assert manager.get_list(
		"Shopee Item Map", {"shop": shop, "sku": UNMAPPED_SKU, "item_code": ["is", "set"]}
	)

	page = manager.goto(f"/app/shopee-waiting-order?shop={shop}")
	page.locator(f".list-row-checkbox[data-name='{order_sn}']").check()
	manager.menu("Actions", "Retry")
	expect(manager.alert(re.compile(r"\d+ orders queued for retry"))).to_be_visible()
	booked = wait_until(
		lambda: manager.get_list(
			"Sales Order", {"shopee_order_sn": order_sn}, fields=("name", "shopee_shop")
		),
		f"the Sales Order of {order_sn}",
	)
	assert booked[0]["shopee_shop"] == shop
	wait_until(lambda: not manager.count("Shopee Waiting Order", {"name": order_sn}), "the waiting row to go")
	manager.goto(f"/app/shopee-waiting-order?shop={shop}")
	expect(manager.page.locator(f".list-row-checkbox[data-name='{order_sn}']")).to_have_count(0)
	manager.snap("02-waiting-order-booked")


# -- 3. and 4. the shop form's menus ---------------------------------------------------------------


def latest_log(desk: Desk, shop: str, job: str) -> dict | None:
	logs = desk.get_list(
		"Shopee Sync Log",
		{"shop": shop, "job": job},
		fields=("name", "status", "message", "api_calls", *COUNT_FIELDS),
		order_by="creation desc",
		limit=1,
	)
	return logs[0] if logs else None


def run_from_menu(desk: Desk, shop: str, job: str, group: str, item: str, queued: str) -> dict:
	"""Press a menu item that queues a job; wait for the form's "<what>: <status>" result; return its log."""
	before = latest_log(desk, shop, job)
	desk.open_form("Shopee Shop", shop)
	desk.menu(group, item)
	expect(desk.alert(queued)).to_be_visible()
	return expect_sync_result(desk, shop, job, before)


def expect_sync_result(desk: Desk, shop: str, job: str, before: dict | None) -> dict:
	result = desk.page.locator(".modal.show").filter(has=desk.page.locator(".msgprint", has_text=COUNTS))
	expect(result).to_be_visible(timeout=JOB_WAIT_MS)
	log = latest_log(desk, shop, job)
	assert log and log["name"] != (before or {}).get("name"), f"no new {job} log"
	text = result.inner_text()
	assert f"{log['status']}" in result.locator(".modal-title").inner_text()
	assert tuple(map(int, COUNTS.search(text).groups())) == tuple(log[f] for f in COUNT_FIELDS), (text, log)
	assert log["name"] in text
	if log["message"]:
		assert log["message"].splitlines()[0] in text, (log["message"], text)
	return log


def close_result(desk: Desk, name: str) -> None:
	desk.snap(name)
	desk.close_dialog()


def finance_gap_messages(desk: Desk, shop: str) -> list[str]:
	return [gap["message"] for gap in desk.call("shopee_bridge.api.check_finance_setup", shop=shop)]


def test_finance_check_names_each_gap_and_creates_what_it_can(manager: Desk, shops):
	shop = shops[1]  # not yet set up: the other finance flows use the first shop
	gaps = finance_gap_messages(manager, shop)
	assert any("Payout Bank Account" in message for message in gaps), gaps
	page = manager.open_form("Shopee Shop", shop)
	banner = page.locator(".shopee-finance-banner")
	expect(banner).to_contain_text("Finance is not ready")
	assert [item.inner_text().removesuffix(" Fix").strip() for item in banner.locator("li").all()] == gaps
	manager.menu("Finance", "Check Finance Setup")
	dialog = manager.dialog()
	expect(dialog.locator(".modal-title")).to_contain_text(f"{len(gaps)} to fix")
	expect(dialog.locator(".shopee-finance-gaps li")).to_have_count(len(gaps))
	manager.snap("02-finance-check")
	dialog.get_by_role("button", name="Set Up Finance Accounts").click()
	# what can be created is: only the bank account, which needs the seller's bank, is left
	wait_until(lambda: len(finance_gap_messages(manager, shop)) < len(gaps), "Set Up Finance Accounts")
	left = finance_gap_messages(manager, shop)
	assert left and all("Payout Bank Account" in message for message in left), left
	manager.open_form("Shopee Shop", shop)
	expect(page.locator(".shopee-finance-banner li")).to_have_count(len(left))
	manager.snap("02-finance-check-after-setup")


def test_sync_finance_ends_with_its_log_on_the_form(manager: Desk, shops):
	log = run_from_menu(manager, shops[0], "sync_finance", "Finance", "Sync Finance", "Finance sync queued")
	assert log["status"] in ("Success", "Partial") or log["message"], log
	expect(manager.page.locator(".modal.show .modal-title")).to_contain_text("Finance sync")
	close_result(manager, "02-sync-finance")


def test_set_up_finance_accounts_fills_the_shop(manager: Desk, shops):
	page = manager.open_form("Shopee Shop", shops[0])
	manager.menu("Finance", "Set Up Finance Accounts")
	page.wait_for_function(
		"() => !frappe.dom.freeze_count && cur_frm.doc.wallet_account && !cur_frm.is_dirty()"
	)
	shop = manager.get_doc("Shopee Shop", shops[0])
	assert shop["wallet_account"], shop
	fee_types = [row["fee_type"] for row in shop["fee_accounts"]]
	assert fee_types and len(fee_types) == len(set(fee_types)), fee_types
	assert all(row["account"] for row in shop["fee_accounts"]), shop["fee_accounts"]
	companies = {manager.value("Account", row["account"], "company") for row in shop["fee_accounts"]}
	assert companies == {shop["company"]}, companies
	expect(manager.field("wallet_account")).to_have_value(shop["wallet_account"])
	grid_rows = page.locator(".frappe-control[data-fieldname='fee_accounts'] .grid-body .grid-row")
	expect(grid_rows).to_have_count(len(fee_types))
	manager.snap("02-finance-accounts")


def test_payout_reconciliation_opens_for_the_shop(manager: Desk, shops):
	page = manager.open_form("Shopee Shop", shops[0])
	manager.menu("Finance", "Payout Reconciliation")
	page.wait_for_url(re.compile(DESK_PATH + "/query-report/Shopee(%20| )Payout(%20| )Reconciliation"))
	page.wait_for_function(
		"(shop) => frappe.query_report && frappe.query_report.report_name === 'Shopee Payout Reconciliation'"
		" && frappe.query_report.get_filter_value('shop') === shop",
		arg=shops[0],
	)
	# a Link filter shows the shop's title
	shop_name = manager.value("Shopee Shop", shops[0], "shop_name")
	expect(page.locator(".page-form .frappe-control[data-fieldname='shop'] input")).to_have_value(shop_name)
	# the report ran: a table of its rows, or Desk's empty state when the period has none
	page.wait_for_function("() => frappe.query_report.data !== undefined && !frappe.query_report.loading")
	shown = page.locator(".report-wrapper :is(.dt-scrollable, .no-result)").first
	expect(shown).to_be_visible(timeout=60_000)
	manager.snap("02-payout-reconciliation")


def test_import_catalogue_maps_the_shop_listings(manager: Desk, shops):
	before = latest_log(manager, shops[0], "import_catalogue")
	manager.open_form("Shopee Shop", shops[0])
	manager.menu("Catalogue & Stock", "Import Catalogue")
	dialog = manager.dialog()
	expect(dialog.locator(".modal-title")).to_have_text("Import Shopee Catalogue")
	# "Create Items" stays unticked: the site's Items carry the sandbox's SKUs
	expect(dialog.locator("input[data-fieldname='create_items']")).not_to_be_checked()
	dialog.get_by_role("button", name="Import").click()
	expect(manager.alert("Catalogue import queued")).to_be_visible()
	log = expect_sync_result(manager, shops[0], "import_catalogue", before)
	assert log["status"] in ("Success", "Partial"), log
	assert log["created_count"] + log["updated"] > 0, log
	rows = manager.get_list("Shopee Item Map", {"shop": shops[0]}, fields=("name", "item_code"))
	assert len(rows) >= log["created_count"] + log["updated"], (len(rows), log)
	assert any(row["item_code"] for row in rows), "the import matched no listing to an Item by SKU"
	assert manager.value("Shopee Shop", shops[0], "last_catalogue_import")
	close_result(manager, "02-import-catalogue")


def set_push_stock(desk: Desk, shop: str, on: bool) -> None:
	desk.open_form("Shopee Shop", shop)
	checkbox = desk.field("push_stock")
	checkbox.set_checked(on)
	desk.save()
	assert bool(desk.value("Shopee Shop", shop, "push_stock")) == on


def test_push_stock_now_pushes_what_is_due(manager: Desk, shops):
	pushing = bool(manager.value("Shopee Shop", shops[0], "push_stock"))
	if not pushing:
		manager.open_form("Shopee Shop", shops[0])
		manager.menu("Catalogue & Stock", "Push Stock Now")
		assert "Turn on Push Stock to Shopee" in manager.msgprint_text()
		manager.close_dialog()
		set_push_stock(manager, shops[0], True)  # which makes every mapped row due
	try:
		calls_before = len(manager.sandbox_calls())
		log = run_from_menu(
			manager, shops[0], "push_stock", "Catalogue & Stock", "Push Stock Now", "Stock push queued"
		)
		assert log["status"] in ("Success", "Partial"), log
		expect(manager.page.locator(".modal.show .modal-title")).to_contain_text("Stock push")
		updates = [
			call
			for call in manager.sandbox_calls()[calls_before:]
			if call["path"].endswith("/product/update_stock") and call["query"].get("shop_id") == shops[0]
		]
		# a pushed row is an update_stock call; rows Shopee must not get (non-stock Items) are skipped
		assert bool(updates) == bool(log["updated"]), (len(updates), log)
		assert len(updates) <= log["api_calls"], log
		close_result(manager, "02-push-stock")
	finally:
		if not pushing:
			set_push_stock(manager, shops[0], False)


def test_reconcile_stock_compares_the_shop(manager: Desk, shops):
	log = run_from_menu(
		manager,
		shops[0],
		"reconcile_stock",
		"Catalogue & Stock",
		"Reconcile Stock",
		"Stock reconciliation queued",
	)
	assert log["status"] in ("Success", "Partial"), log
	assert re.match(r"\d+ compared, \d+ drifted, \d+ corrected", log["message"] or ""), log
	expect(manager.page.locator(".modal.show .modal-title")).to_contain_text("Stock reconciliation")
	assert manager.value("Shopee Shop", shops[0], "last_stock_reconcile")
	close_result(manager, "02-reconcile-stock")


def test_item_map_lists_the_shop_rows(manager: Desk, shops):
	page = manager.open_form("Shopee Shop", shops[0])
	manager.menu("Catalogue & Stock", "Item Map")
	page.wait_for_url(re.compile(DESK_PATH + rf"/shopee-item-map\?shop={shops[0]}"))
	checkboxes = page.locator(".result .list-row-checkbox[data-name]")
	expect(checkboxes.first).to_be_visible()
	names = [box.get_attribute("data-name") for box in checkboxes.all()]
	total = manager.count("Shopee Item Map", {"shop": shops[0]})
	assert len(names) == min(total, 20), (len(names), total)
	others = manager.get_list("Shopee Item Map", {"name": ["in", names], "shop": ["!=", shops[0]]})
	assert not others, others
	expect(page.locator(".filter-selector .filter-label, .filter-x-button").first).to_be_visible()
	manager.snap("02-item-map")
