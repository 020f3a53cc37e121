"""Backfill memory and time: a year of 10,000 sandbox orders against a year of 100,000, in one process.

Run from the bench's sites folder with the bench's Python (no web server needed):
	cd $BENCH/sites && $BENCH/env/bin/python $REPO/benchmarks/backfill.py --site shopee.test
It connects fresh sandbox shops and writes Shopee Backfill records: use a test site.

What it measures: the backfill machinery end to end (windows, list paging, detail calls 50 at a
time, the per-order lock and checks, progress records, commits) against the real ERPNext site and a
sandbox in its own process. Every order is one Shopee cancelled before payment, so it needs no
ERPNext document: booking 100,000 orders (about a second each on two cores) would take more than a
day, and what grows with the range, if anything, is the streaming, not the documents of one order.

Memory: the process's peak resident set during each run (Linux VmHWM, reset before each run), and
its growth over the resident set before the run. Goals from issue 13: memory ratio ≤ 1.1, time
ratio ≤ 11 for ten times the orders.
"""

import os
import random
import subprocess
import sys
import time
from urllib.parse import parse_qs, urlparse

import frappe
import requests
from _site import configure_partner, connect, new_partner, parse_args
from frappe.utils import add_days, getdate

from shopee_bridge.services import fiscal, shops
from shopee_bridge.tests.utils import configure_shop, prepare_erpnext_for_sandbox

SHOP_ID = 690100


def start_sandbox(
	orders: int, partner_id: int, key: str, shop_id: int, days: int = 365, only_status: str = "CANCELLED"
) -> tuple[subprocess.Popen, str]:
	"""The sandbox in its own process (its memory is not the backfill's), by default a year of cancelled orders."""
	port = 18000 + random.randrange(1000)
	process = subprocess.Popen(
		[sys.executable, "-m", "shopee_bridge.sandbox", "--port", str(port), "--orders", str(orders),
		 "--days", str(days), "--only-status", only_status, "--partner-id", str(partner_id),
		 "--partner-key", key, "--seed", str(random.randint(1000, 10**9)), "--shop", f"{shop_id}:SG"],
		stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
	)  # fmt: skip
	url = f"http://127.0.0.1:{port}"
	for _ in range(240):
		try:
			requests.get(url + "/_sandbox/info", timeout=2)
			return process, url
		except requests.ConnectionError:
			time.sleep(0.5)
	process.kill()
	raise RuntimeError("the sandbox did not start")


def connect_shop(shop_id: int) -> str:
	callback = requests.get(shops.connect_url(), allow_redirects=False, timeout=10).headers["Location"]
	query = {k: v[0] for k, v in parse_qs(urlparse(callback).query).items()}
	shop = shops.complete_authorization(query["state"], query["code"], query["shop_id"])
	configure_shop(shop)
	return shop


def resident_kib(field: str) -> int:
	with open("/proc/self/status") as status:
		return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))


def reset_peak() -> None:
	with open("/proc/self/clear_refs", "w") as refs:
		refs.write("5")  # resets VmHWM to the current resident set


def measure(orders: int) -> dict:
	partner_id, key = new_partner()
	shop_id = SHOP_ID + orders // 1000
	process, url = start_sandbox(orders, partner_id, key, shop_id)
	try:
		configure_partner(url, partner_id, key)
		if frappe.db.exists("Shopee Shop", str(shop_id)):
			frappe.delete_doc("Shopee Shop", str(shop_id), force=True, ignore_permissions=True)
		shop = connect_shop(shop_id)
		frappe.db.commit()  # nosemgrep: the backfill commits as it goes
		name = fiscal.backfill(shop, add_days(getdate(), -366), getdate(), ["orders"], inline=True)
		frappe.db.commit()  # nosemgrep: as above
		before = resident_kib("VmRSS")
		reset_peak()
		began = time.perf_counter()
		status = fiscal.run_backfill(name)
		seconds = time.perf_counter() - began
		peak = resident_kib("VmHWM")
	finally:
		process.terminate()
		process.wait()
	records = frappe.db.get_value("Shopee Backfill", name, "records_done")
	return {
		"orders": orders,
		"status": status,
		"records": records,
		"seconds": seconds,
		"peak": peak,
		"growth": peak - before,
	}


def main():
	args = parse_args(
		__doc__,
		small=(int, 10_000, "orders in the small year"),
		large=(int, 100_000, "orders in the large year"),
	)
	connect(args)
	prepare_erpnext_for_sandbox()
	small, large = measure(args.small), measure(args.large)
	print(
		f"{'':22}{'orders':>10}{'records':>10}{'seconds':>10}{'ms/order':>10}{'peak MiB':>10}{'growth MiB':>11}"
	)
	for run in (small, large):
		print(
			f"{'backfill ' + run['status']:22}{run['orders']:>10}{run['records']:>10}{run['seconds']:>10.1f}"
			f"{1000 * run['seconds'] / run['orders']:>10.2f}{run['peak'] / 1024:>10.1f}{run['growth'] / 1024:>11.1f}"
		)
	print(
		f"time ratio (large / small, {large['orders'] // small['orders']}x the orders): {large['seconds'] / small['seconds']:.2f}  (goal ≤ 11)"
	)
	print(f"peak memory ratio: {large['peak'] / small['peak']:.3f}  (goal ≤ 1.1)")
	print(
		f"memory growth during the run: {small['growth'] / 1024:.1f} MiB vs {large['growth'] / 1024:.1f} MiB"
	)


if __name__ == "__main__":
	os.environ.setdefault("PYTHONUNBUFFERED", "1")
	main()
