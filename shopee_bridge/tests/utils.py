"""Factories for the bench-tier tests."""

import secrets

import frappe
from frappe.utils import add_days, nowdate


def default_company() -> str:
	return (
		frappe.defaults.get_global_default("company") or frappe.get_all("Company", pluck="name", limit=1)[0]
	)


def default_warehouse(company: str) -> str:
	return frappe.db.get_value("Warehouse", {"company": company, "is_group": 0}, "name")


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


class SandboxMixin:
	"""Start the local Shopee sandbox for a test class and point Shopee Settings at it (committed)."""

	sandbox_shops = None
	sandbox_orders = 40

	@classmethod
	def start_sandbox(cls):
		from shopee_bridge.sandbox import SandboxServer

		cls.partner_id = 100000 + secrets.randbelow(99999)
		cls.partner_key = secrets.token_hex(32)
		cls.sandbox = SandboxServer(
			partner_id=cls.partner_id,
			partner_key=cls.partner_key,
			orders=cls.sandbox_orders,
			shops=cls.sandbox_shops,
		).start()
		settings = frappe.get_single("Shopee Settings")
		cls._saved_settings = settings.as_dict()
		settings.update(
			{
				"enabled": 1,
				"environment": "Local sandbox",
				"api_base_url": cls.sandbox.url,
				"partner_id": str(cls.partner_id),
				"partner_key": cls.partner_key,
				"push_partner_key": "",
				"webhook_callback_url": f"{web_url()}/api/method/shopee_bridge.api.webhook_live",
				"webhook_max_attempts": 8,
			}
		)
		settings.save(ignore_permissions=True)
		frappe.db.commit()  # nosemgrep: the web server and workers read these settings from the database

	@classmethod
	def stop_sandbox(cls):
		cls.sandbox.stop()
		settings = frappe.get_single("Shopee Settings")
		settings.update({"enabled": 0, "webhook_callback_url": ""})
		settings.save(ignore_permissions=True)
		frappe.db.commit()  # nosemgrep: undo the committed test settings


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


def delete_shop(shop: str) -> None:
	if frappe.db.exists("Shopee Shop", shop):
		frappe.delete_doc("Shopee Shop", shop, force=True, ignore_permissions=True)
		frappe.db.commit()  # nosemgrep: shops are created over HTTP, so clean up for real
