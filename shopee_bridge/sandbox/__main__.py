"""Run the sandbox: python -m shopee_bridge.sandbox --port 8899 [--seed 1] [--orders 200] ..."""

import argparse
import os
import secrets
import time

from shopee_bridge.sandbox.server import SandboxServer


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
	parser = argparse.ArgumentParser(prog="python -m shopee_bridge.sandbox", description=__doc__)
	parser.add_argument("--port", type=int, default=8899)
	parser.add_argument("--host", default="127.0.0.1", help="loopback only")
	parser.add_argument("--seed", type=int, default=1)
	parser.add_argument("--orders", type=int, default=200)
	parser.add_argument("--partner-id", type=int, default=100001)
	parser.add_argument(
		"--partner-key", default=None, help="default: $SHOPEE_SANDBOX_PARTNER_KEY or a random key"
	)
	return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
	"""Start the sandbox, print how to reach it, and serve until Ctrl-C."""
	args = parse_args(argv)
	partner_key = args.partner_key or os.environ.get("SHOPEE_SANDBOX_PARTNER_KEY") or secrets.token_hex(32)
	server = SandboxServer(
		args.partner_id, partner_key, seed=args.seed, orders=args.orders, host=args.host, port=args.port
	).start()
	shop_ids = ", ".join(str(shop["shop_id"]) for shop in server.dataset.shops)
	print(f"Shopee sandbox on {server.url}", flush=True)
	print(f"partner_id  {server.partner_id}\npartner_key {partner_key}\nshop_id     {shop_ids}", flush=True)
	print(f"{args.orders} orders, seed {args.seed}; Ctrl-C to stop", flush=True)
	try:
		while True:
			time.sleep(3600)
	except KeyboardInterrupt:
		pass
	finally:
		server.stop()


if __name__ == "__main__":
	main()
