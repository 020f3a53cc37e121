"""A fault storm: Shopee answering 429, 5xx, slowly, not at all or "token expired" at random (seeded)
during an order sync and a push storm. Once the storm passes and the app's own recovery runs (failed
pushes retried on their schedule, the next scheduled sync), the end state is the fault-free one: every
order has exactly the documents its Shopee status calls for, at Shopee's totals to the cent, nothing
twice, no draft left behind, no push lost.

`run_storm` is shared with benchmarks/fault_storm.py, which runs it at full size (1,000 orders, 5,000
pushes); the test runs it small enough for CI.
"""

import json
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import frappe
import requests
from frappe.query_builder.functions import Count
from frappe.utils import add_days, getdate, now_datetime

from shopee_bridge.auth import push_signature
from shopee_bridge.clients import ShopeeError
from shopee_bridge.compat import IntegrationTestCase
from shopee_bridge.constants import INBOX, ORDER_SN_FIELD, SHOP_FIELD, WAITING_ORDER
from shopee_bridge.jobs.process_webhook import retry_due
from shopee_bridge.services import integrity
from shopee_bridge.services.orders import sync_incremental_orders
from shopee_bridge.tests.utils import (
	SandboxMixin,
	delete_shop,
	map_unmapped_product,
	prepare_erpnext_for_sandbox,
	reconnect_shop,
	save_settings,
	set_stock_settings,
	web_url,
)

SHOP_ID = "620001"
WEBHOOK = "/api/method/shopee_bridge.api.webhook_live"
FORWARD = {"UNPAID": "READY_TO_SHIP", "READY_TO_SHIP": "SHIPPED", "SHIPPED": "COMPLETED"}
TERMINAL = ("Done", "Ignored", "Dead")


@dataclass
class StormResult:
	pushes_sent: int = 0
	pushes_accepted: int = 0
	faults: dict = field(default_factory=dict)
	calls: int = 0
	inbox: dict = field(default_factory=dict)
	seconds: float = 0.0


def run_storm(sandbox, shop: str, pushes: int, rate: float, seed: int, base_url: str, threads: int = 6):
	"""Sync and push under random faults, then let the app recover with Shopee calm again."""
	began, since = time.monotonic(), now_datetime()
	result = StormResult()
	sandbox.random_faults(rate, seed=seed)
	try:
		sync_incremental_orders(shop)
	except ShopeeError:
		frappe.db.rollback()  # the run failed part-way: the next scheduled run goes on from its checkpoint
	result.pushes_sent, result.pushes_accepted = push_storm(sandbox, shop, pushes, seed, base_url, threads)
	wait_for_inbox(since, result.pushes_accepted, settled=("Failed", *TERMINAL), timeout=3600)
	result.faults = dict(sandbox.random_fault_counts)
	result.calls = sum(
		count for path, count in sandbox.call_counts.items() if not path.startswith("/api/v2/auth/")
	)
	sandbox.clear_faults()
	recover(shop, since, result.pushes_accepted)
	result.inbox = inbox_counts(since)
	result.seconds = time.monotonic() - began
	return result


def push_storm(sandbox, shop: str, pushes: int, seed: int, base_url: str, threads: int) -> tuple[int, int]:
	"""Move random orders forward in Shopee and send the signed push each move causes, from `threads`."""
	rng, lock = random.Random(seed), threading.Lock()
	dataset, url, site = sandbox.dataset, base_url + WEBHOOK, frappe.local.site  # threads see no frappe.local
	orders = dataset.order_sns(int(shop))
	accepted = []

	def one(_number):
		with lock:
			movable = [sn for sn in orders if dataset.state(dataset.index_of(sn))[0] in FORWARD]
			order_sn = rng.choice(movable or orders)
			status = FORWARD.get(dataset.state(dataset.index_of(order_sn))[0], "COMPLETED")
			update_time = sandbox.set_order_status(order_sn, status)
		body = json.dumps(
			{
				"shop_id": int(shop),
				"code": 3,
				"timestamp": int(time.time()),
				"data": {"ordersn": order_sn, "status": status, "update_time": update_time},
			},
			separators=(",", ":"),
		).encode()
		headers = {
			"Host": site,
			"Content-Type": "application/json",
			"Authorization": push_signature(sandbox.partner_key, url, body),
		}
		answer = requests.post(url, data=body, headers=headers, timeout=60)
		if answer.status_code == 200:
			accepted.append(order_sn)

	with ThreadPoolExecutor(threads) as pool:
		list(pool.map(one, range(pushes)))
	return pushes, len(accepted)


def inbox_counts(since, push_code: int | None = 3) -> dict:
	"""Inbox rows created since `since` by status (of one push code, or of all with None)."""
	frappe.db.rollback()
	inbox = frappe.qb.DocType(INBOX)
	query = frappe.qb.from_(inbox).select(inbox.status, Count(inbox.name)).where(inbox.creation >= since)
	if push_code is not None:
		query = query.where(inbox.push_code == push_code)
	return dict(query.groupby(inbox.status).run())


def wait_for_inbox(since, expected: int, settled: tuple, timeout: float) -> dict:
	deadline = time.monotonic() + timeout
	while True:
		counts = inbox_counts(since)
		done = sum(counts.get(status, 0) for status in settled)
		if done >= expected or time.monotonic() > deadline:
			return counts
		time.sleep(2)


def recover(shop: str, since, accepted: int) -> None:
	"""What the scheduler does once Shopee is calm: failed pushes retried, then the shop's order sync."""
	for _round in range(10):
		frappe.db.rollback()
		if not inbox_counts(since).get("Failed"):
			break
		# time passes: the backoff schedule's next attempts fall due
		frappe.db.set_value(
			INBOX, {"status": "Failed", "creation": [">=", since]}, "next_retry_at", now_datetime()
		)
		frappe.db.commit()  # nosemgrep: the workers read the rows
		retry_due()
		frappe.db.commit()  # nosemgrep: the retries are queued after commit
		wait_for_inbox(since, accepted, settled=TERMINAL, timeout=600)
	# time passes again: orders a failed call left waiting fall due, and the next scheduled sync takes them
	frappe.db.set_value(WAITING_ORDER, {"shop": shop}, "next_retry_at", now_datetime())
	frappe.db.commit()  # nosemgrep: the sync reads them
	sync_incremental_orders(shop)


def end_state_problems(shop: str, days: int) -> dict:
	"""What differs from the fault-free end state (empty when there is nothing)."""
	frappe.db.rollback()
	report = integrity.build_report(shop, add_days(getdate(), -days - 1), getdate(), sections=["orders"])
	problems = {"mismatches": report["mismatches"]}
	problems["waiting"] = frappe.get_all(
		WAITING_ORDER, filters={"shop": shop}, fields=["name", "reason_code", "reason"]
	)
	for doctype in ("Sales Order", "Delivery Note", "Sales Invoice"):
		problems[f"draft {doctype}"] = frappe.get_all(
			doctype, filters={SHOP_FIELD: shop, "docstatus": 0}, pluck="name"
		)
		not_return = "" if doctype == "Sales Order" else "and is_return = 0"
		problems[f"twice {doctype}"] = frappe.db.sql(
			f"""select {ORDER_SN_FIELD}, count(*) from `tab{doctype}` where {SHOP_FIELD} = %s and docstatus = 1
			{not_return} group by {ORDER_SN_FIELD} having count(*) > 1""",
			shop,
		)
	problems["dead pushes"] = frappe.get_all(
		INBOX, filters={"shop_id": shop, "status": "Dead", "push_code": 3}, fields=["name", "last_error"]
	)
	return {name: value for name, value in problems.items() if value}


class TestFaultStorm(SandboxMixin, IntegrationTestCase):
	maxDiff = None
	sandbox_orders = 80
	sandbox_days = 20
	sandbox_shops = [
		{"shop_id": int(SHOP_ID), "shop_name": "Storm Shop SG", "region": "SG", "currency": "SGD"}
	]

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		prepare_erpnext_for_sandbox()
		cls.stock_settings = set_stock_settings(allow_negative_stock=1)
		cls.sandbox_seed = random.randint(1000, 10**9)
		cls.start_sandbox()
		reconnect_shop(cls.sandbox, SHOP_ID)
		map_unmapped_product(SHOP_ID, "STORM-MYSTERY-BOX")
		save_settings(initial_sync_days=cls.sandbox_days + 1, webhook_max_attempts=8)
		frappe.db.commit()  # nosemgrep: the web server and worker read the shop
		cls.result = run_storm(
			cls.sandbox, SHOP_ID, pushes=240, rate=0.2, seed=cls.sandbox_seed, base_url=web_url()
		)
		print(f"\nfault storm (seed {cls.sandbox_seed}): {cls.result}")

	@classmethod
	def tearDownClass(cls):
		save_settings(initial_sync_days=14)
		set_stock_settings(**cls.stock_settings)
		delete_shop(SHOP_ID)
		cls.stop_sandbox()
		super().tearDownClass()

	def test_the_storm_was_a_storm(self):
		self.assertEqual(
			set(self.result.faults), {"rate_limit", "server_error", "slow", "drop", "invalid_token"}
		)
		self.assertGreaterEqual(sum(self.result.faults.values()), 10, self.result.faults)

	def test_every_push_was_accepted_and_processed(self):
		self.assertEqual(self.result.pushes_accepted, self.result.pushes_sent)
		processed = self.result.inbox.get("Done", 0) + self.result.inbox.get("Ignored", 0)
		self.assertEqual(processed, self.result.pushes_accepted, self.result.inbox)

	def test_the_end_state_is_the_fault_free_one(self):
		self.assertEqual(end_state_problems(SHOP_ID, self.sandbox_days), {}, f"seed {self.sandbox_seed}")
