"""Sustained mixed load: webhook_live under pushes and scheduled order syncs run by two workers.

Run from the bench's sites folder with the bench's Python, as the bench's user, with no web server or
worker of this bench running (the script starts its own and stops them by their ids):
	cd $BENCH/sites && $BENCH/env/bin/python $REPO/benchmarks/mixed_load.py --site shopee.test
It rewrites the site's Shopee Settings and connects a sandbox shop: use a test site.

For --seconds, one client alternates GET /api/method/ping and a signed order-status push (code 3) for a
sandbox order it has just moved on (unpaid → ready to ship → shipped → completed), so both are timed
under the same load; every --sync-every seconds the order sync of the shop is queued the way the
scheduler queues it; two workers book what the pushes and syncs bring. Then both endpoints are timed
at --concurrency threads for throughput (test pushes, code 0). At the end it waits until the workers
have processed every push and counts: a push answered 200 without its inbox row, or whose row did not
end Done or Ignored, is lost. Goals from issue 15: p99 ratio ≤ 2.0, no push slower than 1 s, zero lost.
"""

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time

import frappe
import requests
from _site import configure_partner, connect, new_partner, parse_args, percentile
from backfill import connect_shop, start_sandbox
from frappe.utils import now_datetime
from webhook_latency import throughput

from shopee_bridge.auth import push_signature
from shopee_bridge.jobs.schedule import enqueue_shop_job
from shopee_bridge.tests.test_fault_storm import inbox_counts
from shopee_bridge.tests.utils import prepare_erpnext_for_sandbox, save_settings

METHOD = "/api/method/shopee_bridge.api.webhook_live"
SHOP_ID = 691000
STATUS_FLOW = ("READY_TO_SHIP", "SHIPPED", "COMPLETED")


class Processes:
	"""The web server and workers this run starts, each in its own process group."""

	def __init__(self, site: str, port: int, workers: int):
		command = [sys.executable, "-m", "frappe.utils.bench_helper", "frappe"]
		self.web = self._start([*command, "--site", site, "serve", "--port", str(port), "--noreload"])
		self.workers = [
			self._start([*command, "worker", "--queue", "short,default,long"]) for _ in range(workers)
		]

	@staticmethod
	def _start(args: list[str]) -> subprocess.Popen:
		return subprocess.Popen(
			args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
		)

	def stop(self) -> None:
		for process in (self.web, *self.workers):
			try:
				os.killpg(process.pid, signal.SIGTERM)
			except ProcessLookupError:
				continue
		for process in (self.web, *self.workers):
			try:
				process.wait(timeout=20)
			except subprocess.TimeoutExpired:
				os.killpg(process.pid, signal.SIGKILL)


class Client:
	"""Signed pushes and pings to the site, and the sandbox's controls."""

	def __init__(self, base_url: str, site: str, key: str, sandbox_url: str, shop_id: int):
		self.base_url, self.site, self.key = base_url, site, key
		self.sandbox_url, self.shop_id = sandbox_url, shop_id
		self.accepted = 0
		self.lock = threading.Lock()

	def ping(self, session: requests.Session) -> int:
		return session.get(
			f"{self.base_url}/api/method/ping", headers={"Host": self.site}, timeout=30
		).status_code

	def push(self, session: requests.Session, code: int, data: dict) -> int:
		body = json.dumps(
			{"shop_id": self.shop_id, "code": code, "timestamp": int(time.time()), "data": data},
			separators=(",", ":"),
		).encode()
		headers = {
			"Host": self.site,
			"Content-Type": "application/json",
			"Authorization": push_signature(self.key, self.base_url + METHOD, body),
		}
		status = session.post(self.base_url + METHOD, data=body, headers=headers, timeout=30).status_code
		if status == 200:
			with self.lock:
				self.accepted += 1
		return status

	def move_order(self, session: requests.Session, order_sn: str, status: str) -> int:
		answer = session.post(
			f"{self.sandbox_url}/_sandbox/orders/status",
			json={"order_sn": order_sn, "status": status},
			timeout=30,
		)
		answer.raise_for_status()
		return int(answer.json()["update_time"])


def order_sns(sandbox_url: str, shop: str) -> list[str]:
	from shopee_bridge.shop_client import make_client

	client, now = make_client(shop), int(time.time())
	return [row["order_sn"] for row in client.iter_order_list(now - 14 * 86400, now)]


def timed(call) -> float:
	start = time.perf_counter()
	status = call()
	elapsed = (time.perf_counter() - start) * 1000
	assert status == 200, status
	return elapsed


def sustained(client: Client, orders: list[str], seconds: float, sync_every: float, shop: str) -> tuple:
	"""Alternate ping and an order push for `seconds`, queueing the shop's order sync now and then."""
	session, sandbox = requests.Session(), requests.Session()
	ping_ms, push_ms, stage = [], [], dict.fromkeys(orders, -1)
	deadline, next_sync, syncs = time.monotonic() + seconds, 0.0, 0
	while time.monotonic() < deadline:
		if time.monotonic() >= next_sync:
			enqueue_shop_job("orders", shop)
			frappe.db.commit()  # nosemgrep: the job is queued after commit, as the scheduler's is
			next_sync, syncs = time.monotonic() + sync_every, syncs + 1
		order_sn = random.choice([sn for sn, step in stage.items() if step < len(STATUS_FLOW) - 1] or orders)
		stage[order_sn] = min(stage[order_sn] + 1, len(STATUS_FLOW) - 1)
		status = STATUS_FLOW[stage[order_sn]]
		update_time = client.move_order(sandbox, order_sn, status)
		ping_ms.append(timed(lambda: client.ping(session)))
		data = {"ordersn": order_sn, "status": status, "update_time": update_time}
		push_ms.append(timed(lambda: client.push(session, 3, data)))
		time.sleep(0.2)
	return ping_ms, push_ms, syncs


def wait_for_inbox(since, expected: int, timeout: float) -> dict:
	"""Inbox rows created since `since` by status, once none is Queued or Processing (or at timeout)."""
	from shopee_bridge.jobs.process_webhook import retry_due

	deadline = time.monotonic() + timeout
	while True:
		retry_due()  # what the scheduler does every 2 minutes: failed pushes retried on their backoff
		frappe.db.commit()  # nosemgrep: the retries are queued after commit
		counts = inbox_counts(since, push_code=None)
		busy = counts.get("Queued", 0) + counts.get("Processing", 0) + counts.get("Failed", 0)
		if (sum(counts.values()) >= expected and not busy) or time.monotonic() > deadline:
			return counts
		time.sleep(2)


def free_port() -> int:
	import socket

	with socket.socket() as sock:
		sock.bind(("127.0.0.1", 0))
		return sock.getsockname()[1]


def wait_until_up(url: str, site: str) -> None:
	for _ in range(240):
		try:
			if requests.get(url + "/api/method/ping", headers={"Host": site}, timeout=2).ok:
				return
		except requests.ConnectionError:
			pass
		time.sleep(0.5)
	raise RuntimeError("the web server did not start")


def main():
	args = parse_args(
		__doc__,
		seconds=(float, 180.0, "length of the sustained phase"),
		orders=(int, 300, "sandbox orders (all unpaid at first)"),
		sync_every=(float, 30.0, "seconds between queued order syncs"),
		workers=(int, 2, "workers started for the run"),
		requests=(int, 400, "requests per endpoint in the throughput phase"),
		concurrency=(int, 8, "threads in the throughput phase"),
	)
	connect(args)
	prepare_erpnext_for_sandbox()
	partner_id, key = new_partner()
	sandbox, sandbox_url = start_sandbox_unpaid(args.orders, partner_id, key)
	port = free_port()
	base_url = f"http://127.0.0.1:{port}"
	processes = Processes(args.site, port, args.workers)
	try:
		configure_partner(sandbox_url, partner_id, key, callback_base=base_url)
		save_settings(webhook_max_attempts=8)
		shop = connect_shop(SHOP_ID)
		frappe.db.commit()  # nosemgrep: the web server and workers read the shop
		wait_until_up(base_url, args.site)
		client = Client(base_url, args.site, key, sandbox_url, SHOP_ID)
		orders = order_sns(sandbox_url, shop)
		since = now_datetime()
		for _ in range(20):  # warm-up: both endpoints once their code is loaded
			timed(lambda: client.ping(requests.Session()))
		ping_ms, push_ms, syncs = sustained(client, orders, args.seconds, args.sync_every, shop)
		counter = iter(range(10**9))
		ping_rps = throughput(client.ping, args.requests, args.concurrency)
		push_rps = throughput(
			lambda session: client.push(session, 0, {"marker": f"LOAD{next(counter):09d}"}),
			args.requests,
			args.concurrency,
		)
		slow = report_latency(args, ping_ms, push_ms, ping_rps, push_rps, syncs)
		counts = wait_for_inbox(since, client.accepted, timeout=1800)
		lost = report_lost(client.accepted, counts)
		met = percentile(push_ms, 99) / percentile(ping_ms, 99) <= 2.0 and not slow and not lost
		print("goal (p99 ratio <= 2.0, no push over 1 s, zero lost):", "met" if met else "NOT met")
	finally:
		processes.stop()
		sandbox.terminate()
		sandbox.wait()


def start_sandbox_unpaid(orders: int, partner_id: int, key: str):
	"""The sandbox process with every order unpaid, so each push moves a real order on."""
	return start_sandbox(orders, partner_id, key, SHOP_ID, days=7, only_status="UNPAID")


def report_latency(args, ping_ms, push_ms, ping_rps, push_rps, syncs) -> int:
	"""The latency table; returns how many pushes took over a second."""
	print(
		f"sustained {args.seconds:.0f} s: {len(push_ms)} order pushes, {len(ping_ms)} pings, {syncs} order syncs queued"
	)
	print(f"{'':26}{'ping (baseline)':>18}{'webhook_live':>16}{'ratio':>10}")
	for label, base, ours in (
		("latency p50 (ms)", percentile(ping_ms, 50), percentile(push_ms, 50)),
		("latency p99 (ms)", percentile(ping_ms, 99), percentile(push_ms, 99)),
		("latency max (ms)", max(ping_ms), max(push_ms)),
		(f"throughput x{args.concurrency} (req/s)", ping_rps, push_rps),
	):
		print(f"{label:26}{base:>18.2f}{ours:>16.2f}{ours / base:>10.2f}")
	slow = sum(ms > 1000 for ms in push_ms)
	print(f"pushes slower than 1 s: {slow}", flush=True)
	return slow


def report_lost(accepted: int, counts: dict) -> int:
	processed = counts.get("Done", 0) + counts.get("Ignored", 0)
	lost = accepted - processed
	print(
		f"pushes answered 200: {accepted}; inbox rows: {sum(counts.values())} {dict(sorted(counts.items()))}; lost: {lost}"
	)
	return lost


if __name__ == "__main__":
	main()
