"""Thin Shopee v2 endpoint wrappers and paging helpers, mixed into ShopeeClient.

No frappe import. Each method names its Shopee path; signing, retries and tokens live in clients.py.
"""

import mimetypes
from collections.abc import Iterable, Iterator

from shopee_bridge.client_errors import ShopeeError

MAX_WINDOW = 15 * 86400
MAX_BATCH = 50
DEFAULT_ORDER_FIELDS = (
	"buyer_user_id",
	"buyer_username",
	"estimated_shipping_fee",
	"recipient_address",
	"actual_shipping_fee",
	"actual_shipping_fee_confirmed",
	"note",
	"note_update_time",
	"item_list",
	"pay_time",
	"dropshipper",
	"dropshipper_phone",
	"split_up",
	"buyer_cancel_reason",
	"cancel_by",
	"cancel_reason",
	"fulfillment_flag",
	"pickup_done_time",
	"package_list",
	"shipping_carrier",
	"payment_method",
	"total_amount",
	"invoice_data",
	"order_chargeable_weight_gram",
	"return_request_due_date",
	"edt",
	"payment_info",
)


def time_windows(time_from: int, time_to: int, max_span: int = MAX_WINDOW) -> list[tuple[int, int]]:
	"""Split [time_from, time_to] into windows of at most max_span seconds.

	Adjacent windows share their boundary second, so nothing on an edge is lost; dedupe by key.
	"""
	if max_span <= 0:
		raise ValueError("max_span must be positive")
	windows, start = [], int(time_from)
	while start < int(time_to):
		end = min(start + max_span, int(time_to))
		windows.append((start, end))
		start = end
	return windows


def chunked(items: Iterable, size: int) -> Iterator[list]:
	"""Successive lists of at most size items."""
	batch = []
	for item in items:
		batch.append(item)
		if len(batch) == size:
			yield batch
			batch = []
	if batch:
		yield batch


def _check_span(time_from, time_to, label: str) -> None:
	if time_from is not None and time_to is not None and int(time_to) - int(time_from) > MAX_WINDOW:
		raise ValueError(f"{label} window exceeds 15 days; split it with time_windows()")


def _check_batch(values: list, label: str) -> None:
	if not 1 <= len(values) <= MAX_BATCH:
		raise ValueError(f"{label} takes 1..{MAX_BATCH} values, got {len(values)}")


PRODUCT_PAGE_SIZE = 100
MAX_MODELS_PER_CALL = 50
# get_item_list statuses the catalogue import asks for: every listing that can still be sold or edited
LISTING_STATUSES = ("NORMAL", "UNLIST", "BANNED", "REVIEWING")


class Repeated(tuple):
	"""A GET parameter sent as one key per value (item_status=A&item_status=B), as get_item_list wants."""


def _check_models(entries: list, label: str) -> None:
	if not 1 <= len(entries) <= MAX_MODELS_PER_CALL:
		raise ValueError(f"{label} takes 1..{MAX_MODELS_PER_CALL} models of one item, got {len(entries)}")


MAX_CATEGORY_IDS = 20
MAX_TIERS = 2
IMAGE_SCENES = ("normal", "desc")


def _check_tiers(tiers: list, label: str) -> None:
	if not 1 <= len(tiers) <= MAX_TIERS:
		raise ValueError(f"{label} takes 1..{MAX_TIERS} tiers, got {len(tiers)}")


class ShopeeEndpoints:
	"""Endpoint methods; the host class provides request()."""

	def _response(self, method: str, path: str, params=None, body=None, *, idempotent: bool | None = None):
		return self.request(method, path, params, body, idempotent=idempotent).get("response") or {}

	def get_shop_info(self) -> dict:
		"""GET /api/v2/shop/get_shop_info (fields are top level, so the whole envelope is returned)."""
		return self.request("GET", "/api/v2/shop/get_shop_info")

	def get_order_list(
		self,
		time_from: int,
		time_to: int,
		*,
		time_range_field: str = "update_time",
		page_size: int = 100,
		cursor: str = "",
		order_status: str | None = None,
		with_status: bool = False,
	) -> dict:
		"""GET /api/v2/order/get_order_list: one page {more, next_cursor, order_list}.

		with_status asks for each row's order_status (response_optional_fields=order_status).
		"""
		_check_span(time_from, time_to, "get_order_list")
		params = {
			"time_range_field": time_range_field,
			"time_from": int(time_from),
			"time_to": int(time_to),
			"page_size": page_size,
			"cursor": cursor,
			"order_status": order_status,
			"response_optional_fields": "order_status" if with_status else None,
		}
		return self._response("GET", "/api/v2/order/get_order_list", params)

	def iter_order_list(self, time_from: int, time_to: int, **kw) -> Iterator[dict]:
		"""Every order_list row in one ≤15-day window, following next_cursor."""
		_check_span(time_from, time_to, "iter_order_list")
		cursor, seen = "", set()
		while True:
			page = self.get_order_list(time_from, time_to, cursor=cursor, **kw)
			yield from page.get("order_list") or []
			cursor = page.get("next_cursor") or ""
			if not page.get("more") or not cursor:
				return
			if cursor in seen:
				raise ShopeeError(f"next_cursor repeated on {cursor!r}", code="cursor_loop")
			seen.add(cursor)

	def get_order_detail(self, order_sn_list: list[str], optional_fields=DEFAULT_ORDER_FIELDS) -> dict:
		"""GET /api/v2/order/get_order_detail for 1..50 orders: {order_list}."""
		order_sn_list = list(order_sn_list)
		_check_batch(order_sn_list, "get_order_detail")
		params = {"order_sn_list": order_sn_list, "response_optional_fields": list(optional_fields)}
		return self._response("GET", "/api/v2/order/get_order_detail", params)

	def iter_order_details(
		self, order_sns: Iterable[str], optional_fields=DEFAULT_ORDER_FIELDS
	) -> Iterator[dict]:
		"""Order details for any number of (deduplicated) order_sn, 50 per call."""
		for batch in chunked(dict.fromkeys(order_sns), MAX_BATCH):
			yield from self.get_order_detail(batch, optional_fields).get("order_list") or []

	def get_tracking_number(self, order_sn: str, package_number: str | None = None) -> dict:
		"""GET /api/v2/logistics/get_tracking_number (tracking_number may still be empty)."""
		params = {"order_sn": order_sn, "package_number": package_number}
		return self._response("GET", "/api/v2/logistics/get_tracking_number", params)

	def get_return_list(self, page_no: int = 0, page_size: int = 100, **filters) -> dict:
		"""GET /api/v2/returns/get_return_list: one page {more, return}."""
		_check_span(filters.get("create_time_from"), filters.get("create_time_to"), "get_return_list")
		_check_span(filters.get("update_time_from"), filters.get("update_time_to"), "get_return_list")
		params = {"page_no": page_no, "page_size": page_size, **filters}
		return self._response("GET", "/api/v2/returns/get_return_list", params)

	def iter_returns(self, page_size: int = 100, **filters) -> Iterator[dict]:
		"""Every return matching filters, walking page_no from 0."""
		for page_no in range(10_000):
			page = self.get_return_list(page_no, page_size, **filters)
			yield from page.get("return") or []
			if not page.get("more"):
				return
		raise ShopeeError("get_return_list never reported the last page", code="page_loop")

	def get_return_detail(self, return_sn: str) -> dict:
		"""GET /api/v2/returns/get_return_detail."""
		return self._response("GET", "/api/v2/returns/get_return_detail", {"return_sn": return_sn})

	def get_escrow_detail(self, order_sn: str) -> dict:
		"""GET /api/v2/payment/get_escrow_detail: {order_sn, order_income, ...}."""
		return self._response("GET", "/api/v2/payment/get_escrow_detail", {"order_sn": order_sn})

	def get_escrow_detail_batch(self, order_sn_list: list[str]) -> list:
		"""POST /api/v2/payment/get_escrow_detail_batch for 1..50 orders (read-only, so retried)."""
		order_sn_list = list(order_sn_list)
		_check_batch(order_sn_list, "get_escrow_detail_batch")
		body = {"order_sn_list": order_sn_list}
		return (
			self._response("POST", "/api/v2/payment/get_escrow_detail_batch", body=body, idempotent=True)
			or []
		)

	def get_wallet_transaction_list(
		self, create_time_from: int, create_time_to: int, page_no: int = 0, page_size: int = 100, **kw
	) -> dict:
		"""GET /api/v2/payment/get_wallet_transaction_list: one page {more, transaction_list}."""
		_check_span(create_time_from, create_time_to, "get_wallet_transaction_list")
		params = {
			"create_time_from": int(create_time_from),
			"create_time_to": int(create_time_to),
			"page_no": page_no,
			"page_size": page_size,
			**kw,
		}
		return self._response("GET", "/api/v2/payment/get_wallet_transaction_list", params)

	def iter_wallet_transactions(
		self, create_time_from: int, create_time_to: int, page_size: int = 100, **kw
	) -> Iterator[dict]:
		"""Every wallet transaction in one ≤15-day window, walking page_no from 0."""
		for page_no in range(10_000):
			page = self.get_wallet_transaction_list(
				create_time_from, create_time_to, page_no, page_size, **kw
			)
			yield from page.get("transaction_list") or []
			if not page.get("more"):
				return
		raise ShopeeError("get_wallet_transaction_list never reported the last page", code="page_loop")

	# ---- logistics: shipping, tracking, air waybills ----------------------------------------------

	def get_shipping_parameter(self, order_sn: str, package_number: str | None = None) -> dict:
		"""GET /api/v2/logistics/get_shipping_parameter: {info_needed, pickup, dropoff}."""
		params = {"order_sn": order_sn, "package_number": package_number or None}
		return self._response("GET", "/api/v2/logistics/get_shipping_parameter", params)

	def ship_order(
		self,
		order_sn: str,
		package_number: str | None = None,
		*,
		pickup: dict | None = None,
		dropoff: dict | None = None,
		non_integrated: dict | None = None,
	) -> dict:
		"""POST /api/v2/logistics/ship_order with exactly one mode; never resent (it may have been applied)."""
		modes = {"pickup": pickup, "dropoff": dropoff, "non_integrated": non_integrated}
		chosen = {mode: choice for mode, choice in modes.items() if choice is not None}
		if len(chosen) != 1:
			raise ValueError("ship_order takes exactly one of pickup, dropoff and non_integrated")
		body = {"order_sn": order_sn, **chosen}
		if package_number:
			body["package_number"] = package_number
		return self._response("POST", "/api/v2/logistics/ship_order", body=body, idempotent=False)

	def get_shipping_document_parameter(self, orders: list[dict]) -> list[dict]:
		"""POST /api/v2/logistics/get_shipping_document_parameter (a read) for 1..50 {order_sn, package_number}."""
		_check_batch(orders, "get_shipping_document_parameter")
		body = {"order_list": list(orders)}
		path = "/api/v2/logistics/get_shipping_document_parameter"
		return self._response("POST", path, body=body, idempotent=True).get("result_list") or []

	def create_shipping_document(self, orders: list[dict]) -> list[dict]:
		"""POST /api/v2/logistics/create_shipping_document for 1..50 orders; per-order fail_error in the rows."""
		_check_batch(orders, "create_shipping_document")
		body = {"order_list": list(orders)}
		path = "/api/v2/logistics/create_shipping_document"
		return self._response("POST", path, body=body, idempotent=False).get("result_list") or []

	def get_shipping_document_result(self, orders: list[dict]) -> list[dict]:
		"""POST /api/v2/logistics/get_shipping_document_result (a read): status READY, FAILED or PROCESSING."""
		_check_batch(orders, "get_shipping_document_result")
		body = {"order_list": list(orders)}
		path = "/api/v2/logistics/get_shipping_document_result"
		return self._response("POST", path, body=body, idempotent=True).get("result_list") or []

	def download_shipping_document(self, orders: list[dict], document_type: str | None = None):
		"""POST /api/v2/logistics/download_shipping_document: the document's bytes (a ShopeeFile)."""
		_check_batch(orders, "download_shipping_document")
		body = {"order_list": list(orders)}
		if document_type:
			body["shipping_document_type"] = document_type
		path = "/api/v2/logistics/download_shipping_document"
		return self.request("POST", path, body=body, idempotent=True, file=True)

	# ---- returns: the seller's answers -------------------------------------------------------------

	def confirm_return(self, return_sn: str) -> dict:
		"""POST /api/v2/returns/confirm: agree to the buyer's request (a write: never resent)."""
		body = {"return_sn": return_sn}
		return self._response("POST", "/api/v2/returns/confirm", body=body, idempotent=False)

	def offer_return_solution(self, return_sn: str, solution: str, refund_amount=None) -> dict:
		"""POST /api/v2/returns/offer: propose RETURN_REFUND or REFUND, optionally with another refund."""
		body = {"return_sn": return_sn, "proposed_solution": solution}
		if refund_amount is not None:
			body["proposed_adjusted_refund_amount"] = float(refund_amount)
		return self._response("POST", "/api/v2/returns/offer", body=body, idempotent=False)

	def accept_return_offer(self, return_sn: str) -> dict:
		"""POST /api/v2/returns/accept_offer: take the buyer's latest proposal."""
		body = {"return_sn": return_sn}
		return self._response("POST", "/api/v2/returns/accept_offer", body=body, idempotent=False)

	def dispute_return(
		self, return_sn: str, email: str, reason_id: int, text: str = "", image_list: list | None = None
	) -> dict:
		"""POST /api/v2/returns/dispute with a reason from get_return_dispute_reason and evidence modules."""
		body = {
			"return_sn": return_sn,
			"email": email,
			"dispute_reason_id": int(reason_id),
			"dispute_text_reason": text or "",
			"image_list": list(image_list or []),
		}
		return self._response("POST", "/api/v2/returns/dispute", body=body, idempotent=False)

	def get_available_solutions(self, return_sn: str) -> dict:
		"""GET /api/v2/returns/get_available_solutions: which solutions and refund range the seller may offer."""
		return self._response("GET", "/api/v2/returns/get_available_solutions", {"return_sn": return_sn})

	def get_return_dispute_reason(self, return_sn: str) -> list[dict]:
		"""GET /api/v2/returns/get_return_dispute_reason: dispute_reason_list with evidence modules."""
		path = "/api/v2/returns/get_return_dispute_reason"
		return self._response("GET", path, {"return_sn": return_sn}).get("dispute_reason_list") or []

	def get_item_list(
		self,
		item_status=LISTING_STATUSES,
		offset: int = 0,
		page_size: int = PRODUCT_PAGE_SIZE,
		update_time_from: int | None = None,
		update_time_to: int | None = None,
	) -> dict:
		"""GET /api/v2/product/get_item_list: one page {item, total_count, has_next_page, next_offset}."""
		params = {
			"offset": offset,
			"page_size": page_size,
			"item_status": Repeated(item_status),
			"update_time_from": update_time_from,
			"update_time_to": update_time_to,
		}
		return self._response("GET", "/api/v2/product/get_item_list", params)

	def iter_item_list(
		self,
		item_status=LISTING_STATUSES,
		page_size: int = PRODUCT_PAGE_SIZE,
		update_time_from: int | None = None,
		update_time_to: int | None = None,
	) -> Iterator[dict]:
		"""Every {item_id, item_status, update_time} of the shop in those statuses (updated in the range,
		when given), following next_offset."""
		offset = 0
		while True:
			page = self.get_item_list(item_status, offset, page_size, update_time_from, update_time_to)
			yield from page.get("item") or []
			next_offset = int(page.get("next_offset") or 0)
			if not page.get("has_next_page"):
				return
			if next_offset <= offset:
				raise ShopeeError(f"get_item_list next_offset did not move past {offset}", code="page_loop")
			offset = next_offset

	def get_item_base_info(self, item_ids: list) -> list[dict]:
		"""GET /api/v2/product/get_item_base_info for 1..50 items: their item_list entries."""
		item_ids = [int(item_id) for item_id in item_ids]
		_check_batch(item_ids, "get_item_base_info")
		params = {"item_id_list": item_ids}
		return self._response("GET", "/api/v2/product/get_item_base_info", params).get("item_list") or []

	def iter_item_base_info(self, item_ids: Iterable) -> Iterator[dict]:
		"""Base info of any number of (deduplicated) items, 50 per call."""
		for batch in chunked(dict.fromkeys(int(item_id) for item_id in item_ids), MAX_BATCH):
			yield from self.get_item_base_info(batch)

	def get_model_list(self, item_id) -> dict:
		"""GET /api/v2/product/get_model_list: {tier_variation, model} of one item."""
		return self._response("GET", "/api/v2/product/get_model_list", {"item_id": int(item_id)})

	def update_stock(self, item_id, stock_list: list[dict]) -> dict:
		"""POST /api/v2/product/update_stock: absolute seller stock of 1..50 models of one item.

		Sent again safely after a lost answer (the values are absolute), so it is retried like a read.
		Returns {success_list, failure_list}: read failure_list, models there were not changed.
		"""
		_check_models(stock_list, "update_stock")
		body = {"item_id": int(item_id), "stock_list": stock_list}
		return self._response("POST", "/api/v2/product/update_stock", body=body, idempotent=True)

	def update_price(self, item_id, price_list: list[dict]) -> dict:
		"""POST /api/v2/product/update_price: original_price of 1..50 models of one item (absolute, retried)."""
		_check_models(price_list, "update_price")
		body = {"item_id": int(item_id), "price_list": price_list}
		return self._response("POST", "/api/v2/product/update_price", body=body, idempotent=True)

	# ---- listings: reference data, images, publishing ---------------------------------------------
	# Writes are sent once (idempotent=False): resending add_item or add_model after a lost answer
	# could create a second listing or model; read the listing back instead.

	def get_category(self, language: str | None = None) -> list[dict]:
		"""GET /api/v2/product/get_category: the whole category tree as a flat category_list."""
		params = {"language": language or None}
		return self._response("GET", "/api/v2/product/get_category", params).get("category_list") or []

	def category_recommend(self, item_name: str) -> list[int]:
		"""GET /api/v2/product/category_recommend: leaf category ids for an item name, best first."""
		if not str(item_name or "").strip():
			raise ValueError("category_recommend needs an item_name")
		params = {"item_name": str(item_name).strip()}
		found = self._response("GET", "/api/v2/product/category_recommend", params).get("category_id")
		return [int(category_id) for category_id in found or []]

	def get_attribute_tree(self, category_ids: list[int]) -> list[dict]:
		"""GET /api/v2/product/get_attribute_tree for 1..20 categories: [{category_id, attribute_tree}]."""
		category_ids = [int(category_id) for category_id in category_ids]
		if not 1 <= len(category_ids) <= MAX_CATEGORY_IDS:
			raise ValueError(
				f"get_attribute_tree takes 1..{MAX_CATEGORY_IDS} category ids, got {len(category_ids)}"
			)
		params = {"category_id_list": category_ids}
		return self._response("GET", "/api/v2/product/get_attribute_tree", params).get("list") or []

	def get_brand_list(self, category_id) -> dict:
		"""A category's normal brands, every page (GET /api/v2/product/get_brand_list, 100 a page):
		{brand_list, is_mandatory}."""
		brands, mandatory, offset = [], False, 0
		while True:
			params = {
				"category_id": int(category_id),
				"offset": offset,
				"page_size": PRODUCT_PAGE_SIZE,
				"status": 1,
			}
			page = self._response("GET", "/api/v2/product/get_brand_list", params)
			brands += page.get("brand_list") or []
			mandatory = mandatory or bool(page.get("is_mandatory"))
			next_offset = int(page.get("next_offset") or 0)
			if not page.get("has_next_page"):
				return {"brand_list": brands, "is_mandatory": mandatory}
			if next_offset <= offset:
				raise ShopeeError(f"get_brand_list next_offset did not move past {offset}", code="page_loop")
			offset = next_offset

	def get_item_limit(self, category_id) -> dict:
		"""GET /api/v2/product/get_item_limit: price, stock, name, image, description, tier and dts limits."""
		return self._response("GET", "/api/v2/product/get_item_limit", {"category_id": int(category_id)})

	def get_channel_list(self) -> list[dict]:
		"""GET /api/v2/logistics/get_channel_list: the shop's logistics channels (read `enabled`)."""
		path = "/api/v2/logistics/get_channel_list"
		return self._response("GET", path).get("logistics_channel_list") or []

	def upload_image(self, content: bytes, filename: str, scene: str = "normal") -> dict:
		"""POST /api/v2/media_space/upload_image (multipart field "image"): {image_id, image_url_list}."""
		if not isinstance(content, bytes | bytearray) or not content:
			raise ValueError("upload_image needs the image's bytes")
		if scene not in IMAGE_SCENES:
			raise ValueError(f"scene must be one of {', '.join(IMAGE_SCENES)}, not {scene!r}")
		content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
		files = {"image": (filename, bytes(content), content_type)}
		envelope = self.request(
			"POST", "/api/v2/media_space/upload_image", body={"scene": scene}, idempotent=False, files=files
		)
		return (envelope.get("response") or {}).get("image_info") or {}

	def add_item(self, body: dict) -> dict:
		"""POST /api/v2/product/add_item: a new listing (without models); the response holds item_id."""
		return self._write("/api/v2/product/add_item", dict(body))

	def init_tier_variation(self, item_id, tier_variation: list, model: list) -> dict:
		"""POST /api/v2/product/init_tier_variation: 1..2 tiers and the first 1..50 models of a listing."""
		_check_tiers(tier_variation, "init_tier_variation")
		_check_models(model, "init_tier_variation")
		body = {"item_id": int(item_id), "tier_variation": list(tier_variation), "model": list(model)}
		return self._write("/api/v2/product/init_tier_variation", body)

	def add_model(self, item_id, model_list: list) -> dict:
		"""POST /api/v2/product/add_model: 1..50 more models of a listing with tiers: {model}."""
		_check_models(model_list, "add_model")
		body = {"item_id": int(item_id), "model_list": list(model_list)}
		return self._write("/api/v2/product/add_model", body)

	def update_model(self, item_id, model: list) -> dict:
		"""POST /api/v2/product/update_model: model_sku, weight, dimension, pre_order of 1..50 models."""
		_check_models(model, "update_model")
		return self._write("/api/v2/product/update_model", {"item_id": int(item_id), "model": list(model)})

	def update_tier_variation(self, item_id, tier_variation: list, model_list: list | None = None) -> dict:
		"""POST /api/v2/product/update_tier_variation: grow or rename options; model_list moves models."""
		_check_tiers(tier_variation, "update_tier_variation")
		body = {"item_id": int(item_id), "tier_variation": list(tier_variation)}
		if model_list is not None:
			if len(model_list) > MAX_MODELS_PER_CALL:
				raise ValueError(f"update_tier_variation takes at most {MAX_MODELS_PER_CALL} models")
			body["model_list"] = list(model_list)
		return self._write("/api/v2/product/update_tier_variation", body)

	def delete_model(self, item_id, model_id) -> dict:
		"""POST /api/v2/product/delete_model: one model of a listing (not its last)."""
		body = {"item_id": int(item_id), "model_id": int(model_id)}
		return self._write("/api/v2/product/delete_model", body)

	def update_item(self, body: dict) -> dict:
		"""POST /api/v2/product/update_item: body {item_id, any add_item fields}."""
		if not body.get("item_id"):
			raise ValueError("update_item needs the item_id in its body")
		return self._write("/api/v2/product/update_item", {**body, "item_id": int(body["item_id"])})

	def unlist_item(self, items: list) -> dict:
		"""POST /api/v2/product/unlist_item for 1..50 (item_id, unlist) pairs or {item_id, unlist} dicts.

		Returns {success_list, failure_list}: read failure_list, those items did not change.
		"""
		item_list = [
			{"item_id": int(entry["item_id"]), "unlist": bool(entry["unlist"])}
			if isinstance(entry, dict)
			else {"item_id": int(entry[0]), "unlist": bool(entry[1])}
			for entry in items
		]
		_check_batch(item_list, "unlist_item")
		return self._write("/api/v2/product/unlist_item", {"item_list": item_list})

	def delete_item(self, item_id) -> dict:
		"""POST /api/v2/product/delete_item: the listing becomes SELLER_DELETE."""
		return self._write("/api/v2/product/delete_item", {"item_id": int(item_id)})

	def _write(self, path: str, body: dict) -> dict:
		return self._response("POST", path, body=body, idempotent=False)
