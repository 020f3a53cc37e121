"""Order sync: Shopee calls against the minimum, and ingest time against plain ERPNext.

A first sync of two sandbox shops at each size (default 300 and 3,000 orders per shop): Shopee calls
by path against the fewest the sandbox's own data allows (one list call per 100 orders of each
≤15-day window, one detail call per 50 orders listed, one escrow batch per 50 orders booked), as a
call ratio. At the first size also a run after every booked order still in flight moved on (shipped,
completed: the steady state of the 5-minute job), and the first sync's ingest time.

Run from the bench's sites folder with the bench's Python (no web server needed):
	cd $BENCH/sites && $BENCH/env/bin/python $REPO/benchmarks/order_sync.py --site shopee.test
	(--orders 300,3000 per shop; the 3,000 size books 6,000 orders: most of an hour on 2 cores)
It connects fresh sandbox shops and writes real documents: use a test site.

Baseline, in the same run: the same Sales Orders, Delivery Notes and Sales Invoices built from
ready dicts and inserted + submitted in a plain loop (no Shopee, no mapping, no idempotency checks).
"""

import random
import time
from collections import Counter
from urllib.parse import parse_qs, urlparse

import frappe
import requests
from _site import configure_partner, connect, new_partner, parse_args
from erpnext.selling.doctype.sales_order.sales_order import make_delivery_note, make_sales_invoice

from shopee_bridge.constants import ORDER_SN_FIELD, SHOP_FIELD
from shopee_bridge.sandbox import SandboxServer
from shopee_bridge.services import shops
from shopee_bridge.services.order_documents import booked_order_sns
from shopee_bridge.services.orders import sync_incremental_orders
from shopee_bridge.services.sync_log import sync_start
from shopee_bridge.services.waiting_orders import due_order_sns
from shopee_bridge.shop_client import get_settings
from shopee_bridge.tests.utils import (
	ESCROW_BATCH,
	ORDER_DETAIL,
	ORDER_LIST,
	configure_shop,
	fewest_order_calls,
	prepare_erpnext_for_sandbox,
	save_settings,
)

BENCH_SHOPS = [
	{"shop_id": 690001, "shop_name": "Benchmark Shop SG", "region": "SG", "currency": "SGD"},
	{"shop_id": 690002, "shop_name": "Benchmark Shop MY", "region": "MY", "currency": "MYR"},
]
LOOK_BACK_DAYS = 61
NEXT_STATUS = {
	"READY_TO_SHIP": "SHIPPED",
	"PROCESSED": "SHIPPED",
	"SHIPPED": "COMPLETED",
	"TO_CONFIRM_RECEIVE": "COMPLETED",
}


def connect_shop(sandbox, shop_id: int) -> str:
	"""Connect to Shopee → sandbox approval → the callback's work, in-process."""
	url = shops.connect_url() + f"&sandbox_shop_id={shop_id}"
	callback = requests.get(url, allow_redirects=False, timeout=10).headers["Location"]
	query = {k: v[0] for k, v in parse_qs(urlparse(callback).query).items()}
	shop = shops.complete_authorization(query["state"], query["code"], query["shop_id"])
	configure_shop(shop)
	return shop


def move_booked_orders(sandbox, shop: str) -> int:
	"""Move every booked order still in flight to its next status, as a day of shipping would."""
	booked = set(
		frappe.get_all("Sales Order", filters={SHOP_FIELD: shop, "docstatus": 1}, pluck=ORDER_SN_FIELD)
	)
	dataset, movable = sandbox.dataset, []
	for order_sn in dataset.order_sns(int(shop)):
		status = dataset.state(dataset.index_of(order_sn))[0]
		if order_sn in booked and status in NEXT_STATUS:
			movable.append((order_sn, NEXT_STATUS[status]))
	for order_sn, status in movable:
		sandbox.set_order_status(order_sn, status)
	return len(movable)


def measure_run(sandbox, shop: str, now: int) -> dict:
	"""One sync run of a shop: its Shopee calls by path, the fewest possible, seconds and Sync Log."""
	start = sync_start(frappe.db.get_value("Shopee Shop", shop, "orders_synced_until"), get_settings(), now)
	booked = booked_order_sns(sandbox.dataset.order_sns(int(shop)))
	fewest, _ = fewest_order_calls(sandbox, shop, start, now, due_order_sns(shop), booked)
	sandbox.reset_counts()
	began = time.perf_counter()
	log = frappe.get_doc("Shopee Sync Log", sync_incremental_orders(shop, now=now))
	seconds = time.perf_counter() - began
	made = Counter(call["path"] for call in sandbox.calls if not call["path"].startswith("/api/v2/auth/"))
	return {"shop": shop, "made": made, "fewest": Counter(fewest), "seconds": seconds, "log": log}


def print_calls(title: str, runs: list[dict]) -> None:
	"""Calls by path per shop, made against the fewest possible, and the call ratio over all shops."""
	print(title)
	header = f"{'':16}{'listed':>8}{'booked':>8}{'list':>10}{'detail':>10}{'escrow':>10}{'calls':>12}"
	print(header)
	for run in runs:
		log, made, fewest = run["log"], run["made"], run["fewest"]
		cells = "".join(
			f"{f'{made[path]}/{fewest[path]}':>10}" for path in (ORDER_LIST, ORDER_DETAIL, ESCROW_BATCH)
		)
		totals = f"{sum(made.values())}/{sum(fewest.values())}"
		print(f"  shop {run['shop']:<10}{log.fetched:>8}{log.created_count:>8}{cells}{totals:>12}")
	made = sum(sum(run["made"].values()) for run in runs)
	fewest = sum(sum(run["fewest"].values()) for run in runs)
	print(f"  Shopee calls {made}, minimum {fewest} (made/minimum above): call ratio {made / fewest:.2f}")


def plain_loop(order_sns: list[str]) -> tuple[float, int]:
	"""Insert + submit the same documents from ready dicts; returns (seconds, documents)."""
	sources = frappe.get_all(
		"Sales Order", filters={ORDER_SN_FIELD: ["in", order_sns], "docstatus": 1}, pluck="name"
	)
	prepared = []
	for name in sources:
		so = frappe.get_doc("Sales Order", name)
		doc = frappe.copy_doc(so)
		doc.set(ORDER_SN_FIELD, None)
		order_sn = so.get(ORDER_SN_FIELD)
		has_dn = frappe.db.exists("Delivery Note", {ORDER_SN_FIELD: order_sn, "docstatus": 1})
		has_si = frappe.db.exists("Sales Invoice", {ORDER_SN_FIELD: order_sn, "docstatus": 1})
		prepared.append((doc.as_dict(), has_dn, has_si))
	documents, start = 0, time.perf_counter()
	for values, has_dn, has_si in prepared:
		so = frappe.get_doc(values).insert(ignore_permissions=True)
		so.submit()
		documents += 1
		for maker, wanted in ((make_delivery_note, has_dn), (make_sales_invoice, has_si)):
			if wanted:
				doc = maker(so.name)
				doc.insert(ignore_permissions=True)
				doc.submit()
				documents += 1
		frappe.db.commit()  # nosemgrep: same commit pattern as the sync: one per order
	return time.perf_counter() - start, documents


def start_sandbox(orders_per_shop: int) -> SandboxServer:
	"""A fresh sandbox of two shops, Shopee Settings pointed at it, the shops connected anew."""
	partner_id, key = new_partner()
	sandbox = SandboxServer(
		partner_id=partner_id,
		partner_key=key,
		orders=orders_per_shop * len(BENCH_SHOPS),
		seed=random.randint(1000, 10**9),
		shops=BENCH_SHOPS,
	).start()
	configure_partner(sandbox.url, partner_id, key)
	for shop in BENCH_SHOPS:
		if frappe.db.exists("Shopee Shop", str(shop["shop_id"])):
			frappe.delete_doc("Shopee Shop", str(shop["shop_id"]), force=True, ignore_permissions=True)
	return sandbox


def first_sync(orders_per_shop: int, steady_state: bool) -> None:
	"""First sync of both shops at one size; with steady_state also the next run and the ingest time."""
	sandbox = start_sandbox(orders_per_shop)
	try:
		names = [connect_shop(sandbox, shop["shop_id"]) for shop in BENCH_SHOPS]
		now = int(time.time())
		runs = [measure_run(sandbox, shop, now) for shop in names]
		print_calls(
			f"first sync, {orders_per_shop:,} orders per shop (two shops, {LOOK_BACK_DAYS} days)", runs
		)
		if steady_state:
			next_run(sandbox, names, runs)
	finally:
		sandbox.stop()


def next_run(sandbox, names: list[str], first_runs: list[dict]) -> None:
	"""The run after the booked orders moved on, then the first sync's ingest against the plain loop."""
	moved = sum(move_booked_orders(sandbox, shop) for shop in names)
	later = int(time.time()) + 1
	runs = [measure_run(sandbox, shop, later) for shop in names]
	print_calls(f"next run, after {moved} booked orders moved on", runs)
	plain_seconds, documents = plain_loop(sandbox.dataset.order_sns())
	sync_seconds = sum(run["seconds"] for run in first_runs)
	print(f"{'':34}{'plain':>10}{'sync':>10}{'ratio':>8}")
	print(
		f"{'first sync ingest seconds':34}{plain_seconds:>10.2f}{sync_seconds:>10.2f}"
		f"{sync_seconds / plain_seconds:>8.2f}   ({documents} documents in the plain loop)"
	)


def main():
	args = parse_args(__doc__, orders=(str, "300,3000", "orders per shop, one first sync per size"))
	connect(args)
	prepare_erpnext_for_sandbox()
	save_settings(initial_sync_days=LOOK_BACK_DAYS)
	try:
		for number, size in enumerate(int(value) for value in args.orders.split(",")):
			first_sync(size, steady_state=number == 0)
	finally:
		save_settings(initial_sync_days=14)


if __name__ == "__main__":
	main()
