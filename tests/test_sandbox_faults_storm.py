"""The sandbox's seeded fault storm: every kind drawn, the same draws for the same seed, none on tokens,
and a client with retries reads the same orders through it as without it."""

import time

import pytest
from sandbox_shop import SHOP_ID, make_client

from shopee_bridge.clients import ShopeeError
from shopee_bridge.sandbox import SandboxServer

DAY = 86400


def read_everything(client) -> dict:
	now = int(time.time())
	found = {}
	for start in range(now - 60 * DAY, now, 15 * DAY):
		rows = list(client.iter_order_list(start, min(start + 15 * DAY, now), page_size=2))
		for batch in range(0, len(rows), 50):
			sns = [row["order_sn"] for row in rows[batch : batch + 50]]
			for order in client.get_order_detail(sns)["order_list"]:
				found[order["order_sn"]] = (order["order_status"], order["total_amount"])
	return found


def test_a_client_with_retries_reads_the_same_orders_through_a_storm(sandbox):
	calm = read_everything(make_client(sandbox))
	sandbox.random_faults(0.4, seed=11, delay=0.05)
	stormy = read_everything(make_client(sandbox, max_retries=12))
	assert stormy == calm and len(calm) > 40
	assert set(sandbox.random_fault_counts) == {"rate_limit", "server_error", "slow", "drop", "invalid_token"}


def test_the_same_seed_draws_the_same_faults(partner):
	def draws(seed: int) -> list[str]:
		with SandboxServer(partner["partner_id"], partner["partner_key"], seed=1, orders=10) as srv:
			srv.random_faults(0.5, seed=seed)
			client, outcome = make_client(srv, max_retries=0), []
			for _ in range(30):
				try:
					client.get_shop_info()
					outcome.append("ok")
				except ShopeeError as e:
					outcome.append(type(e).__name__)
			return outcome

	assert draws(5) == draws(5)
	assert draws(5) != draws(6)


def test_token_calls_are_spared_and_rate_zero_stops_the_storm(sandbox):
	client = make_client(sandbox, max_retries=0)
	sandbox.random_faults(1.0, seed=3, kinds=("server_error",))
	with pytest.raises(ShopeeError):
		client.get_shop_info()
	sandbox.expire_access_token(SHOP_ID)
	refreshed = client.refresh_access_token()  # the auth endpoint is never faulted
	assert refreshed.access_token
	sandbox.clear_faults()
	assert client.get_shop_info()["shop_name"]
