"""Run the sandbox: python -m shopee_bridge.sandbox --port 8899 [--seed 1] [--orders 200] ..."""

import argparse
import os
import secrets
import time

from shopee_bridge.constants import REGION_CURRENCIES
from shopee_bridge.sandbox.orders import AFTER_REBATE, BEFORE_REBATE
from shopee_bridge.sandbox.server import SandboxServer


def shop_spec(value: str) -> dict:
	"""A --shop value, SHOP_ID[:REGION[:NAME[:ITEM_PRICES]]], as the shop dict the sandbox takes."""
	shop_id, _, rest = value.partition(":")
	region, _, rest = rest.partition(":")
	name, _, item_prices = rest.partition(":")
	region = (region or "SG").upper()
	item_prices = item_prices or AFTER_REBATE
	if (
		not shop_id.isdigit()
		or region not in REGION_CURRENCIES
		or item_prices not in (AFTER_REBATE, BEFORE_REBATE)
	):
		raise argparse.ArgumentTypeError(
			f"{value!r}: expected SHOP_ID[:REGION[:NAME[:after_rebate|before_rebate]]], e.g. 600002:MY"
		)
	return {
		"shop_id": int(shop_id),
		"shop_name": name or f"Sandbox Shop {region}",
		"region": region,
		"currency": REGION_CURRENCIES[region],
		"item_prices": item_prices,
	}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
	parser = argparse.ArgumentParser(prog="python -m shopee_bridge.sandbox", description=__doc__)
	parser.add_argument("--port", type=int, default=8899)
	parser.add_argument("--host", default="127.0.0.1", help="loopback only")
	parser.add_argument("--seed", type=int, default=1)
	parser.add_argument("--orders", type=int, default=200, help="orders in all, spread over the shops")
	parser.add_argument("--partner-id", type=int, default=100001)
	parser.add_argument(
		"--partner-key", default=None, help="default: $SHOPEE_SANDBOX_PARTNER_KEY or a random key"
	)
	parser.add_argument(
		"--shop",
		dest="shops",
		action="append",
		type=shop_spec,
		metavar="SHOP_ID[:REGION[:NAME]]",
		help="a shop of the partner (repeat for several); default one Singapore shop, 600001",
	)
	parser.add_argument("--days", type=int, default=60, help="days before the anchor the orders spread over")
	parser.add_argument("--only-status", default=None, help="every order in this status (load tests)")
	parser.add_argument(
		"--harsh",
		action="store_true",
		help="data as unkind as a real shop: listings without SKU, a shared SKU, buyer fees, rebates on "
		"bundles, payment promotions, coin cash back, full returns",
	)
	parser.add_argument(
		"--anchor",
		type=int,
		default=None,
		help="epoch seconds the 60 days of orders end at (default: now, to the hour); "
		"the same anchor gives the same orders after a restart",
	)
	return parser.parse_args(argv)


def make_server(args: argparse.Namespace, partner_key: str) -> SandboxServer:
	server = SandboxServer(
		args.partner_id,
		partner_key,
		seed=args.seed,
		orders=args.orders,
		shops=args.shops,
		host=args.host,
		port=args.port,
		harsh=args.harsh,
		anchor=args.anchor,
		days=args.days,
		only_status=args.only_status,
	)
	return server


def main(argv: list[str] | None = None) -> None:
	"""Start the sandbox, print how to reach it, and serve until Ctrl-C."""
	args = parse_args(argv)
	partner_key = args.partner_key or os.environ.get("SHOPEE_SANDBOX_PARTNER_KEY") or secrets.token_hex(32)
	server = make_server(args, partner_key).start()
	shop_ids = ", ".join(str(shop["shop_id"]) for shop in server.dataset.shops)
	print(f"Shopee sandbox on {server.url}", flush=True)
	print(f"partner_id  {server.partner_id}\npartner_key {partner_key}\nshop_id     {shop_ids}", flush=True)
	print(
		f"{args.orders} orders, seed {args.seed}, anchor {server.dataset.anchor}; Ctrl-C to stop", flush=True
	)
	try:
		while True:
			time.sleep(3600)
	except KeyboardInterrupt:
		pass
	finally:
		server.stop()


if __name__ == "__main__":
	main()
