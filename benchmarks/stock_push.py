"""Stock push: Shopee calls per 1,000 changed Items against the fewest Shopee's per-call limit allows.

One sandbox shop lists 1,000 models the way catalogues come (most listings without variations, some
with a few, some with more than the 50 models one update_stock call takes), each mapped to its own
stock Item. A single Stock Entry then changes all 1,000 Items and one push job sends them. The
minimum, measured in the same run from the same change: one call per listing per started 50
changed models (update_stock takes one item per call). Also printed: the same change with only every
tenth Item changed, a push with nothing changed (no calls), and the naive one call per model.

Run from the bench's sites folder with the bench's Python (no web server needed):
	cd $BENCH/sites && $BENCH/env/bin/python $REPO/benchmarks/stock_push.py --site shopee.test
It connects a fresh sandbox shop and writes Items and Stock Entries: use a test site.
"""

import time
from urllib.parse import parse_qs, urlparse

import frappe
import requests
from _site import configure_partner, connect, new_partner, parse_args

from shopee_bridge.mappers.catalogue import minimum_calls
from shopee_bridge.sandbox import SandboxServer
from shopee_bridge.services import shops
from shopee_bridge.services.catalogue import import_catalogue
from shopee_bridge.services.stock_push import push_shop_stock
from shopee_bridge.tests.utils import default_company, default_warehouse, save_settings

BENCH_SHOP = 690101
UPDATE_STOCK = "/api/v2/product/update_stock"
# (listings, models per listing; 0 = no variations): 400 + 60 x 5 + 4 x 60 + 1 x 60 = 1,000 models
SHAPE = ((400, 0), (60, 5), (4, 60), (1, 60))
PREFIX = "BSTK"


def add_listings(sandbox) -> list[str]:
	"""The benchmark catalogue in the sandbox shop; returns the SKU of every model."""
	store, skus = sandbox.dataset.products, []
	for group, (count, models) in enumerate(SHAPE):
		for number in range(count):
			sku = f"{PREFIX}-{group}-{number:03d}"
			variants = [{"model_name": f"V{m:02d}", "model_sku": f"{sku}-{m:02d}"} for m in range(models)]
			store.add_listing(BENCH_SHOP, f"Benchmark {sku}", sku, variants or None, stock=0)
			skus += [variant["model_sku"] for variant in variants] or [sku]
	return skus


def make_items(skus: list[str]) -> None:
	group = frappe.db.get_value("Item Group", {"is_group": 0}, "name")
	for sku in skus:
		if not frappe.db.exists("Item", sku):
			frappe.get_doc(
				{
					"doctype": "Item",
					"item_code": sku,
					"item_name": sku,
					"item_group": group,
					"stock_uom": "Nos",
					"is_stock_item": 1,
					"valuation_rate": 1,
				}
			).insert(ignore_permissions=True)
	frappe.db.commit()  # nosemgrep: the push reads committed Items


def receive(skus: list[str], warehouse: str) -> None:
	"""One Material Receipt of one unit of each Item, committed (the change marks the map on commit)."""
	entry = frappe.get_doc(
		{
			"doctype": "Stock Entry",
			"stock_entry_type": "Material Receipt",
			"company": default_company(),
			"items": [
				{"item_code": sku, "qty": 1, "t_warehouse": warehouse, "basic_rate": 1} for sku in skus
			],
		}
	).insert(ignore_permissions=True)
	entry.submit()
	frappe.db.commit()  # nosemgrep: as a user's Stock Entry would be


def connect_shop(sandbox) -> str:
	url = shops.connect_url()
	callback = requests.get(url + f"&sandbox_shop_id={BENCH_SHOP}", allow_redirects=False, timeout=10)
	query = {k: v[0] for k, v in parse_qs(urlparse(callback.headers["Location"]).query).items()}
	return shops.complete_authorization(query["state"], query["code"], query["shop_id"])


def measured_push(sandbox, shop: str, skus: list[str]) -> tuple[int, int, float]:
	"""(update_stock calls, minimum calls, seconds) of one push after the given Items changed."""
	changed: dict[str, int] = {}
	for sku in skus:
		listing = sku.rsplit("-", 1)[0] if sku.count("-") == 3 else sku
		changed[listing] = changed.get(listing, 0) + 1
	sandbox.reset_counts()
	began = time.perf_counter()
	push_shop_stock(shop)
	seconds = time.perf_counter() - began
	return sandbox.call_counts.get(UPDATE_STOCK, 0), minimum_calls(changed.values()), seconds


def main():
	args = parse_args(__doc__)
	connect(args)
	partner_id, key = new_partner()
	shop_spec = {"shop_id": BENCH_SHOP, "shop_name": "Stock Benchmark", "region": "SG", "currency": "SGD"}
	sandbox = SandboxServer(partner_id=partner_id, partner_key=key, orders=1, shops=[shop_spec]).start()
	configure_partner(sandbox.url, partner_id, key)
	save_settings(sku_match_field="Item Code", push_prices=0)
	if frappe.db.exists("Shopee Shop", str(BENCH_SHOP)):
		frappe.delete_doc("Shopee Shop", str(BENCH_SHOP), force=True, ignore_permissions=True)
	frappe.db.delete("Shopee Item Map", {"shop": str(BENCH_SHOP)})
	frappe.db.commit()  # nosemgrep: a clean shop for the run
	warehouse = default_warehouse(default_company())
	try:
		skus = add_listings(sandbox)
		make_items(skus)
		shop = connect_shop(sandbox)
		frappe.db.set_value("Shopee Shop", shop, {"warehouse": warehouse, "push_stock": 1})
		frappe.db.commit()  # nosemgrep: the push reads the shop
		import_catalogue(shop)
		push_shop_stock(shop)  # Shopee starts equal to ERPNext
		runs = []
		for label, changed in (("1,000 Items changed", skus), ("every 10th Item changed", skus[::10])):
			receive(changed, warehouse)
			runs.append((label, len(changed), *measured_push(sandbox, shop, changed)))
		sandbox.reset_counts()
		push_shop_stock(shop)
		idle_calls = sandbox.call_counts.get(UPDATE_STOCK, 0)
	finally:
		sandbox.stop()
	print(f"{'':28}{'Items':>7}{'minimum':>9}{'ours':>7}{'ratio':>7}{'per model':>11}{'seconds':>9}")
	for label, items, calls, minimum, seconds in runs:
		print(f"{label:28}{items:>7}{minimum:>9}{calls:>7}{calls / minimum:>7.2f}{items:>11}{seconds:>9.1f}")
	print(f"push with nothing changed: {idle_calls} update_stock calls")


if __name__ == "__main__":
	main()
