"""Factories for the bench-tier tests."""

import random
import secrets
from decimal import Decimal

import frappe
from frappe.utils import add_days, nowdate


def default_company() -> str:
	return (
		frappe.defaults.get_global_default("company") or frappe.get_all("Company", pluck="name", limit=1)[0]
	)


def default_warehouse(company: str) -> str:
	"""The company's first leaf warehouse: the same one on every run, whatever was modified since."""
	return frappe.db.get_value(
		"Warehouse", {"company": company, "is_group": 0}, "name", order_by="creation asc, name asc"
	)


def new_order_sn() -> str:
	return "T" + secrets.token_hex(7).upper()


def make_item(item_code: str, is_stock_item: int = 0) -> str:
	if not frappe.db.exists("Item", item_code):
		frappe.get_doc(
			{
				"doctype": "Item",
				"item_code": item_code,
				"item_name": item_code,
				"item_group": frappe.db.get_value("Item Group", {"is_group": 0}, "name") or "All Item Groups",
				"stock_uom": "Nos",
				"is_stock_item": is_stock_item,
			}
		).insert(ignore_permissions=True)
	return item_code


def make_customer(name: str = "Shopee Test Buyer") -> str:
	if not frappe.db.exists("Customer", name):
		frappe.get_doc({"doctype": "Customer", "customer_name": name, "customer_type": "Individual"}).insert(
			ignore_permissions=True
		)
	return name


def make_sales_order(item_code: str, qty: float = 1, rate: float = 10, **fields):
	company = default_company()
	return frappe.get_doc(
		{
			"doctype": "Sales Order",
			"customer": make_customer(),
			"company": company,
			"transaction_date": nowdate(),
			"delivery_date": add_days(nowdate(), 3),
			"items": [
				{
					"item_code": item_code,
					"qty": qty,
					"rate": rate,
					"warehouse": default_warehouse(company),
					"delivery_date": add_days(nowdate(), 3),
				}
			],
			**fields,
		}
	)


def clerk_user() -> str:
	"""A Desk user without the Shopee Manager role."""
	user = "shopee-clerk@example.com"
	if not frappe.db.exists("User", user):
		frappe.get_doc(
			{"doctype": "User", "email": user, "first_name": "Clerk", "send_welcome_email": 0}
		).insert(ignore_permissions=True)
	return user


class SandboxMixin:
	"""Start the local Shopee sandbox for a test class and point Shopee Settings at it (committed)."""

	sandbox_shops = None
	sandbox_orders = 40
	sandbox_seed = 1
	sandbox_harsh = False
	sandbox_days = 60

	@classmethod
	def start_sandbox(cls):
		from shopee_bridge.sandbox import SandboxServer

		# Backdated stock entries queue a Repost Item Valuation, as on a real site and in the test
		# worker; ERPNext would run each one at once in a test process (seconds per order, growing).
		frappe.flags.dont_execute_stock_reposts = True
		cls.partner_id = 100000 + secrets.randbelow(99999)
		cls.partner_key = secrets.token_hex(32)
		cls.sandbox = SandboxServer(
			partner_id=cls.partner_id,
			partner_key=cls.partner_key,
			orders=cls.sandbox_orders,
			shops=cls.sandbox_shops,
			seed=cls.sandbox_seed,
			harsh=cls.sandbox_harsh,
			days=cls.sandbox_days,
		).start()
		point_settings_at_sandbox(
			cls.sandbox.url, cls.partner_id, cls.partner_key, web_url(), webhook_max_attempts=8
		)

	@classmethod
	def seed_where(cls, accept, what: str, tries: int = 60) -> int:
		"""A random seed whose data for this class's sandbox passes accept(dataset)."""
		return draw_sandbox_seed(
			accept,
			what,
			tries,
			orders=cls.sandbox_orders,
			shops=cls.sandbox_shops,
			days=cls.sandbox_days,
			harsh=cls.sandbox_harsh,
		)

	@classmethod
	def stop_sandbox(cls):
		cls.sandbox.stop()
		save_settings(enabled=0, webhook_callback_url="")
		frappe.flags.pop("dont_execute_stock_reposts", None)


def save_settings(**values) -> None:
	"""Update Shopee Settings and commit: the web server, workers and jobs read them from the database."""
	settings = frappe.get_single("Shopee Settings")
	settings.update(values)
	settings.save(ignore_permissions=True)
	frappe.db.commit()  # nosemgrep: other processes must see the settings


def web_url() -> str:
	"""The bench web server serving this site, for tests over real HTTP."""
	import os

	return os.environ.get("SHOPEE_BRIDGE_WEB_URL", "http://127.0.0.1:8000").rstrip("/")


def web_headers() -> dict:
	return {"Host": frappe.local.site}


def authorize_shop(sandbox, shop_id=None) -> str:
	"""Run Connect to Shopee → sandbox approval → OAuth callback over real HTTP; returns the shop name."""
	from urllib.parse import parse_qs, urlparse

	import requests

	from shopee_bridge.api import connect_to_shopee

	url = connect_to_shopee()["url"]
	if shop_id:
		url += f"&sandbox_shop_id={shop_id}"
	frappe.db.commit()  # nosemgrep: the callback runs in the web server and must see the state
	approval = requests.get(url, allow_redirects=False, timeout=10)
	assert approval.status_code == 302, approval.text
	callback = approval.headers["Location"]
	response = requests.get(callback, headers=web_headers(), allow_redirects=False, timeout=30)
	assert response.status_code in (301, 302, 303), (response.status_code, response.text[:500])
	return parse_qs(urlparse(callback).query)["shop_id"][0]


def draw_sandbox_seed(accept, what: str, tries: int = 60, **dataset_args) -> int:
	"""A random seed whose sandbox Dataset(seed, **dataset_args) passes accept(dataset)."""
	from shopee_bridge.sandbox import Dataset

	for _attempt in range(tries):
		seed = random.randint(1000, 10**9)
		if accept(Dataset(seed=seed, **dataset_args)):
			return seed
	raise AssertionError(f"no seed in {tries} tries has {what}")


def delete_shop(shop: str) -> None:
	if frappe.db.exists("Shopee Shop", shop):
		frappe.delete_doc("Shopee Shop", shop, force=True, ignore_permissions=True)
		frappe.db.commit()  # nosemgrep: shops are created over HTTP, so clean up for real


ESCROW_BATCH = "/api/v2/payment/get_escrow_detail_batch"
BOOKABLE_STATUSES = ("READY_TO_SHIP", "PROCESSED", "SHIPPED", "TO_CONFIRM_RECEIVE", "COMPLETED")


def sandbox_skus() -> list[str]:
	"""Every SKU the sandbox sells, except its deliberately unmapped product."""
	from shopee_bridge.sandbox.catalogue import PRODUCTS

	skus = []
	for product in PRODUCTS:
		skus += (
			[m["model_sku"] for m in product["models"]] if product.get("models") else [product["item_sku"]]
		)
	return skus


def prepare_erpnext_for_sandbox() -> None:
	"""Items for the sandbox catalogue and exchange rates for its currencies, committed."""
	for sku in sandbox_skus():
		make_item(sku)
	company_currency = frappe.get_cached_value("Company", default_company(), "default_currency")
	for currency, rate in (("SGD", 0.74), ("MYR", 0.21), ("IDR", 0.000063)):
		if currency != company_currency and not frappe.db.exists(
			"Currency Exchange", {"from_currency": currency, "to_currency": company_currency}
		):
			frappe.get_doc(
				{
					"doctype": "Currency Exchange",
					"date": "2000-01-01",
					"from_currency": currency,
					"to_currency": company_currency,
					"exchange_rate": rate,
					"for_selling": 1,
					"for_buying": 1,
				}
			).insert(ignore_permissions=True)
	frappe.db.commit()  # nosemgrep: workers and the web server must see them


def prepare_site_for_sandbox(
	sandbox_url: str, partner_id, partner_key: str, web_url: str, initial_sync_days: int
) -> None:
	"""A site as a seller has it before connecting: ERPNext basics, the sandbox's Items and exchange
	rates, and Shopee Settings pointing at the sandbox (the demo and the browser tier)."""
	from shopee_bridge.install import before_tests

	before_tests()  # a bare site gets its Company, fiscal year, warehouses and price lists
	prepare_erpnext_for_sandbox()
	point_settings_at_sandbox(
		sandbox_url, partner_id, partner_key, web_url, initial_sync_days=initial_sync_days
	)


def point_settings_at_sandbox(sandbox_url: str, partner_id, partner_key: str, web_url: str | None, **extra):
	"""Enable Shopee Settings against a sandbox partner; pushes go to web_url's webhook (none without)."""
	save_settings(
		enabled=1,
		environment="Local sandbox",
		api_base_url=sandbox_url,
		partner_id=str(partner_id),
		partner_key=partner_key,
		push_partner_key="",
		webhook_callback_url=f"{web_url}/api/method/shopee_bridge.api.webhook_live" if web_url else "",
		**extra,
	)


def bookable_order_sns(sandbox, shop_id, statuses=BOOKABLE_STATUSES) -> list[str]:
	"""Sandbox orders of a shop in the given statuses whose lines all map to an Item."""
	from shopee_bridge.sandbox.catalogue import UNMAPPED_SKU

	dataset, found = sandbox.dataset, []
	for order_sn in dataset.order_sns(int(shop_id)):
		index = dataset.index_of(order_sn)
		if statuses is not None and dataset.state(index)[0] not in statuses:
			continue
		lines = dataset.order_detail(index, {"item_list"}).get("item_list") or []
		if all(UNMAPPED_SKU not in (line.get("model_sku"), line.get("item_sku")) for line in lines):
			found.append(order_sn)
	return found


ORDER_LIST = "/api/v2/order/get_order_list"
ORDER_DETAIL = "/api/v2/order/get_order_detail"


def fewest_order_calls(sandbox, shop_id, start: int, end: int, retried=(), booked=()) -> tuple[dict, set]:
	"""The fewest Shopee calls an order sync of [start, end] can make, from the sandbox's own data.

	One list page per 100 orders of each ≤15-day window, one detail call per 50 orders listed or
	retried, one escrow batch per 50 orders to book (paid, not booked yet, every line mapped).
	Returns ({path: calls}, the orders to book).
	"""
	import math

	from shopee_bridge.client_endpoints import MAX_BATCH, time_windows
	from shopee_bridge.services.orders import NO_ESCROW_STATUSES

	dataset, pages, listed = sandbox.dataset, 0, set(retried)
	for window_from, window_to in time_windows(start, end):
		rows, _ = dataset.list_orders(int(shop_id), "update_time", window_from, window_to, limit=10**9)
		pages += max(1, math.ceil(len(rows) / 100))
		listed.update(row["order_sn"] for row in rows)
	bookable = set(bookable_order_sns(sandbox, shop_id, statuses=None)) - set(booked)
	to_book = {
		order_sn
		for order_sn in listed & bookable
		if dataset.state(dataset.index_of(order_sn))[0] not in NO_ESCROW_STATUSES
	}
	calls = {
		ORDER_LIST: pages,
		ORDER_DETAIL: math.ceil(len(listed) / MAX_BATCH),
		ESCROW_BATCH: math.ceil(len(to_book) / MAX_BATCH),
	}
	return {path: count for path, count in calls.items() if count}, to_book


def make_account(account_name: str, parent_filters: list[dict], company: str | None = None, **fields) -> str:
	"""A ledger account under the first group matching one of parent_filters, created once."""
	company = company or default_company()
	name = f"{account_name} - {frappe.get_cached_value('Company', company, 'abbr')}"
	if not frappe.db.exists("Account", name):
		parent = next(
			filter(
				None,
				(
					frappe.db.get_value("Account", {"company": company, "is_group": 1, **f})
					for f in parent_filters
				),
			)
		)
		frappe.get_doc(
			{
				"doctype": "Account",
				"account_name": account_name,
				"company": company,
				"parent_account": parent,
				**fields,
			}
		).insert(ignore_permissions=True)
	return name


def receivable_account(currency: str, company: str | None = None) -> str:
	"""A receivable account in the shop's currency (ERPNext books foreign-currency invoices on one)."""
	company = company or default_company()
	debtors = frappe.get_cached_value("Company", company, "default_receivable_account")
	if currency == frappe.get_cached_value("Company", company, "default_currency"):
		return debtors
	return make_account(
		f"Shopee Receivable {currency}",
		[{"account_type": "Receivable"}, {"name": frappe.db.get_value("Account", debtors, "parent_account")}],
		company,
		account_type="Receivable",
		account_currency=currency,
	)


def configure_shop(shop: str) -> None:
	"""Give a connected test shop a receivable account in its currency, committed."""
	currency = frappe.db.get_value("Shopee Shop", shop, "currency")
	frappe.db.set_value("Shopee Shop", shop, "shopee_receivable_account", receivable_account(currency))
	frappe.db.commit()  # nosemgrep: workers read the shop


def cents(value) -> Decimal:
	return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def shopee_amounts(sandbox, order_sn: str) -> tuple[Decimal, Decimal]:
	"""Shopee's (buyer paid, Shopee-funded) for a sandbox order (escrow figures)."""
	dataset = sandbox.dataset
	index = dataset.index_of(order_sn)
	buyer_paid = cents(dataset.order_detail(index, {"total_amount"})["total_amount"])
	return buyer_paid, shopee_funded(dataset.escrow_detail(index)["order_income"])


def shopee_funded(income: dict) -> Decimal:
	"""What Shopee pays the seller on the buyer's behalf: vouchers, coins, item rebate, payment promotion."""
	return sum(
		(
			_amount(income, key)
			for key in ("voucher_from_shopee", "coins", "original_shopee_discount", "payment_promotion")
		),
		Decimal(0),
	)


def expected_total(sandbox, order_sn: str) -> Decimal:
	"""What the order's Sales Order must add up to, from Shopee's figures: both sides of the identity.

	buyer paid - buyer transaction fee + Shopee-funded, which must equal
	original_cost_of_goods_sold - voucher_from_seller + buyer_paid_shipping_fee (no residual).
	"""
	buyer_paid, funded = shopee_amounts(sandbox, order_sn)
	income = sandbox.dataset.escrow_detail(sandbox.dataset.index_of(order_sn))["order_income"]
	buyer_side = buyer_paid - _amount(income, "buyer_transaction_fee") + funded
	sold_for = (
		_amount(income, "original_cost_of_goods_sold")
		- _amount(income, "voucher_from_seller")
		+ _amount(income, "buyer_paid_shipping_fee")
	)
	assert buyer_side == sold_for, (order_sn, buyer_side, sold_for)
	return buyer_side


def _amount(income: dict, key: str) -> Decimal:
	return cents(income.get(key))


def make_stock_item(item_code: str, valuation_rate: float = 0) -> str:
	"""A stock Item (created once), with an optional valuation rate for deliveries before stock arrives."""
	if not frappe.db.exists("Item", item_code):
		frappe.get_doc(
			{
				"doctype": "Item",
				"item_code": item_code,
				"item_name": item_code,
				"item_group": frappe.db.get_value("Item Group", {"is_group": 0}, "name") or "All Item Groups",
				"stock_uom": "Nos",
				"is_stock_item": 1,
				"valuation_rate": valuation_rate,
			}
		).insert(ignore_permissions=True)
	return item_code


def sellable_stock(item_code: str, warehouse: str) -> float:
	"""ERPNext's on-hand less reserved quantity of the Item in the warehouse (0 without a Bin)."""
	actual, reserved = frappe.db.get_value(
		"Bin", {"item_code": item_code, "warehouse": warehouse}, ["actual_qty", "reserved_qty"]
	) or (0, 0)
	return actual - reserved


def receive_stock(item_code: str, warehouse: str, qty: float, rate: float) -> str:
	"""A submitted Material Receipt of qty units at rate into warehouse."""
	company = frappe.db.get_value("Warehouse", warehouse, "company")
	entry = frappe.get_doc(
		{
			"doctype": "Stock Entry",
			"stock_entry_type": "Material Receipt",
			"company": company,
			"items": [{"item_code": item_code, "qty": qty, "t_warehouse": warehouse, "basic_rate": rate}],
		}
	).insert(ignore_permissions=True)
	entry.submit()
	return entry.name


def reconnect_shop(sandbox, shop: str) -> None:
	"""A fresh connection of the sandbox shop over the real OAuth callback, with its receivable (committed)."""
	delete_shop(shop)
	authorize_shop(sandbox, shop)
	frappe.db.rollback()
	configure_shop(shop)


def map_unmapped_product(shop: str, item_code: str) -> None:
	"""Map the sandbox listing no SKU matches, so every order of the shop can book."""
	from shopee_bridge.sandbox.catalogue import UNMAPPED_PRODUCT

	map_listing(shop, UNMAPPED_PRODUCT["item_id"], 0, make_item(item_code), UNMAPPED_PRODUCT["item_sku"])


def map_listing(shop: str, item_id, model_id, item_code: str, sku: str | None = None) -> None:
	"""A Shopee Item Map row (shop, item_id, model_id) → item_code, created or repointed."""
	filters = {"shop": shop, "item_id": str(item_id), "model_id": str(model_id or 0)}
	name = frappe.db.get_value("Shopee Item Map", filters)
	if name:
		frappe.db.set_value("Shopee Item Map", name, "item_code", item_code)
	else:
		frappe.get_doc({"doctype": "Shopee Item Map", **filters, "sku": sku, "item_code": item_code}).insert(
			ignore_permissions=True
		)


def catalogue_units() -> list[tuple[int, int, str]]:
	"""(item_id, model_id, sku) of every unit the sandbox's regular catalogue sells."""
	from shopee_bridge.sandbox.catalogue import PRODUCTS, sellable_units

	return [
		(product["item_id"], unit["model_id"], unit["model_sku"] or product["item_sku"])
		for product in PRODUCTS
		for unit in sellable_units(product)
	]


def set_stock_settings(**values) -> dict:
	"""Change Stock Settings and commit; returns the previous values, to restore them."""
	settings = frappe.get_single("Stock Settings")
	previous = {key: settings.get(key) for key in values}
	settings.update(values)
	settings.flags.ignore_validate = True
	settings.save(ignore_permissions=True)
	frappe.db.commit()  # nosemgrep: workers read the stock settings
	return previous


def difference_account(company: str | None = None) -> str:
	"""The Shopee Difference account shops book unexplained amounts on."""
	return make_account(
		"Shopee Difference", [{"account_name": "Indirect Expenses"}, {"root_type": "Expense"}], company
	)


def in_subprocess(code: str, **popen):
	"""Python with this site connected as Administrator, in its own process group (so it can be killed)."""
	import os
	import subprocess
	import sys

	script = (
		"import frappe, sys\n"
		f"frappe.init(site={frappe.local.site!r}, sites_path={os.path.abspath(frappe.local.sites_path)!r})\n"
		"frappe.connect(); frappe.set_user('Administrator')\n" + code
	)
	return subprocess.Popen(
		[sys.executable, "-c", script], start_new_session=True, env={**os.environ}, **popen
	)
