"""Shared set-up for the benchmarks: connect to a bench site (run them with the bench's Python)."""

import argparse
import os
import secrets

import frappe


def parse_args(description: str, **extra) -> argparse.Namespace:
	parser = argparse.ArgumentParser(description=description)
	parser.add_argument("--site", default=os.environ.get("SHOPEE_BRIDGE_SITE", "shopee.test"))
	parser.add_argument("--sites-path", default=os.environ.get("SHOPEE_BRIDGE_SITES_PATH", "."))
	for name, (kind, default, text) in extra.items():
		parser.add_argument(f"--{name.replace('_', '-')}", type=kind, default=default, help=text)
	return parser.parse_args()


def connect(args) -> None:
	frappe.init(site=args.site, sites_path=args.sites_path)
	frappe.connect()
	frappe.set_user("Administrator")


def new_partner() -> tuple[int, str]:
	"""A fresh partner id and key for a benchmark's sandbox."""
	return 100000 + secrets.randbelow(99999), secrets.token_hex(32)


def configure_partner(base_url: str, partner_id: int, partner_key: str, callback_base: str | None = None):
	"""Point Shopee Settings at a sandbox with the given partner id and key."""
	from shopee_bridge.tests.utils import point_settings_at_sandbox

	point_settings_at_sandbox(base_url, partner_id, partner_key, callback_base)


def percentile(values: list[float], pct: float) -> float:
	ordered = sorted(values)
	return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]
