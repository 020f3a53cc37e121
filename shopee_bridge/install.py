"""Install, migrate and test-site setup. Everything here is idempotent: run it as often as you like."""

import frappe
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

from shopee_bridge.compat import sync_workspace_sidebar
from shopee_bridge.constants import (
	ADDRESS_KEY_FIELD,
	BUYER_FEE_FIELD,
	BUYER_PAID_FIELD,
	BUYER_USERNAME_FIELD,
	CARRIER_FIELD,
	COMPONENT_AMOUNT_FIELD,
	COMPONENT_FIELD,
	CUSTOMER_KEY_FIELD,
	ENTRY_KEY_FIELD,
	LAST_PUSH_FIELD,
	LOGISTICS_STATUS_FIELD,
	MANAGER_ROLE,
	MODULE,
	ORDER_SN_FIELD,
	ORDER_STATUS_FIELD,
	PACKAGE_FIELD,
	RESIDUAL_FIELD,
	RETURN_SN_FIELD,
	SETTINGS,
	SHIPMENT_STATE_FIELD,
	SHIPPED_AT_FIELD,
	SHIPPING_MODE_FIELD,
	SHOP,
	SHOP_FIELD,
	SHOPEE_FUNDED_FIELD,
	TRACKING_FIELD,
	WAITING_REASON_FIELD,
	WORKSPACE,
)

CUSTOMER_UNIQUE_CONSTRAINT = "shopee_customer_per_shop"


def _section(insert_after: str) -> dict:
	return {
		"fieldname": "shopee_section",
		"label": "Shopee",
		"fieldtype": "Section Break",
		"collapsible": 1,
		"insert_after": insert_after,
	}


def _order_sn(insert_after: str = "shopee_section", **extra) -> dict:
	return {
		"fieldname": ORDER_SN_FIELD,
		"label": "Shopee Order SN",
		"fieldtype": "Data",
		"read_only": 1,
		"in_standard_filter": 1,
		"insert_after": insert_after,
		**extra,
	}


def _shop_link(insert_after: str) -> dict:
	return {
		"fieldname": SHOP_FIELD,
		"label": "Shopee Shop",
		"fieldtype": "Link",
		"options": SHOP,
		"read_only": 1,
		"insert_after": insert_after,
	}


def get_custom_fields() -> dict:
	"""Custom fields the app adds to ERPNext doctypes, in a collapsible "Shopee" section."""
	fields = {
		"Sales Order": [
			_section("terms"),
			_order_sn(unique=1, no_copy=1),
			_shop_link(ORDER_SN_FIELD),
			{
				"fieldname": BUYER_USERNAME_FIELD,
				"label": "Buyer Username",
				"fieldtype": "Data",
				"read_only": 1,
				"no_copy": 1,
				"insert_after": SHOP_FIELD,
			},
			{
				"fieldname": LAST_PUSH_FIELD,
				"label": "Last Pushed Update Time",
				"fieldtype": "Int",
				"read_only": 1,
				"no_copy": 1,
				"insert_after": BUYER_USERNAME_FIELD,
				"description": "Shopee update_time of the newest change applied; older pushes are ignored.",
			},
			{
				"fieldname": ORDER_STATUS_FIELD,
				"label": "Shopee Order Status",
				"fieldtype": "Data",
				"read_only": 1,
				"no_copy": 1,
				"allow_on_submit": 1,
				"in_standard_filter": 1,
				"insert_after": LAST_PUSH_FIELD,
			},
			{
				"fieldname": "shopee_column_break",
				"fieldtype": "Column Break",
				"insert_after": ORDER_STATUS_FIELD,
			},
			{
				"fieldname": BUYER_PAID_FIELD,
				"label": "Paid by Buyer on Shopee",
				"fieldtype": "Currency",
				"options": "currency",
				"read_only": 1,
				"no_copy": 1,
				"insert_after": "shopee_column_break",
			},
			{
				"fieldname": SHOPEE_FUNDED_FIELD,
				"label": "Funded by Shopee",
				"fieldtype": "Currency",
				"options": "currency",
				"read_only": 1,
				"no_copy": 1,
				"insert_after": BUYER_PAID_FIELD,
				"description": "Shopee vouchers, coins, item rebates and payment promotions: paid to the seller through escrow.",
			},
			{
				"fieldname": BUYER_FEE_FIELD,
				"label": "Buyer Transaction Fee",
				"fieldtype": "Currency",
				"options": "currency",
				"read_only": 1,
				"no_copy": 1,
				"insert_after": SHOPEE_FUNDED_FIELD,
				"description": "Charged to the buyer inside what they paid, kept by Shopee: not part of the sale.",
			},
			{
				"fieldname": RESIDUAL_FIELD,
				"label": "Shopee Difference",
				"fieldtype": "Currency",
				"options": "currency",
				"read_only": 1,
				"no_copy": 1,
				"insert_after": BUYER_FEE_FIELD,
				"description": "Buyer paid - buyer fee + Shopee-funded, minus what the seller sold for. Zero is expected;"
				" otherwise it is booked on the shop's Shopee Difference Account.",
			},
			{
				"fieldname": WAITING_REASON_FIELD,
				"label": "Waiting for",
				"fieldtype": "Small Text",
				"read_only": 1,
				"no_copy": 1,
				"allow_on_submit": 1,
				"insert_after": RESIDUAL_FIELD,
				"description": "Why a step of this order waits; see Shopee Waiting Order.",
			},
		],
		("Sales Invoice", "Delivery Note"): [
			_section("terms"),
			_order_sn(search_index=1),
			_shop_link(ORDER_SN_FIELD),
		],
		"Customer": [
			_section("customer_details"),
			{
				"fieldname": CUSTOMER_KEY_FIELD,
				"label": "Shopee Buyer Username",
				"fieldtype": "Data",
				"read_only": 1,
				"no_copy": 1,
				"search_index": 1,
				"insert_after": "shopee_section",
			},
			_shop_link(CUSTOMER_KEY_FIELD) | {"no_copy": 1},
		],
		"Address": [
			{
				"fieldname": ADDRESS_KEY_FIELD,
				"label": "Shopee Address Key",
				"fieldtype": "Data",
				"read_only": 1,
				"hidden": 1,
				"no_copy": 1,
				"search_index": 1,
				"insert_after": "links",
			},
		],
		"Item": item_package_fields(),
		**finance_custom_fields(),
	}
	for doctypes, extra in shipment_and_return_fields().items():
		fields.setdefault(doctypes, []).extend(extra)
	return fields


def item_package_fields() -> list[dict]:
	"""The package size Shopee listings need (Items have a weight but no dimensions)."""
	fields = [{**_section("weight_uom"), "label": "Shopee Package"}]
	previous = "shopee_section"
	for side in ("length", "width", "height"):
		fieldname = f"shopee_package_{side}"
		fields.append(
			{
				"fieldname": fieldname,
				"label": f"Package {side.title()} (cm)",
				"fieldtype": "Float",
				"insert_after": previous,
				"description": "Published to Shopee with the listing." if side == "length" else "",
			}
		)
		previous = fieldname
	return fields


def finance_custom_fields() -> dict:
	"""Shopee keys on the finance documents: one Journal / Payment Entry per Shopee event (unique key)."""
	entry_fields = [
		_order_sn(search_index=1, no_copy=1),
		_shop_link(ORDER_SN_FIELD) | {"no_copy": 1},
		{
			"fieldname": ENTRY_KEY_FIELD,
			"label": "Shopee Entry Key",
			"fieldtype": "Data",
			"read_only": 1,
			"unique": 1,
			"no_copy": 1,
			"insert_after": SHOP_FIELD,
			"description": "The Shopee event this entry books (escrow version, wallet transaction, withdrawal).",
		},
	]
	return {
		"Journal Entry": [_section("amended_from"), *entry_fields],
		"Payment Entry": [_section("title"), *entry_fields],
		"Journal Entry Account": [
			{
				"fieldname": COMPONENT_FIELD,
				"label": "Shopee Escrow Component",
				"fieldtype": "Data",
				"read_only": 1,
				"no_copy": 1,
				"insert_after": "user_remark",
			},
			{
				"fieldname": COMPONENT_AMOUNT_FIELD,
				"label": "Shopee Component Amount",
				"fieldtype": "Float",
				"read_only": 1,
				"no_copy": 1,
				"insert_after": COMPONENT_FIELD,
				"description": "The term in the order's currency (positive: taken off the receivable).",
			},
		],
	}


def _shipment_fields(insert_after: str) -> list[dict]:
	"""The Shopee package's shipment, on the Sales Order and (copied by ERPNext's mapping) the Delivery Note."""
	names = (
		(PACKAGE_FIELD, "Shopee Package Number", "Data"),
		(TRACKING_FIELD, "Tracking Number", "Data"),
		(CARRIER_FIELD, "Shipping Carrier", "Data"),
		(SHIPPING_MODE_FIELD, "Shipping Mode", "Data"),
		(LOGISTICS_STATUS_FIELD, "Shopee Logistics Status", "Data"),
		(SHIPMENT_STATE_FIELD, "Shipment", "Data"),
		(SHIPPED_AT_FIELD, "Shipment Arranged At", "Datetime"),
	)
	fields, after = [], insert_after
	for fieldname, label, fieldtype in names:
		fields.append(
			{
				"fieldname": fieldname,
				"label": label,
				"fieldtype": fieldtype,
				"read_only": 1,
				"allow_on_submit": 1,
				"insert_after": after,
			}
		)
		after = fieldname
	fields[1]["in_standard_filter"] = 1
	fields[5]["description"] = (
		"Arranged, or Unconfirmed while Shopee's answer to the shipment was lost (it is re-read)."
	)
	return fields


def _return_sn(insert_after: str) -> dict:
	return {
		"fieldname": RETURN_SN_FIELD,
		"label": "Shopee Return SN",
		"fieldtype": "Data",
		"read_only": 1,
		"unique": 1,
		"no_copy": 1,
		"insert_after": insert_after,
	}


def shipment_and_return_fields() -> dict:
	"""Shipment fields (Sales Order, Delivery Note) and the return key of credit notes and return notes."""
	return {
		"Sales Order": [
			{
				"fieldname": "shopee_shipment_section",
				"label": "Shopee Shipment",
				"fieldtype": "Section Break",
				"collapsible": 1,
				"insert_after": WAITING_REASON_FIELD,
			},
			*_shipment_fields("shopee_shipment_section"),
		],
		"Delivery Note": [*_shipment_fields(SHOP_FIELD), _return_sn(SHIPPED_AT_FIELD)],
		"Sales Invoice": [_return_sn(SHOP_FIELD)],
	}


def before_install():
	ensure_role()


def after_install():
	setup()


def after_migrate():
	setup()


def setup():
	"""The one setup routine behind install and migrate."""
	ensure_module_def()
	ensure_role()
	sync_custom_fields()
	ensure_customer_unique_index()
	ensure_settings()
	ensure_workspace()
	sync_workspace_sidebar()


def sync_custom_fields():
	"""Create or update only the custom fields that differ, so a re-run writes nothing."""
	pending = {}
	for doctypes, fields in get_custom_fields().items():
		for dt in (doctypes,) if isinstance(doctypes, str) else doctypes:
			changed = [df for df in fields if not _custom_field_matches(dt, df)]
			if changed:
				pending.setdefault(dt, []).extend(changed)  # a doctype can be in two keys
	if pending:
		create_custom_fields(pending, ignore_validate=True, update=True)


def _custom_field_matches(dt: str, df: dict) -> bool:
	current = frappe.db.get_value(
		"Custom Field", {"dt": dt, "fieldname": df["fieldname"]}, list(df), as_dict=True
	)
	return bool(current) and all(str(current.get(k) or "") == str(v or "") for k, v in df.items())


def ensure_module_def():
	if not frappe.db.exists("Module Def", MODULE):
		frappe.get_doc({"doctype": "Module Def", "module_name": MODULE, "app_name": "shopee_bridge"}).insert(
			ignore_permissions=True
		)


def ensure_role():
	if frappe.db.table_exists("Role") and not frappe.db.exists("Role", MANAGER_ROLE):
		frappe.get_doc({"doctype": "Role", "role_name": MANAGER_ROLE, "desk_access": 1}).insert(
			ignore_permissions=True
		)


def ensure_customer_unique_index():
	"""A buyer key is unique per shop; customers not from Shopee keep NULLs, which MariaDB doesn't compare."""
	if not _index_exists("tabCustomer", CUSTOMER_UNIQUE_CONSTRAINT):
		frappe.db.add_unique(
			"Customer", [SHOP_FIELD, CUSTOMER_KEY_FIELD], constraint_name=CUSTOMER_UNIQUE_CONSTRAINT
		)


def _index_exists(table: str, index_name: str) -> bool:
	return bool(frappe.db.sql(f"SHOW INDEX FROM `{table}` WHERE Key_name=%s", index_name))


def ensure_settings():
	"""Create the Shopee Settings single with its defaults and derived URLs."""
	settings = frappe.get_single(SETTINGS)
	settings.flags.ignore_mandatory = True
	settings.save(ignore_permissions=True)


def ensure_workspace():
	"""The workspace ships as JSON in the module; re-import it if someone deleted it."""
	if not frappe.db.exists("Workspace", WORKSPACE):
		frappe.reload_doc("shopee_bridge", "workspace", "shopee_bridge", force=True)


def before_tests():
	"""Make a bare test site usable: Company, fiscal year, warehouses, price lists."""
	frappe.clear_cache()
	if not frappe.db.get_all("Company", limit=1):
		from erpnext.setup.utils import before_tests as erpnext_before_tests

		erpnext_before_tests()
	setup()
	frappe.db.commit()  # nosemgrep: the test runner expects the bootstrap to persist across test classes
