"""Tier 3: Desk in a real browser (Playwright driving Debian's chromium) against a running site.

scripts/run-tests starts the site's web server, a worker, the realtime server and the Shopee sandbox,
runs browser_tests/site_setup.py in the site, and then this suite with:
	SHOPEE_BRIDGE_WEB_URL      the site's web server
	SHOPEE_BRIDGE_SANDBOX_URL  the Shopee sandbox the site's Shopee Settings point at
	SHOPEE_BRIDGE_BROWSER_USERS  the file whose `BROWSER_USERS {json}` line has the users' passwords
	SHOPEE_BRIDGE_CHROMIUM     the browser (default /usr/bin/chromium)
	SHOPEE_BRIDGE_OUTPUT       where screenshots go (each flow's end state; a failing test's page)
Modules run in name order: test_01 connects and syncs the shops the later ones work on.
"""

import json
import os
import re
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import APIResponse, Browser, BrowserContext, Page, expect, sync_playwright

DEFAULT_TIMEOUT_MS = 30_000
WEBHOOK = "/api/method/shopee_bridge.api.webhook_live"
# Desk's routes: /app/... on Frappe v15, /desk/... on v16 (where /app/... redirects there)
DESK_PATH = r"/(?:app|desk)"
JOB_TIMEOUT_S = 300


def _env(name: str, default: str | None = None) -> str:
	value = os.environ.get(name, default)
	if not value:
		pytest.exit(f"{name} is not set: run the browser tier through scripts/run-tests --tier 3", 2)
	return value


def _users() -> dict:
	text = Path(_env("SHOPEE_BRIDGE_BROWSER_USERS")).read_text()
	lines = [line for line in text.splitlines() if line.startswith("BROWSER_USERS ")]
	if not lines:
		pytest.exit("browser_tests/site_setup.py printed no BROWSER_USERS line", 2)
	return json.loads(lines[-1].removeprefix("BROWSER_USERS "))


class Site:
	def __init__(self):
		self.url = _env("SHOPEE_BRIDGE_WEB_URL").rstrip("/")
		self.sandbox_url = _env("SHOPEE_BRIDGE_SANDBOX_URL").rstrip("/")
		self.chromium = os.environ.get("SHOPEE_BRIDGE_CHROMIUM") or "/usr/bin/chromium"
		self.output = Path(os.environ.get("SHOPEE_BRIDGE_OUTPUT") or "test-output/browser")
		self.output.mkdir(parents=True, exist_ok=True)
		users = _users()
		self.manager = users["manager"]
		self.sales_user = users["sales_user"]
		self.shop_ids = list(users["shop_ids"])


@pytest.fixture(scope="session")
def site() -> Site:
	return Site()


@pytest.fixture(scope="session")
def browser(site: Site):
	with sync_playwright() as playwright:
		browser = playwright.chromium.launch(
			executable_path=site.chromium, headless=True, args=["--no-sandbox", "--disable-dev-shm-usage"]
		)
		yield browser
		browser.close()


class Desk:
	"""One user's Desk: the page a person looks at, and the documents behind it (REST, as that user)."""

	def __init__(self, site: Site, context: BrowserContext, user: dict):
		self.site = site
		self.context = context
		self.user = user
		self.page: Page = context.new_page()
		self.page.set_default_timeout(DEFAULT_TIMEOUT_MS)
		self.console_errors: list[str] = []
		self.page.on("pageerror", lambda error: self.console_errors.append(str(error)))

	# -- the page ----------------------------------------------------------------------------------

	def goto(self, route: str) -> Page:
		"""Open a Desk route (/app/...) and wait until Frappe has drawn the page."""
		self.page.goto(f"{self.site.url}{route}")
		self.page.wait_for_function("() => window.frappe && frappe.boot && !frappe.dom.freeze_count")
		self.page.wait_for_load_state("networkidle")
		return self.page

	def open_form(self, doctype: str, name: str) -> Page:
		self.goto(f"/app/{slug(doctype)}/{quote(name, safe='')}")
		self.page.wait_for_function(
			"([dt, dn]) => window.cur_frm && cur_frm.doctype === dt && cur_frm.docname === dn"
			" && !cur_frm.is_dirty() && cur_frm.page.wrapper.is(':visible')",
			arg=[doctype, name],
		)
		return self.page

	def open_shortcut(self, label: str) -> Page:
		"""Click a workspace shortcut; returns the page it opened. Desk opens a URL shortcut in the same
		tab on v15 and in a new one on v16."""
		opened: list[Page] = []

		def on_page(new_page: Page) -> None:
			opened.append(new_page)

		start = self.page.url
		self.context.on("page", on_page)
		try:
			self.page.locator(".shortcut-widget-box").filter(has_text=label).first.click()
			wait_until(
				lambda: opened or self.page.url != start,
				f"the workspace shortcut {label!r} to open a page",
				timeout=DEFAULT_TIMEOUT_MS / 1000,
				every=0.2,
				page=self.page,
			)
		finally:
			self.context.remove_listener("page", on_page)
		if opened:
			opened[0].set_default_timeout(DEFAULT_TIMEOUT_MS)
			opened[0].wait_for_load_state()
			return opened[0]
		return self.page

	def button(self, label: str):
		"""A button of the page head (a form's custom button, a list's primary action)."""
		return self.page.locator(".page-head:visible").get_by_role("button", name=label, exact=True)

	def click_button(self, label: str) -> None:
		self.button(label).click()

	def menu(self, group: str, item: str) -> None:
		"""A custom button inside a group (the form's Finance, Shopee, ... dropdowns)."""
		self.button(group).click()
		self.page.locator(".page-head:visible .dropdown-menu.show").get_by_text(item, exact=True).click()

	def reveal(self, fieldname: str) -> None:
		"""Bring a form field into view as a person does: click its tab, then its collapsed section's
		heading. (A tab is a link on v15 and a button on v16: both name their pane in aria-controls.)"""
		control = self.page.locator(f".frappe-control[data-fieldname='{fieldname}']").first
		tab = control.evaluate("(el) => el.closest('.tab-pane') && el.closest('.tab-pane').id")
		if tab:
			link = self.page.locator(f".form-tabs-list [role=tab][aria-controls='{tab}']")
			if link.count() and "active" not in (link.first.get_attribute("class") or ""):
				link.first.click()
		section = self.page.locator(f".form-section:has(.frappe-control[data-fieldname='{fieldname}'])")
		heading = section.locator(".section-head.collapsed")
		if heading.count():
			heading.first.click()

	def field(self, fieldname: str):
		"""A form field's input (its tab and collapsed section opened first)."""
		self.reveal(fieldname)
		return self.page.locator(
			f".frappe-control[data-fieldname='{fieldname}'] :is(input, select, textarea):visible"
		)

	def shown_value(self, fieldname: str):
		"""A read-only field's value as the form shows it (its tab and collapsed section opened first)."""
		self.reveal(fieldname)
		return self.page.locator(f".frappe-control[data-fieldname='{fieldname}'] .control-value:visible")

	def set_link(self, fieldname: str, value: str) -> None:
		"""Type into a form's Link field and pick the value from its dropdown. (The field then shows the
		linked document's title where its DocType shows titles in links: the form holds its name.)"""
		field = self.field(fieldname)
		field.click()
		field.fill(value)
		self.page.locator(".awesomplete [role=option]:visible").filter(has_text=value).first.click()
		self.page.wait_for_function("([f, v]) => cur_frm.doc[f] === v", arg=[fieldname, value])

	def set_date(self, scope, fieldname: str, value) -> None:
		"""Type a date (a datetime.date) into a date field of scope (a dialog, a report's filters) the way
		the user's date format shows it, then leave the field. Not with Escape: on v16 it closes the
		dialog the field is in."""
		shown = self.page.evaluate("(iso) => frappe.datetime.str_to_user(iso)", value.isoformat())
		field = scope.locator(f".frappe-control[data-fieldname='{fieldname}'] input")
		field.fill(shown)
		field.blur()
		expect(field).to_have_value(shown)
		expect(self.page.locator(".datepicker.active")).to_have_count(0)

	def expect_route_refused(self) -> None:
		"""Desk's own answer to a route the user may not read: "Not found" on v15; on v16, which then
		looks for a Page of that name, "Not permitted"."""
		dialog = self.page.locator(".modal.show")
		expect(dialog).to_contain_text(re.compile(r"Not found|Not permitted"))
		expect(dialog).to_contain_text(re.compile(r"not available|No permission"))

	def save(self) -> None:
		self.page.keyboard.press("Control+s")
		self.page.wait_for_function("() => cur_frm && !cur_frm.is_dirty() && !cur_frm.save_disabled")
		expect(self.alert("Saved")).to_be_visible()

	def alert(self, pattern: str | re.Pattern):
		"""The green/blue toast Desk shows (frappe.show_alert)."""
		return self.page.locator("#alert-container .alert-message").filter(has_text=pattern)

	def dialog(self):
		return self.page.locator(".modal.show").last

	def msgprint_text(self) -> str:
		message = self.page.locator(".modal.show .msgprint").last
		expect(message).to_be_visible()
		return message.inner_text()

	def close_dialog(self) -> None:
		self.page.locator(".modal.show .btn-modal-close:visible").last.click()
		expect(self.page.locator(".modal.show")).to_have_count(0)

	def snap(self, name: str) -> Path:
		"""Keep a screenshot of a flow's end state."""
		path = self.site.output / f"{name}.png"
		self.page.screenshot(path=str(path), full_page=True)
		return path

	# -- the documents behind it -------------------------------------------------------------------

	def get_list(self, doctype: str, filters=None, fields=("name",), order_by=None, limit=0) -> list[dict]:
		params = {
			"doctype": doctype,
			"filters": json.dumps(filters or {}),
			"fields": json.dumps(list(fields)),
			"limit_page_length": limit,
		}
		if order_by:
			params["order_by"] = order_by
		return self.call("frappe.client.get_list", http="GET", **params)

	def count(self, doctype: str, filters=None) -> int:
		return self.call(
			"frappe.client.get_count", http="GET", doctype=doctype, filters=json.dumps(filters or {})
		)

	def get_doc(self, doctype: str, name: str) -> dict:
		response = self.context.request.get(
			f"{self.site.url}/api/resource/{quote(doctype)}/{quote(name, safe='')}"
		)
		assert response.ok, f"GET {doctype} {name}: {response.status} {response.text()[:500]}"
		return response.json()["data"]

	def value(self, doctype: str, name: str, field: str):
		return self.get_doc(doctype, name).get(field)

	def call(self, method: str, http: str = "POST", **args):
		"""Call a whitelisted method as this user, as Desk's frappe.call does."""
		url = f"{self.site.url}/api/method/{method}"
		if http == "GET":
			response = self.context.request.get(url, params=args)
		else:
			response = self.context.request.post(url, form=args, headers=self._csrf())
		assert response.ok, f"{method}: {response.status} {response.text()[:800]}"
		return response.json().get("message")

	# -- the sandbox ("Shopee") ----------------------------------------------------------------------

	def sandbox_post(self, control: str, body: dict) -> APIResponse:
		"""A sandbox control (/_sandbox/...): what a buyer, a carrier or Shopee itself does meanwhile."""
		return self.context.request.post(f"{self.site.sandbox_url}/_sandbox/{control}", data=body)

	def sandbox_control(self, control: str, body: dict) -> dict:
		"""A sandbox control that must succeed; its answer."""
		response = self.sandbox_post(control, body)
		assert response.ok, f"sandbox {control}: {response.status} {response.text()[:300]}"
		return response.json()

	def shopee_push(self, code: int, shop_id: str, data: dict) -> None:
		"""Shopee pushes to the site's webhook, signed with the partner key; the site must accept it."""
		push = {"url": self.site.url + WEBHOOK, "code": code, "shop_id": int(shop_id), "data": data}
		answer = self.sandbox_control("push", push)
		assert answer["status"] == 200, answer

	def sandbox_calls(self) -> list[dict]:
		"""Every call the app made to the sandbox so far, oldest first."""
		response = self.context.request.get(f"{self.site.sandbox_url}/_sandbox/calls")
		assert response.ok, f"sandbox calls: {response.status} {response.text()[:300]}"
		return response.json()["calls"]

	def _csrf(self) -> dict:
		try:
			token = self.page.evaluate("() => window.frappe && frappe.csrf_token")
		except Exception:
			token = None
		return {"X-Frappe-CSRF-Token": token} if token else {}


def slug(doctype: str) -> str:
	return doctype.lower().replace(" ", "-")


def wait_until(
	predicate, what: str, timeout: float = JOB_TIMEOUT_S, every: float = 1.0, page: Page | None = None
):
	"""Poll until predicate() is truthy (background jobs run in the site's worker); returns its value.

	Give the page when predicate() reads what a page event handler collects: Playwright hands
	events over only while it is called, so the wait then goes through the page, not time.sleep."""
	deadline = time.monotonic() + timeout
	while True:
		value = predicate()
		if value:
			return value
		if time.monotonic() > deadline:
			raise AssertionError(f"waited {timeout:.0f} s for {what}")
		if page is None:
			time.sleep(every)
		else:
			page.wait_for_timeout(every * 1000)


def login(browser: Browser, site: Site, user: dict) -> BrowserContext:
	"""A browser context logged in as user (the login page itself is tested in test_01)."""
	context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
	response = context.request.post(f"{site.url}/api/method/login", form=user)
	assert response.ok, f"login as {user['usr']}: {response.status} {response.text()[:300]}"
	return context


_open_desks: list[Desk] = []


def _desk(browser: Browser, site: Site, user: dict):
	context = login(browser, site, user)
	desk = Desk(site, context, user)
	_open_desks.append(desk)
	yield desk
	_open_desks.remove(desk)
	context.close()


@pytest.fixture(scope="module")
def manager(browser: Browser, site: Site):
	"""The seller's Shopee manager in Desk."""
	yield from _desk(browser, site, site.manager)


@pytest.fixture(scope="module")
def sales_user(browser: Browser, site: Site):
	"""A Sales User: sees Sales Orders, must see no Shopee action."""
	yield from _desk(browser, site, site.sales_user)


@pytest.fixture(scope="session")
def shops(site: Site) -> list[str]:
	return site.shop_ids


def pytest_sessionstart(session):
	"""A run's failure screenshots replace the last run's (a passing test leaves none)."""
	output = os.environ.get("SHOPEE_BRIDGE_OUTPUT")
	if output and Path(output).is_dir():
		for old in Path(output).glob("FAILED-*.png"):
			old.unlink()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
	outcome = yield
	report = outcome.get_result()
	if report.when != "call" or not report.failed:
		return
	for index, desk in enumerate(_open_desks):
		path = desk.site.output / f"FAILED-{item.name}-{index}.png"
		try:
			desk.page.screenshot(path=str(path), full_page=True)
		except Exception as error:
			report.sections.append(("screenshot", f"could not take one: {error}"))
			continue
		errors = "; ".join(desk.console_errors[-5:])
		report.sections.append(("screenshot", f"{path}" + (f"\npage errors: {errors}" if errors else "")))
		print(f"\nscreenshot of the failing page: {path}")
