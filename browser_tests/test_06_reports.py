"""The reports a Shopee manager reads in Desk, and an integrity report made, opened and verified from Desk."""

from datetime import date, timedelta

from conftest import Desk, wait_until
from playwright.sync_api import expect

PAYOUT_REPORT = "Shopee Payout Reconciliation"
OVERVIEW_REPORT = "Shopee Shop Overview"
PAYOUT_PERIOD_DAYS = 90
INTEGRITY_PERIOD_DAYS = 14


# -- query reports ---------------------------------------------------------------------------------


def wait_for_report_rows(desk: Desk):
	"""The report's datatable once the query has run; returns its body rows."""
	desk.page.wait_for_function(
		"() => frappe.query_report && frappe.query_report.datatable && !frappe.query_report.loading"
	)
	rows = desk.page.locator(".report-wrapper .dt-scrollable .dt-row")
	expect(rows.first).to_be_visible()
	return rows


def report_cell(desk: Desk, row_text: str, column: str):
	"""The cell of the column (by its heading) in the row showing row_text."""
	header = desk.page.locator(".report-wrapper .dt-header .dt-cell--header").filter(has_text=column)
	index = header.first.get_attribute("data-col-index")
	row = desk.page.locator(".report-wrapper .dt-scrollable .dt-row").filter(has_text=row_text)
	expect(row).to_have_count(1)
	return row.locator(f".dt-cell[data-col-index='{index}'] .dt-cell__content")


def summary_value(desk: Desk, label: str) -> str:
	item = desk.page.locator(".report-summary .summary-item").filter(
		has=desk.page.locator(".summary-label", has_text=label)
	)
	return item.first.locator(".summary-value").inner_text().strip()


def test_payout_reconciliation_counts_the_invoiced_orders(manager: Desk, shops):
	shop = shops[0]
	manager.open_form("Shopee Shop", shop)
	manager.menu("Finance", "Payout Reconciliation")
	page = manager.page
	page.wait_for_url(f"**/query-report/{PAYOUT_REPORT.replace(' ', '%20')}**")
	filters = page.locator(".page-form")
	shop_name = manager.value("Shopee Shop", shop, "shop_name")
	expect(filters.locator(".frappe-control[data-fieldname='shop'] input")).to_have_value(shop_name)
	assert page.evaluate("frappe.query_report.get_filter_value('shop')") == shop
	# the report first runs with its default period: dates typed before that run ends are reset to it
	page.wait_for_function(
		"() => frappe.query_report && frappe.query_report.data !== undefined && !frappe.query_report.loading"
	)
	period = (date.today() - timedelta(days=PAYOUT_PERIOD_DAYS), date.today())
	manager.set_date(filters, "from_date", period[0])
	manager.set_date(filters, "to_date", period[1])
	page.wait_for_function(
		"(from) => frappe.query_report && frappe.query_report.get_filter_value('from_date') === from",
		arg=period[0].isoformat(),
	)
	rows = wait_for_report_rows(manager)
	assert rows.count() > 0
	invoices = manager.count(
		"Sales Invoice",
		{
			"shopee_shop": shop,
			"docstatus": 1,
			"is_return": 0,
			"posting_date": ["between", [d.isoformat() for d in period]],
		},
	)
	assert invoices > 0, "test_01 syncs orders whose invoices fall in the period"
	expect(page.locator(".report-summary")).to_contain_text("Orders")
	wait_until(lambda: summary_value(manager, "Orders") == str(invoices), "the summary's order count", 60)
	manager.snap("06-payout-reconciliation")


def test_shop_overview_shows_each_shop_as_its_documents_say(manager: Desk, shops):
	manager.goto(f"/app/query-report/{OVERVIEW_REPORT}")
	rows = wait_for_report_rows(manager)
	assert rows.count() >= len(shops)
	for shop in shops:
		doc = manager.get_doc("Shopee Shop", shop)
		waiting = manager.count("Shopee Waiting Order", {"shop": shop})
		expect(report_cell(manager, doc["shop_name"], "Connection")).to_have_text(doc["status"])
		expect(report_cell(manager, doc["shop_name"], "Orders Waiting")).to_have_text(str(waiting))
	manager.snap("06-shop-overview")


# -- the integrity report --------------------------------------------------------------------------


def test_integrity_report_from_the_shop_form(manager: Desk, shops):
	shop = shops[0]
	period = (date.today() - timedelta(days=INTEGRITY_PERIOD_DAYS), date.today() - timedelta(days=1))
	earlier = {row["name"] for row in manager.get_list("Shopee Integrity Report", {"shop": shop})}
	request_integrity_report(manager, shop, period)
	name = wait_until(lambda: new_report(manager, shop, period, earlier), "the integrity report job")
	page = manager.open_form("Shopee Integrity Report", name)
	doc = manager.get_doc("Shopee Integrity Report", name)
	assert doc["html_file"] and doc["html_sha256"], doc
	title = f"Shopee integrity report: shop {shop}, {period[0].isoformat()} to {period[1].isoformat()}"

	# the browser downloads the private HTML file in a new tab: catch its request and fetch the file
	with manager.context.expect_event("request", lambda request: doc["html_file"] in request.url) as opened:
		manager.click_button("Open Summary")
	fetched = manager.context.request.get(opened.value.url)
	assert fetched.ok, fetched.status
	assert title in fetched.text(), fetched.text()[:500]
	for popup in manager.context.pages[1:]:
		popup.close()

	manager.click_button("Verify Digests")
	expect(page.locator(".modal.show .modal-title")).to_have_text("Unchanged")
	assert "still match" in manager.msgprint_text()
	manager.snap("06-integrity-report-verified")
	manager.close_dialog()


def request_integrity_report(desk: Desk, shop: str, period: tuple[date, date]) -> None:
	desk.open_form("Shopee Shop", shop)
	desk.menu("Finance", "Make Integrity Report")
	dialog = desk.dialog()
	expect(dialog).to_contain_text("Shopee Integrity Report")
	desk.set_date(dialog, "from_date", period[0])
	desk.set_date(dialog, "to_date", period[1])
	dialog.get_by_role("button", name="Create").click()
	expect(desk.alert("Integrity report queued")).to_be_visible()


def new_report(desk: Desk, shop: str, period: tuple[date, date], earlier: set[str]) -> str | None:
	reports = desk.get_list(
		"Shopee Integrity Report",
		{"shop": shop, "date_from": period[0].isoformat(), "date_to": period[1].isoformat()},
		fields=("name", "html_file"),
	)
	made = [row for row in reports if row["name"] not in earlier and row["html_file"]]
	return made[0]["name"] if made else None
