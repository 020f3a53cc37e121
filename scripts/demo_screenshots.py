"""The end of scripts/demo: what a newcomer sees in Desk, as screenshots (Playwright, Debian's chromium).

	python scripts/demo_screenshots.py --url URL --user Administrator --password PWD --out DIR
Prints the path of each screenshot: the Shopee Bridge workspace (once its charts have drawn) and the
Sales Order list.
"""

import argparse
import os
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

PAGES = (
	("workspace", "/app/shopee-bridge"),
	("sales-orders", "/app/sales-order?shopee_order_sn=%5B%22is%22%2C%22set%22%5D"),
)
CHART_TIMEOUT_MS = 60_000
DRAW_MS = 1_500  # frappe-charts animates its bars and lines in


def parse_args() -> argparse.Namespace:
	parser = argparse.ArgumentParser(description=__doc__)
	parser.add_argument("--url", required=True)
	parser.add_argument("--user", default="Administrator")
	parser.add_argument("--password", required=True)
	parser.add_argument("--out", required=True)
	parser.add_argument("--chromium", default=os.environ.get("SHOPEE_BRIDGE_CHROMIUM", "/usr/bin/chromium"))
	return parser.parse_args()


def wait_for_desk(page) -> None:
	page.wait_for_function("() => window.frappe && frappe.boot && !frappe.dom.freeze_count")
	page.wait_for_load_state("networkidle")


def wait_for_charts(page, answered: list) -> None:
	"""Dashboard charts and number cards load after the page (charts draw an empty frame first): wait
	until every chart's data has come back and drawn, and no card still says Loading."""
	page.wait_for_selector(".dashboard-widget-box", timeout=CHART_TIMEOUT_MS)
	charts = page.locator(".dashboard-widget-box").count()
	deadline = time.monotonic() + CHART_TIMEOUT_MS / 1000
	while len(answered) < charts and time.monotonic() < deadline:
		page.wait_for_timeout(250)
	page.wait_for_function(
		"(n) => document.querySelectorAll('.dashboard-widget-box svg.frappe-chart').length >= n"
		" && ![...document.querySelectorAll('.number-widget-box')].some(c => /Loading/.test(c.innerText))",
		arg=charts,
		timeout=CHART_TIMEOUT_MS,
	)
	page.wait_for_timeout(DRAW_MS)


def main() -> None:
	args = parse_args()
	out = Path(args.out)
	out.mkdir(parents=True, exist_ok=True)
	with sync_playwright() as playwright:
		browser = playwright.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
		context = browser.new_context(viewport={"width": 1440, "height": 1000})
		login = context.request.post(
			f"{args.url}/api/method/login", form={"usr": args.user, "pwd": args.password}
		)
		if not login.ok:
			raise SystemExit(f"demo: cannot log in as {args.user} for the screenshots ({login.status})")
		page = context.new_page()
		answered = []
		page.on(
			"response", lambda r: "dashboard_chart.dashboard_chart.get" in r.url and answered.append(r.url)
		)
		for name, route in PAGES:
			page.goto(args.url + route)
			wait_for_desk(page)
			if name == "workspace":
				wait_for_charts(page, answered)
			path = out / f"{name}.png"
			page.screenshot(path=str(path), full_page=True)
			print(f"demo: screenshot of {route.split('?')[0]}: {path}")
		browser.close()


if __name__ == "__main__":
	main()
