"""Helpers for tier-1 tests that drive the sandbox as one shop through ShopeeClient."""

import requests

from shopee_bridge.clients import MemoryTokenStore, ShopeeClient, Tokens

SHOP_ID = 600001
HTTP = requests.Session()
HTTP.trust_env = False  # loopback only: never through an environment proxy


def make_client(srv, **options) -> ShopeeClient:
	pair = srv.issued_tokens(SHOP_ID)
	tokens = Tokens(pair["access_token"], pair["refresh_token"], pair["access_expires_at"])
	defaults = {"max_retries": 2, "backoff_base": 0.01, "sleep": lambda _s: None, "timeout": (2, 5)}
	return ShopeeClient(
		srv.url,
		srv.partner_id,
		srv.partner_key,
		SHOP_ID,
		MemoryTokenStore({SHOP_ID: tokens}),
		**defaults | options,
	)


def orders_in(srv, status: str, channel: int | None = None) -> list[str]:
	dataset = srv.dataset
	return [
		order_sn
		for order_sn in dataset.order_sns(SHOP_ID)
		if dataset.state(dataset.index_of(order_sn))[0] == status
		and (channel is None or dataset.facts(dataset.index_of(order_sn))["channel_id"] == channel)
	]


def ready_order(srv, channel: int | None = None) -> str:
	"""A READY_TO_SHIP order (on the channel when given), made ready from a COMPLETED one if need be."""
	found = orders_in(srv, "READY_TO_SHIP", channel)
	if found:
		return found[0]
	order_sn = orders_in(srv, "COMPLETED", channel)[0]
	srv.set_order_status(order_sn, "READY_TO_SHIP")
	return order_sn


def control(srv, name: str, body: dict) -> dict:
	answer = HTTP.post(f"{srv.url}/_sandbox/{name}", json=body, timeout=5)
	assert answer.status_code == 200, answer.text
	return answer.json()


def pickup_choice(parameter: dict) -> dict:
	address = parameter["pickup"]["address_list"][0]
	return {
		"address_id": address["address_id"],
		"pickup_time_id": address["time_slot_list"][0]["pickup_time_id"],
	}
