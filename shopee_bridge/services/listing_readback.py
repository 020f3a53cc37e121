"""What Shopee shows of a shop's listings now, read back onto their Shopee Item Map rows.

Stock, statuses (including Shopee's moderation: BANNED, REVIEWING, SHOPEE_DELETE), location and
price come from get_item_base_info (50 items per call) and get_model_list per item with variations.
"""

import frappe
from frappe.utils import now_datetime

from shopee_bridge.constants import ITEM_MAP
from shopee_bridge.mappers import catalogue as mapper

SHOPEE_FIELDS = ("location_id", "item_status", "model_status", "shopee_price")


def read_shopee_rows(client, item_ids: list) -> dict[tuple[str, str], dict]:
	"""{(item_id, model_id): map row as Shopee has it now} for the items."""
	fresh = {}
	for info in client.iter_item_base_info(item_ids):
		models = client.get_model_list(info["item_id"]) if info.get("has_model") else None
		for row in mapper.listing_rows(info, models):
			fresh[(row["item_id"], row["model_id"])] = row
	return fresh


def store_shopee_rows(shop: str, fresh: dict[tuple[str, str], dict]) -> None:
	"""Keep what Shopee said (stock, statuses, location, price) on the shop's existing rows."""
	if not fresh:
		return
	now = now_datetime()
	rows = frappe.get_all(
		ITEM_MAP,
		filters={"shop": shop, "item_id": ["in", sorted({item_id for item_id, _model in fresh})]},
		fields=["name", "item_id", "model_id"],
	)
	for row in rows:
		found = fresh.get((row.item_id, row.model_id))
		if found:
			values = {key: found.get(key) or "" for key in SHOPEE_FIELDS}
			if found.get("shopee_stock") is not None:
				values.update(shopee_stock=found["shopee_stock"], shopee_stock_at=now)
			frappe.db.set_value(ITEM_MAP, row.name, values, update_modified=False)
