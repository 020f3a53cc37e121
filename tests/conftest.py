"""Shared fixtures: per-session partner credentials and a started local Shopee sandbox per test."""

import secrets

import pytest

from shopee_bridge.sandbox import SandboxServer

SANDBOX_ORDERS = 60


@pytest.fixture(scope="session")
def partner() -> dict:
	"""Partner credentials generated for this test session (never a real key)."""
	return {"partner_id": 2_000_000 + secrets.randbelow(1_000_000), "partner_key": secrets.token_hex(16)}


@pytest.fixture
def sandbox(partner):
	"""A started SandboxServer with 60 seeded orders on 127.0.0.1, stopped after the test."""
	with SandboxServer(
		partner["partner_id"], partner["partner_key"], seed=1, orders=SANDBOX_ORDERS
	) as server:
		yield server


@pytest.fixture
def client(sandbox):
	"""A ShopeeClient for the sandbox's shop 600001 with its issued tokens, fast retries."""
	from sandbox_shop import make_client

	return make_client(sandbox)
