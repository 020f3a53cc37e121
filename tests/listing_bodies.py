"""Images and valid add_item bodies for the sandbox listing tests (one per kind of leaf category)."""

import struct
import zlib

import requests

from shopee_bridge import auth
from shopee_bridge.sandbox.images import sample_png

SHOP_ID = 600001
MUG, T_SHIRT, PHONE_CASE, LAMP, VITAMINS = 101001, 102001, 103001, 101015, 106011
HTTP = requests.Session()
HTTP.trust_env = False  # loopback only


def png(extra: bytes = b"") -> bytes:
	"""A 1x1 PNG (extra bytes go into a private chunk, to make it as large as a test needs)."""
	return sample_png(0, extra)


def jpeg() -> bytes:
	"""The start and end of a JPEG (SOI, a JFIF APP0 segment, EOI): what the magic-byte check reads."""
	app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
	return b"\xff\xd8\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0 + b"\xff\xd9"


def value(value_id: int = 0, name: str | None = None, unit: str | None = None) -> dict:
	row = {"value_id": value_id}
	if name is not None:
		row["original_value_name"] = name
	if unit is not None:
		row["value_unit"] = unit
	return row


def attribute(attribute_id: int, *values: dict) -> dict:
	return {"attribute_id": attribute_id, "attribute_value_list": list(values)}


# Mandatory attributes of each leaf used in the tests, filled in validly.
ATTRIBUTES = {
	MUG: [
		attribute(100010, value(10001001)),  # Material: Ceramic (drop-down)
		attribute(100020, value(0, "350", "ml")),  # Capacity: custom quantitative value
		attribute(100030, value(0, "Hand wash only")),  # Care Instructions: free text
	],
	T_SHIRT: [
		attribute(100011, value(10001101), value(10001102)),  # Material: Cotton + Polyester
		attribute(100042, value(10004201)),  # Sleeve Length: Short Sleeve
	],
	PHONE_CASE: [
		attribute(100044, value(10004401), value(0, "iPhone 16")),  # models: listed + custom
		attribute(100012, value(10001201)),  # Material: Silicone
	],
	LAMP: [attribute(100023, value(0, "12", "W"))],  # Power: free-text int with unit
	VITAMINS: [
		attribute(100032, value(0, "60")),  # Quantity per Pack: int
		attribute(100034, value(0, "31/12/2027")),  # Expiry Date: DD/MM/YYYY
	],
}
NAMES = {
	MUG: "Sandbox Speckled Ceramic Mug 350ml",
	T_SHIRT: "Sandbox Organic Cotton Tee",
	PHONE_CASE: "Sandbox Silicone Phone Case",
	LAMP: "Sandbox Bedside Lamp LED",
	VITAMINS: "Sandbox Vitamin C 60 Tabs",
}


def add_item_body(image_ids: list[str], leaf: int = MUG, **overrides) -> dict:
	"""A body add_item accepts for the leaf category (overrides replace keys; None removes one)."""
	body = {
		"item_name": NAMES[leaf],
		"description": "A sandbox listing published from ERPNext, with enough words to pass.",
		"original_price": 19.9,
		"weight": 0.45,
		"category_id": leaf,
		"image": {"image_id_list": list(image_ids)},
		"seller_stock": [{"stock": 25}],
		"logistic_info": [{"logistic_id": 18025, "enabled": True}, {"logistic_id": 18028, "enabled": True}],
		"attribute_list": [dict(row) for row in ATTRIBUTES[leaf]],
		"brand": {"brand_id": 0, "original_brand_name": "No Brand"},
		"pre_order": {"is_pre_order": False, "days_to_ship": 2},
		"item_sku": f"ERP-{leaf}",
		"condition": "NEW",
		"item_status": "NORMAL",
	}
	if leaf == LAMP:
		body["dimension"] = {"package_length": 30, "package_width": 20, "package_height": 20}
	for key, replacement in overrides.items():
		if replacement is None:
			body.pop(key, None)
		else:
			body[key] = replacement
	return body


def tier(name: str, *options: str) -> dict:
	return {"name": name, "option_list": [{"option": option} for option in options]}


def model(tier_index: list[int], price: float = 19.9, stock: int = 5, sku: str = "") -> dict:
	return {
		"tier_index": tier_index,
		"original_price": price,
		"model_sku": sku or f"ERP-M-{'-'.join(map(str, tier_index))}",
		"seller_stock": [{"stock": stock}],
	}


def raw(srv, method: str, path: str, params=None, body=None, files=None, data=None) -> dict:
	"""A signed call (by the shop, or the partner alone on public paths) without the client's own checks,
	to see what the sandbox enforces."""
	if auth.is_public_path(path):
		signed = auth.signed_query(srv.partner_key, srv.partner_id, path)
	else:
		token = srv.issued_tokens(SHOP_ID)["access_token"]
		signed = auth.signed_query(srv.partner_key, srv.partner_id, path, token, SHOP_ID)
	query = {**signed, **(params or {})}
	extra = {"files": files, "data": data} if files is not None or data is not None else {"json": body}
	return HTTP.request(method, srv.url + path, params=query, timeout=30, **extra).json()
