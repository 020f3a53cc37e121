"""Log in, connect both sandbox shops from Desk, and sync their orders from the shop form."""

import re

from conftest import DESK_PATH, Desk, Site, wait_until
from playwright.sync_api import expect

COUNTS = re.compile(r"fetched (\d+), created (\d+), updated (\d+), skipped (\d+), failed (\d+)")


def test_login_page_lands_in_desk(browser, site: Site):
	context = browser.new_context()
	page = context.new_page()
	page.goto(f"{site.url}/login")
	page.fill("#login_email", site.manager["usr"])
	page.fill("#login_password", site.manager["pwd"])
	page.locator(".btn-login:visible").first.click()
	page.wait_for_url(re.compile(DESK_PATH + r"(/|$)"))
	page.wait_for_function("() => window.frappe && frappe.session && frappe.session.user !== 'Guest'")
	assert page.evaluate("frappe.session.user") == site.manager["usr"]
	page.screenshot(path=str(site.output / "01-login.png"))
	context.close()


def authorize_in_sandbox(desk: Desk, page, shop_id: str) -> None:
	"""Shopee's authorization page: pick the shop, confirm; Shopee sends the browser back to Desk."""
	expect(page.get_by_role("button", name="Confirm Authorization")).to_be_visible()
	page.check(f"input[name=sandbox_shop_id][value='{shop_id}']")
	page.get_by_role("button", name="Confirm Authorization").click()
	page.wait_for_url(re.compile(DESK_PATH + rf"/shopee-shop/{shop_id}\?shopee_connected=1"))


def expect_connected(desk: Desk, page, shop_id: str) -> None:
	page.wait_for_function("(name) => window.cur_frm && cur_frm.docname === name", arg=shop_id)
	expect(page.locator("#alert-container").get_by_text("Shop connected to Shopee")).to_be_visible()
	shop = desk.get_doc("Shopee Shop", shop_id)
	assert shop["status"] == "Connected", shop["status"]
	assert shop["shop_id"] == shop_id or str(shop.get("shop_id")) == shop_id
	for secret in ("access_token", "refresh_token"):
		assert shop.get(secret) in (None, "", "*" * len(shop.get(secret) or "")), f"{secret} leaks to Desk"


def test_connect_first_shop_from_the_workspace(manager: Desk, shops):
	"""Workspace shortcut → the sandbox's authorization page → back on the new shop, Connected."""
	page = manager.goto("/app/shopee-bridge")
	tab = manager.open_shortcut("Connect to Shopee")
	tab.wait_for_url(re.compile(re.escape(manager.site.sandbox_url)))
	authorize_in_sandbox(manager, tab, shops[0])
	expect_connected(manager, tab, shops[0])
	tab.screenshot(path=str(manager.site.output / "01-connected-from-workspace.png"), full_page=True)
	if tab is not page:
		tab.close()


def test_connect_second_shop_from_settings(manager: Desk, shops):
	"""Shopee Settings → Connect to Shopee, in the same tab."""
	page = manager.open_form("Shopee Settings", "Shopee Settings")
	manager.click_button("Connect to Shopee")
	authorize_in_sandbox(manager, page, shops[1])
	expect_connected(manager, page, shops[1])
	manager.snap("01-connected-from-settings")


def test_shop_gets_its_receivable_account_on_the_form(manager: Desk, shops):
	for shop_id in shops:
		currency = manager.value("Shopee Shop", shop_id, "currency")
		accounts = manager.get_list(
			"Account", {"account_type": "Receivable", "account_currency": currency, "is_group": 0}
		)
		assert accounts, f"site_setup made no receivable account in {currency}"
		manager.open_form("Shopee Shop", shop_id)
		manager.set_link("shopee_receivable_account", accounts[0]["name"])
		manager.save()
		assert manager.value("Shopee Shop", shop_id, "shopee_receivable_account") == accounts[0]["name"]
	manager.snap("01-receivable-account")


def test_test_connection_shows_the_shop(manager: Desk, shops):
	manager.open_form("Shopee Shop", shops[0])
	manager.click_button("Test Connection")
	text = manager.msgprint_text()
	shop = manager.get_doc("Shopee Shop", shops[0])
	assert shop["shop_name"] in text and shop["region"] in text, text
	manager.snap("01-test-connection")
	manager.close_dialog()


def latest_log(desk: Desk, shop: str, job: str) -> dict | None:
	logs = desk.get_list(
		"Shopee Sync Log",
		{"shop": shop, "job": job},
		fields=("name", "status", "fetched", "created_count", "updated", "skipped", "failed"),
		order_by="creation desc",
		limit=1,
	)
	return logs[0] if logs else None


def test_sync_orders_shows_progress_and_ends_with_the_counts(manager: Desk, shops):
	for shop_id in shops:
		page = manager.open_form("Shopee Shop", shop_id)
		before = latest_log(manager, shop_id, "sync_incremental_orders")
		first_sync = not manager.value("Shopee Shop", shop_id, "orders_synced_until")
		manager.click_button("Sync Orders")
		expect(manager.alert("Order sync queued")).to_be_visible()
		if first_sync:
			# the realtime progress bar of a first sync (its 70 days are five 15-day windows)
			progress = page.locator(".modal.show").filter(has_text="Shopee order sync")
			expect(progress.locator(".progress-bar")).to_be_visible(timeout=120_000)
		result = page.locator(".modal.show .msgprint").filter(has_text=COUNTS)
		expect(result).to_be_visible(timeout=300_000)
		fetched, created, updated, skipped, failed = map(int, COUNTS.search(result.inner_text()).groups())
		log = latest_log(manager, shop_id, "sync_incremental_orders")
		assert log and log["name"] != (before or {}).get("name")
		assert (fetched, created, updated, skipped, failed) == (
			log["fetched"],
			log["created_count"],
			log["updated"],
			log["skipped"],
			log["failed"],
		)
		assert fetched > 0 and created > 0, log
		booked = manager.count("Sales Order", {"shopee_shop": shop_id, "docstatus": ["<", 2]})
		assert booked >= created, (booked, log)
		manager.snap(f"01-sync-orders-{shop_id}")
		manager.close_dialog()


def test_sync_returns_from_the_shop_form(manager: Desk, shops):
	manager.open_form("Shopee Shop", shops[0])
	before = latest_log(manager, shops[0], "sync_incremental_returns")
	manager.click_button("Sync Returns")
	expect(manager.alert("Returns sync queued")).to_be_visible()
	result = manager.page.locator(".modal.show .msgprint").filter(has_text=COUNTS)
	expect(result).to_be_visible(timeout=180_000)
	log = wait_until(
		lambda: (
			(latest_log(manager, shops[0], "sync_incremental_returns") or {}).get("name")
			!= (before or {}).get("name")
			and latest_log(manager, shops[0], "sync_incremental_returns")
		),
		"the returns sync's log",
	)
	assert log["status"] in ("Success", "Partial"), log
	assert f"fetched {log['fetched']}" in result.inner_text()
	manager.snap("01-sync-returns")
	manager.close_dialog()
