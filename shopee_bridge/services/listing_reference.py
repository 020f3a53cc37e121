"""What Shopee says publishing needs, per shop and category, kept in the cache for a few hours.

Category tree, attribute tree, brand list, item limits and the shop's logistics channels change
rarely; validating an Item again (the form's Publish dialog, a bulk publish, an edit) reads them from
the cache and calls Shopee only when they are older than REFERENCE_TTL.
"""

import frappe

from shopee_bridge.shop_client import make_client

REFERENCE_TTL = 6 * 3600
CACHE_PREFIX = "shopee_listing_ref:"


def _cached(key: str, read):
	value = frappe.cache.get_value(CACHE_PREFIX + key)
	if value is None:
		value = read()
		frappe.cache.set_value(CACHE_PREFIX + key, value, expires_in_sec=REFERENCE_TTL)
	return value


def categories(shop: str, client=None) -> list[dict]:
	"""Shopee's category tree for the shop's region: [{category_id, parent_category_id, name, has_children}]."""
	region = frappe.db.get_value("Shopee Shop", shop, "region") or ""

	def read():
		rows = (client or make_client(shop)).get_category()
		return [
			{
				"category_id": int(row["category_id"]),
				"parent_category_id": int(row.get("parent_category_id") or 0),
				"name": row.get("display_category_name") or row.get("original_category_name") or "",
				"has_children": bool(row.get("has_children")),
			}
			for row in rows
		]

	return _cached(f"categories:{region or shop}", read)


def leaf_categories(shop: str, client=None) -> list[dict]:
	"""Leaf categories (the only ones a listing takes) as [{category_id, name: "Parent > Child > Leaf"}]."""
	rows = categories(shop, client)
	by_id = {row["category_id"]: row for row in rows}

	def path(row: dict) -> str:
		names = [row["name"]]
		while row["parent_category_id"] in by_id:
			row = by_id[row["parent_category_id"]]
			names.insert(0, row["name"])
		return " > ".join(names)

	return sorted(
		({"category_id": row["category_id"], "name": path(row)} for row in rows if not row["has_children"]),
		key=lambda row: row["name"],
	)


def category_reference(shop: str, category_id: int, client=None) -> dict:
	"""{limits, attribute_tree, brands, brand_mandatory} of a category in the shop's region."""
	client_for = lambda: client or make_client(shop)  # noqa: E731 - only a cache miss needs a client

	def read():
		shopee = client_for()
		trees = shopee.get_attribute_tree([int(category_id)])
		tree = next(
			(row.get("attribute_tree") or [] for row in trees if int(row["category_id"]) == int(category_id)),
			[],
		)
		brands = shopee.get_brand_list(int(category_id))
		return {
			"limits": shopee.get_item_limit(int(category_id)),
			"attribute_tree": tree,
			"brands": brands["brand_list"],
			"brand_mandatory": brands["is_mandatory"],
		}

	return _cached(f"category:{shop}:{category_id}", read)


def channels(shop: str, client=None) -> list[dict]:
	return _cached(f"channels:{shop}", lambda: (client or make_client(shop)).get_channel_list())


def reference(shop: str, category_id: int | None, client=None) -> dict:
	"""Everything mappers.listings.problems() checks a draft against."""
	ref = {
		"region": frappe.db.get_value("Shopee Shop", shop, "region") or "",
		"channels": channels(shop, client),
		"leaf_category_ids": {row["category_id"] for row in leaf_categories(shop, client)},
	}
	if category_id:
		ref.update(category_reference(shop, int(category_id), client))
	return ref


def recommended_categories(shop: str, item_name: str, client=None) -> list[int]:
	return _cached(
		f"recommend:{shop}:{frappe.generate_hash(item_name, 12)}",
		lambda: [int(x) for x in (client or make_client(shop)).category_recommend(item_name)],
	)


def find_brand(brands: list[dict], name: str | None) -> dict | None:
	"""The Shopee brand an ERPNext Brand names (by original or display name, any case); No Brand for none."""
	if not (name or "").strip():
		return {"brand_id": 0, "original_brand_name": "No Brand"}
	wanted = name.strip().casefold()
	for brand in brands:
		names = {
			(brand.get("original_brand_name") or "").casefold(),
			(brand.get("display_brand_name") or "").casefold(),
		}
		if wanted in names:
			return {"brand_id": int(brand["brand_id"]), "original_brand_name": brand["original_brand_name"]}
	return None
