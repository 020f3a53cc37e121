"""Order sync: Shopee calls per order against the minimum, and ingest time against plain ERPNext.

Two runs over one sandbox shop: the first sync books every order (cold), then a run after every booked
order still in flight moved on (shipped, completed): the steady state of the 5-minute job.

Run from the bench's sites folder with the bench's Python (no web server needed):
	cd $BENCH/sites && $BENCH/env/bin/python $REPO/benchmarks/order_sync.py --site shopee.test --orders 200
It connects a fresh sandbox shop and writes real documents: use a test site.

Baseline, in the same run: the same Sales Orders, Delivery Notes and Sales Invoices built from
ready dicts and inserted + submitted in a plain loop (no Shopee, no mapping, no idempotency checks).
"""

import math
import random
import time
from urllib.parse import parse_qs, urlparse

import frappe
import requests
from _site import configure_partner, connect, new_partner, parse_args
from erpnext.selling.doctype.sales_order.sales_order import make_delivery_note, make_sales_invoice

from shopee_bridge.client_endpoints import MAX_BATCH, time_windows
from shopee_bridge.constants import ORDER_SN_FIELD, SHOP_FIELD
from shopee_bridge.sandbox import SandboxServer
from shopee_bridge.services import shops
from shopee_bridge.services.orders import sync_incremental_orders
from shopee_bridge.services.sync_log import sync_start
from shopee_bridge.services.waiting_orders import due_order_sns
from shopee_bridge.shop_client import get_settings
from shopee_bridge.tests.utils import ESCROW_BATCH, configure_shop, prepare_erpnext_for_sandbox, save_settings

LIST = "/api/v2/order/get_order_list"
DETAIL = "/api/v2/order/get_order_detail"
BENCH_SHOP = 690001
NEXT_STATUS = {
	"READY_TO_SHIP": "SHIPPED",
	"PROCESSED": "SHIPPED",
	"SHIPPED": "COMPLETED",
	"TO_CONFIRM_RECEIVE": "COMPLETED",
}


def connect_shop(sandbox) -> str:
	"""Connect to Shopee → sandbox approval → the callback's work, in-process."""
	url = shops.connect_url()
	callback = requests.get(url, allow_redirects=False, timeout=10).headers["Location"]
	query = {k: v[0] for k, v in parse_qs(urlparse(callback).query).items()}
	shop = shops.complete_authorization(query["state"], query["code"], query["shop_id"])
	configure_shop(shop)
	return shop


def minimum_calls(sandbox, shop: str, start: int, end: int, retried: list[str] = ()) -> int:
	"""One list page per 100 orders and one detail call per 50, per ≤15-day window.

	Orders retried from the last run count as orders of the first window.
	"""
	calls, extra = 0, set(retried)
	for window_from, window_to in time_windows(start, end):
		rows, _ = sandbox.dataset.list_orders(int(shop), "update_time", window_from, window_to, limit=10**9)
		listed = {row["order_sn"] for row in rows}
		calls += max(1, math.ceil(len(rows) / 100)) + math.ceil(len(listed | extra) / MAX_BATCH)
		extra = set()
	return calls


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


def measure_run(sandbox, shop: str, start: int, now: int) -> tuple[dict, int, float, object]:
	"""One sync run: (call counts, minimum calls, seconds, Sync Log)."""
	retried = due_order_sns(shop)
	sandbox.reset_counts()
	began = time.perf_counter()
	log = frappe.get_doc("Shopee Sync Log", sync_incremental_orders(shop, now=now))
	seconds = time.perf_counter() - began
	return sandbox.call_counts, minimum_calls(sandbox, shop, start, now, retried), seconds, log


def print_calls(title: str, counts: dict, minimum: int) -> None:
	order_calls = counts.get(LIST, 0) + counts.get(DETAIL, 0)
	all_calls = order_calls + counts.get(ESCROW_BATCH, 0)
	print(
		f"{title}: list {counts.get(LIST, 0)}, detail {counts.get(DETAIL, 0)}, escrow batch {counts.get(ESCROW_BATCH, 0)}"
	)
	print(f"{'':34}{'minimum':>10}{'ours':>10}{'ratio':>8}")
	print(f"{'  list + detail calls':34}{minimum:>10}{order_calls:>10}{order_calls / minimum:>8.2f}")
	print(f"{'  all order calls (with escrow)':34}{minimum:>10}{all_calls:>10}{all_calls / minimum:>8.2f}")


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


def main():
	args = parse_args(__doc__, orders=(int, 200, "orders in the sandbox shop"))
	connect(args)
	prepare_erpnext_for_sandbox()
	partner_id, key = new_partner()
	sandbox = SandboxServer(
		partner_id=partner_id,
		partner_key=key,
		orders=args.orders,
		seed=random.randint(1000, 10**9),
		shops=[{"shop_id": BENCH_SHOP, "shop_name": "Benchmark Shop", "region": "SG", "currency": "SGD"}],
	).start()
	configure_partner(sandbox.url, partner_id, key)
	if frappe.db.exists("Shopee Shop", str(BENCH_SHOP)):
		frappe.delete_doc("Shopee Shop", str(BENCH_SHOP), force=True, ignore_permissions=True)
	save_settings(initial_sync_days=61)
	try:
		shop = connect_shop(sandbox)
		now = int(time.time())
		counts, minimum, sync_seconds, log = measure_run(sandbox, shop, now - 61 * 86400, now)
		moved = move_booked_orders(sandbox, shop)
		later = int(time.time()) + 1
		start = sync_start(
			frappe.db.get_value("Shopee Shop", shop, "orders_synced_until"), get_settings(), later
		)
		next_counts, next_minimum, _, next_log = measure_run(sandbox, shop, start, later)
		plain_seconds, documents = plain_loop(sandbox.dataset.order_sns())
	finally:
		sandbox.stop()
	print(
		f"cold sync: orders listed {log.fetched}, booked {log.created_count}, failed {log.failed}; "
		f"documents in the plain loop {documents}"
	)
	print_calls("cold sync calls", counts, minimum)
	print(
		f"next run: {moved} booked orders moved on; listed {next_log.fetched}, updated {next_log.updated}, "
		f"failed (unmapped SKU, retried) {next_log.failed}"
	)
	print_calls("next run calls", next_counts, next_minimum)
	print(f"{'':34}{'plain':>10}{'sync':>10}{'ratio':>8}")
	print(
		f"{'ingest seconds':34}{plain_seconds:>10.2f}{sync_seconds:>10.2f}{sync_seconds / plain_seconds:>8.2f}"
	)
	save_settings(initial_sync_days=14)


if __name__ == "__main__":
	main()
