"""The in-site half of scripts/demo: settings, OAuth for each shop, a full order sync, and a report.

Run by scripts/demo with the bench's Python from its sites folder, as the bench's owner:
	python scripts/demo_sync.py --site SITE --web-url URL --sandbox-url URL --partner-id ID \\
		--partner-key KEY --anchor EPOCH SHOP_ID...
"""

import argparse
import sys
import time
from collections import Counter
from urllib.parse import parse_qs, urlparse

import frappe
import requests

DOC_STATES = {0: "draft", 1: "submitted", 2: "cancelled"}


def parse_args() -> argparse.Namespace:
	parser = argparse.ArgumentParser(description=__doc__)
	parser.add_argument("--site", required=True)
	parser.add_argument("--web-url", required=True, help="the site's web server (OAuth callback)")
	parser.add_argument("--sandbox-url", required=True)
	parser.add_argument("--partner-id", required=True)
	parser.add_argument("--partner-key", required=True)
	parser.add_argument("--anchor", type=int, required=True, help="the sandbox's --anchor")
	parser.add_argument("shop_ids", nargs="+")
	return parser.parse_args()


def prepare_site(args: argparse.Namespace) -> None:
	from shopee_bridge.tests.utils import prepare_site_for_sandbox

	prepare_site_for_sandbox(
		args.sandbox_url,
		args.partner_id,
		args.partner_key,
		args.web_url,
		# the first sync reaches back to the oldest sandbox order, however old the anchor is
		initial_sync_days=int((time.time() - args.anchor) // 86400) + 62,
	)


def connect(shop_id: str, web_url: str) -> str:
	"""Connect a shop as the Desk button does: the sandbox approves, then the real OAuth callback."""
	from shopee_bridge.api import connect_to_shopee

	url = connect_to_shopee()["url"] + f"&sandbox_shop_id={shop_id}"
	frappe.db.commit()  # nosemgrep: the callback runs in the web server and must see the state
	approval = requests.get(url, allow_redirects=False, timeout=30)
	callback = approval.headers.get("Location", "")
	if approval.status_code != 302 or not callback.startswith(web_url):
		sys.exit(f"demo: sandbox approval failed: {approval.status_code} {callback or approval.text[:300]}")
	response = requests.get(callback, allow_redirects=False, timeout=120)
	if response.status_code not in (301, 302, 303):
		sys.exit(f"demo: OAuth callback failed: {response.status_code} {response.text[:500]}")
	frappe.db.rollback()  # see what the web server committed
	shop = parse_qs(urlparse(callback).query)["shop_id"][0]
	print(
		f"demo: shop {shop} connected through the OAuth callback: {frappe.db.get_value('Shopee Shop', shop, 'status')}"
	)
	return shop


def sync(shop: str) -> None:
	"""One full (incremental from the shop's checkpoint) order sync, as the Sync Orders job runs it,
	printing its progress after each 15-day window."""
	from shopee_bridge.services.orders import sync_incremental_orders

	began = time.monotonic()

	def progress(percent: int) -> None:
		booked = frappe.db.count("Sales Order", {"shopee_shop": shop})
		print(
			f"demo: shop {shop}: {percent:3d}% of the order window, {booked} Sales Orders, {time.monotonic() - began:.0f} s"
		)

	log = frappe.get_doc(
		"Shopee Sync Log", sync_incremental_orders(shop, triggered_by="Administrator", progress=progress)
	)
	frappe.db.commit()  # nosemgrep: the sync commits per order; this closes the run
	print(
		f"demo: shop {shop} synced in {time.monotonic() - began:.0f} s ({log.status}): fetched {log.fetched}, "
		f"created {log.created_count}, updated {log.updated}, skipped {log.skipped}, failed {log.failed}, "
		f"{log.api_calls} Shopee calls"
	)


def report() -> None:
	"""What the site holds from Shopee now."""
	shopee = {"shopee_order_sn": ["is", "set"]}
	orders = frappe.get_all("Sales Order", filters=shopee, fields=["shopee_order_status", "docstatus"])
	print("demo: in ERPNext now")
	by_status = Counter((row.shopee_order_status or "-", DOC_STATES[row.docstatus]) for row in orders)
	for (status, state), number in sorted(by_status.items()):
		print(f"  {'Sales Orders ' + status + ', ' + state:<44} {number:>5}")
	print(f"  {'Sales Orders in all':<44} {len(orders):>5}")
	for doctype in ("Delivery Note", "Sales Invoice"):
		print(f"  {doctype + 's, submitted':<44} {frappe.db.count(doctype, {**shopee, 'docstatus': 1}):>5}")
	customers = frappe.db.count("Customer", {"shopee_buyer_username": ["is", "set"]})
	print(f"  {'Customers from Shopee':<44} {customers:>5}")
	for shop in frappe.get_all(
		"Shopee Shop", fields=["name", "shop_name", "currency", "status"], order_by="name"
	):
		print(f"  Shopee Shop {shop.name}, {shop.shop_name} ({shop.currency}): {shop.status}")
	unmapped = frappe.get_all(
		"Shopee Sync Log Error", filters={"error": ["like", "UnmappedSKUError%"]}, pluck="reference"
	)
	if unmapped:
		print(
			f"  {len(set(unmapped))} orders wait in the Sync Log for an Item: the sandbox sells one product "
			"on purpose that maps to no Item (map it in Shopee Item Map and they book on the next sync)"
		)


def main() -> None:
	args = parse_args()
	frappe.init(site=args.site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	try:
		from shopee_bridge.tests.utils import configure_shop

		started = time.monotonic()
		prepare_site(args)
		shops = [connect(shop_id, args.web_url) for shop_id in args.shop_ids]
		for shop in shops:
			configure_shop(shop)  # a receivable account in the shop's currency
		for shop in shops:
			sync(shop)
		frappe.db.rollback()
		print(f"demo: settings, connections and sync took {time.monotonic() - started:.0f} s")
		report()
	finally:
		frappe.destroy()


if __name__ == "__main__":
	main()
