"""A Sales User works with the Shopee Sales Orders but sees no Shopee action, and typed URLs say why."""

from conftest import Desk
from playwright.sync_api import expect


def shopee_sales_order(desk: Desk, shop: str) -> str:
	orders = desk.get_list(
		"Sales Order", {"shopee_shop": shop, "docstatus": 1}, order_by="creation desc", limit=1
	)
	assert orders, f"no submitted Sales Order of shop {shop}: test_01 syncs them"
	return orders[0]["name"]


def test_sales_order_form_has_no_shopee_actions(sales_user: Desk, manager: Desk, shops):
	name = shopee_sales_order(manager, shops[0])
	# the manager sees the Shopee group on the same order
	manager.open_form("Sales Order", name)
	expect(manager.button("Shopee")).to_be_visible()
	page = sales_user.open_form("Sales Order", name)
	customer = manager.value("Sales Order", name, "customer_name")
	expect(page.locator(".page-head:visible .page-title")).to_contain_text(customer)
	expect(sales_user.button("Shopee")).to_have_count(0)
	for label in ("Re-sync from Shopee", "Ship on Shopee", "Get Shipping Label"):
		expect(page.get_by_text(label, exact=True)).to_have_count(0)
	sales_user.snap("05-sales-user-sales-order")


def test_sales_order_list_has_no_shopee_bulk_actions(sales_user: Desk, shops):
	page = sales_user.goto("/app/sales-order?shopee_shop=" + shops[0])
	page.locator(".list-row-checkbox").first.check()
	sales_user.button("Actions").click()
	menu = page.locator(".page-head:visible .dropdown-menu.show")
	expect(menu).to_be_visible()
	expect(menu.get_by_text("Ship on Shopee", exact=True)).to_have_count(0)
	expect(menu.get_by_text("Print Shopee Labels", exact=True)).to_have_count(0)
	sales_user.snap("05-sales-user-list-actions")
	page.keyboard.press("Escape")


def test_shop_typed_by_hand_is_refused_with_a_message(sales_user: Desk, shops):
	page = sales_user.page
	page.goto(f"{sales_user.site.url}/app/shopee-shop/{shops[0]}")
	# Frappe's own answer for a DocType the user may not read
	sales_user.expect_route_refused()
	assert "Sandbox Shop" not in page.content()
	sales_user.snap("05-sales-user-shop-refused")


def test_connect_link_typed_by_hand_says_who_may(sales_user: Desk):
	page = sales_user.page
	response = page.goto(f"{sales_user.site.url}/api/method/shopee_bridge.api.connect_shop_redirect")
	assert response.status == 403
	expect(page.get_by_text("Only a Shopee Manager can do this.")).to_be_visible()
	expect(page.get_by_text("Not permitted")).to_be_visible()
	sales_user.snap("05-sales-user-connect-refused")


def test_a_shopee_method_called_directly_is_refused_and_does_nothing(sales_user: Desk, manager: Desk, shops):
	sales_user.goto("/app/sales-order")
	before = manager.count("Shopee Sync Log", {"shop": shops[0]})
	response = sales_user.context.request.post(
		f"{sales_user.site.url}/api/method/shopee_bridge.api.sync_orders_api",
		form={"shop": shops[0]},
		headers=sales_user._csrf(),
	)
	assert response.status == 403, response.text()[:300]
	assert manager.count("Shopee Sync Log", {"shop": shops[0]}) == before
	sales_user.snap("05-sales-user-method-refused")
