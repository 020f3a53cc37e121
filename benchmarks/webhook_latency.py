"""webhook_live latency (p50/p99) and throughput, next to /api/method/ping in the same run.

Run from the bench's sites folder with the bench's Python, against a running web server and worker:
	cd $BENCH/sites && $BENCH/env/bin/python $REPO/benchmarks/webhook_latency.py --site shopee.test
It rewrites the site's Shopee Settings (a fresh partner key): use a test site.
"""

import json
import time
from concurrent.futures import ThreadPoolExecutor

import frappe
import requests
from _site import configure_partner, connect, new_partner, parse_args, percentile

from shopee_bridge.auth import push_signature
from shopee_bridge.constants import INBOX

METHOD = "/api/method/shopee_bridge.api.webhook_live"


class Target:
	def __init__(self, base_url: str, site: str, partner_key: str | None = None):
		self.base_url, self.site, self.key = base_url, site, partner_key
		self.counter = 0

	def ping(self, session: requests.Session) -> int:
		return session.get(
			self.base_url + "/api/method/ping", headers={"Host": self.site}, timeout=30
		).status_code

	def push(self, session: requests.Session) -> int:
		self.counter += 1
		body = json.dumps(
			{
				"shop_id": 1,
				"code": 0,
				"timestamp": int(time.time()),
				"data": {"ordersn": f"BENCH{self.counter:08d}{id(session)}"},
			},
			separators=(",", ":"),
		).encode()
		headers = {
			"Host": self.site,
			"Content-Type": "application/json",
			"Authorization": push_signature(self.key, self.base_url + METHOD, body),
		}
		return session.post(self.base_url + METHOD, data=body, headers=headers, timeout=30).status_code


def latencies(call, n: int) -> list[float]:
	session, out = requests.Session(), []
	for _ in range(n):
		start = time.perf_counter()
		status = call(session)
		out.append((time.perf_counter() - start) * 1000)
		assert status == 200, status
	return out


def throughput(call, n: int, concurrency: int) -> float:
	def worker(count):
		session = requests.Session()
		for _ in range(count):
			assert call(session) == 200

	start = time.perf_counter()
	with ThreadPoolExecutor(concurrency) as pool:
		list(pool.map(worker, [n // concurrency] * concurrency))
	return (n // concurrency * concurrency) / (time.perf_counter() - start)


def main():
	args = parse_args(
		__doc__,
		url=(str, "http://127.0.0.1:8000", "the bench web server"),
		requests=(int, 300, "sequential requests per endpoint"),
		concurrency=(int, 8, "threads for the throughput run"),
	)
	connect(args)
	partner_id, key = new_partner()
	configure_partner("http://127.0.0.1:8899", partner_id, key, callback_base=args.url)
	target = Target(args.url.rstrip("/"), args.site, key)
	latencies(target.ping, 20)
	latencies(target.push, 20)  # warm-up
	ping_ms, push_ms = latencies(target.ping, args.requests), latencies(target.push, args.requests)
	ping_rps = throughput(target.ping, args.requests, args.concurrency)
	push_rps = throughput(target.push, args.requests, args.concurrency)
	print(f"{'':24}{'ping (baseline)':>18}{'webhook_live':>16}{'ratio':>10}")
	for label, base, ours in (
		("latency p50 (ms)", percentile(ping_ms, 50), percentile(push_ms, 50)),
		("latency p99 (ms)", percentile(ping_ms, 99), percentile(push_ms, 99)),
		(f"throughput x{args.concurrency} (req/s)", ping_rps, push_rps),
	):
		print(f"{label:24}{base:>18.2f}{ours:>16.2f}{ours / base:>10.2f}")
	frappe.db.rollback()
	frappe.db.delete(INBOX, {"order_sn": ["like", "BENCH%"]})
	frappe.db.commit()  # nosemgrep: remove the benchmark's inbox rows


if __name__ == "__main__":
	main()
