"""Print a random sandbox seed whose orders give every browser flow something to work on.

	python browser_tests/sandbox_seed.py --orders 120 --anchor EPOCH --shop 710001:SG --shop 710002:MY

The seed is random (each run sees other orders), but it must have an order that sells the sandbox's
unmapped listing and gets booked (the waiting list flow), and in the first shop orders that can ship
(ready to ship or completed, no return, every listing mapped: the shipping flows).
"""

import argparse
import random

from shopee_bridge.sandbox import Dataset
from shopee_bridge.sandbox.__main__ import shop_spec

BOOKED = ("READY_TO_SHIP", "PROCESSED", "SHIPPED", "TO_CONFIRM_RECEIVE", "COMPLETED")
SHIPPABLE = ("READY_TO_SHIP", "COMPLETED")
SHIPPABLE_NEEDED = 4
TRIES = 200


def booked_orders_selling_unmapped(dataset: Dataset) -> int:
	return sum(
		dataset.state(index)[0] in BOOKED and dataset.sells_unmapped(index)
		for index in map(dataset.index_of, dataset.order_sns())
	)


def shippable_orders(dataset: Dataset, shop_id: int) -> int:
	with_returns = {entry.order_index for entry in dataset.list_returns(shop_id)}
	return sum(
		dataset.state(index)[0] in SHIPPABLE
		and index not in with_returns
		and not dataset.sells_unmapped(index)
		for index in map(dataset.index_of, dataset.order_sns(shop_id))
	)


def has_what_the_flows_need(dataset: Dataset, first_shop: int) -> bool:
	return (
		booked_orders_selling_unmapped(dataset) >= 1
		and shippable_orders(dataset, first_shop) >= SHIPPABLE_NEEDED
	)


def main() -> None:
	parser = argparse.ArgumentParser(description=__doc__)
	parser.add_argument("--orders", type=int, required=True)
	parser.add_argument("--anchor", type=int, required=True)
	parser.add_argument("--shop", dest="shops", action="append", type=shop_spec, required=True)
	args = parser.parse_args()
	for _attempt in range(TRIES):
		seed = random.randint(1000, 10**9)
		dataset = Dataset(seed=seed, orders=args.orders, shops=args.shops, anchor=args.anchor)
		if has_what_the_flows_need(dataset, args.shops[0]["shop_id"]):
			print(seed)
			return
	raise SystemExit(f"no sandbox seed in {TRIES} tries has what the browser flows need")


if __name__ == "__main__":
	main()
