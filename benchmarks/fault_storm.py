"""A fault storm at full size: a 1,000-order sync and a 5,000-push webhook storm while Shopee answers
429, 5xx, slowly, not at all or "token expired" at random (seeded); then the app's own recovery.

Run from the bench's sites folder with the bench's Python, as the bench's user, with no web server or
worker of this bench running (the script starts its own and stops them by their ids):
	cd $BENCH/sites && $BENCH/env/bin/python $REPO/benchmarks/fault_storm.py --site shopee.test
It rewrites the site's Shopee Settings and connects a sandbox shop: use a test site. It takes about an
hour on two cores (most of it booking the orders and processing the pushes).

It prints the faults drawn, the pushes sent, accepted and processed, the time, and what differs from
the fault-free end state (the same check as the tier-2 test_fault_storm): integrity mismatches, orders
left waiting, drafts, documents made twice, dead pushes. Goal from issue 15: nothing differs.
"""

import random
import secrets

import frappe
from _site import connect, parse_args
from backfill import connect_shop
from mixed_load import Processes, free_port, wait_until_up

from shopee_bridge.sandbox import SandboxServer
from shopee_bridge.tests.test_fault_storm import end_state_problems, run_storm
from shopee_bridge.tests.utils import (
	delete_shop,
	map_unmapped_product,
	prepare_erpnext_for_sandbox,
	save_settings,
	set_stock_settings,
)

SHOP_ID = "692000"
DAYS = 30


def main():
	args = parse_args(
		__doc__,
		orders=(int, 1000, "sandbox orders"),
		pushes=(int, 5000, "pushes in the storm"),
		rate=(float, 0.15, "share of Shopee calls that fail"),
		seed=(int, 0, "seed of the data and the faults (default: random)"),
		workers=(int, 2, "workers started for the run"),
	)
	connect(args)
	seed = args.seed or random.randint(1000, 10**9)
	prepare_erpnext_for_sandbox()
	set_stock_settings(allow_negative_stock=1)
	partner_id, key = 100000 + secrets.randbelow(99999), secrets.token_hex(32)
	shops = [{"shop_id": int(SHOP_ID), "shop_name": "Storm Benchmark SG", "region": "SG", "currency": "SGD"}]
	sandbox = SandboxServer(partner_id, key, orders=args.orders, shops=shops, seed=seed, days=DAYS).start()
	port = free_port()
	base_url = f"http://127.0.0.1:{port}"
	processes = Processes(args.site, port, args.workers)
	try:
		save_settings(
			enabled=1,
			environment="Local sandbox",
			api_base_url=sandbox.url,
			partner_id=str(partner_id),
			partner_key=key,
			push_partner_key="",
			webhook_callback_url=f"{base_url}/api/method/shopee_bridge.api.webhook_live",
			webhook_max_attempts=8,
			initial_sync_days=DAYS + 1,
		)
		wait_until_up(base_url, args.site)
		delete_shop(SHOP_ID)
		connect_shop(int(SHOP_ID))
		map_unmapped_product(SHOP_ID, "STORM-MYSTERY-BOX")
		frappe.db.commit()  # nosemgrep: the web server and workers read the shop
		result = run_storm(sandbox, SHOP_ID, args.pushes, args.rate, seed, base_url, threads=8)
		problems = end_state_problems(SHOP_ID, DAYS)
	finally:
		processes.stop()
		sandbox.stop()
	print(f"seed {seed}: {args.orders} orders, fault rate {args.rate}")
	print(f"faults drawn: {dict(sorted(result.faults.items()))} ({sum(result.faults.values())} in all)")
	print(
		f"pushes sent {result.pushes_sent}, accepted {result.pushes_accepted}, inbox {dict(sorted(result.inbox.items()))}"
	)
	print(f"storm and recovery: {result.seconds:.0f} s")
	print("differences from the fault-free end state:", problems or "none")


if __name__ == "__main__":
	main()
