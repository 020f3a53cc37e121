"""Listings from ERPNext: Shopee's rules checked on a draft, the bodies it becomes, and what changed."""

import copy

import pytest

from shopee_bridge.mappers import listings as mapper

LIMITS = {
	"price_limit": {"min_limit": 0.1, "max_limit": 100000},
	"stock_limit": {"min_limit": 0, "max_limit": 999999},
	"item_name_length_limit": {"min_limit": 10, "max_limit": 120},
	"item_image_count_limit": {"min_limit": 1, "max_limit": 9},
	"item_description_length_limit": {"min_limit": 20, "max_limit": 3000},
	"tier_variation_name_length_limit": {"min_limit": 1, "max_limit": 14},
	"tier_variation_option_length_limit": {"min_limit": 1, "max_limit": 20},
	"dts_limit": {"days_to_ship_limit": {"min_limit": 7, "max_limit": 30}, "non_pre_order_days_to_ship": 3},
	"dimension_limit": {"dimension_mandatory": False},
}
TREE = [
	{
		"attribute_id": 100,
		"name": "Material",
		"mandatory": True,
		"attribute_value_list": [{"value_id": 1001, "name": "Ceramic"}, {"value_id": 1002, "name": "Glass"}],
		"attribute_info": {"input_type": 1, "max_value_count": 1},
	},
	{
		"attribute_id": 200,
		"name": "Capacity",
		"mandatory": True,
		"attribute_value_list": [],
		"attribute_info": {
			"input_type": 3,
			"input_validation_type": 1,
			"format_type": 2,
			"attribute_unit_list": ["ml", "l"],
		},
	},
	{
		"attribute_id": 300,
		"name": "Style",
		"mandatory": False,
		"attribute_value_list": [{"value_id": 3001, "name": "Modern"}],
		"attribute_info": {"input_type": 5, "max_value_count": 2},
	},
]
REF = {
	"limits": LIMITS,
	"attribute_tree": TREE,
	"brands": [{"brand_id": 77, "original_brand_name": "Potter & Co"}],
	"brand_mandatory": False,
	"channels": [
		{"logistics_channel_id": 18028, "enabled": True},
		{"logistics_channel_id": 18099, "enabled": False},
	],
	"leaf_category_ids": {100636},
	"region": "SG",
}
DRAFT = {
	"item_code": "MUG-1",
	"item_name": "Ceramic Coffee Mug Blue",
	"description": "A sturdy ceramic coffee mug, dishwasher safe, 350 ml.",
	"sku": "MUG-1",
	"currency": "SGD",
	"region": "SG",
	"images": [{"key": "f1:abc", "file": "f1", "size": 2048, "extension": "png"}],
	"weight": 0.35,
	"dimension": {"package_length": 12, "package_width": 10, "package_height": 9},
	"brand_name": "Potter & Co",
	"brand": {"brand_id": 77, "original_brand_name": "Potter & Co"},
	"tiers": [],
	"models": [],
	"price": 12.5,
	"stock": 7,
	"category_id": 100636,
	"attributes": [
		{"attribute_id": 100, "value_id": 1001, "value": "Ceramic", "unit": ""},
		{"attribute_id": 200, "value_id": 0, "value": "350", "unit": "ml"},
	],
	"logistic_ids": [18028],
	"chosen_logistic_ids": [18028],
	"days_to_ship": 0,
	"is_pre_order": 0,
	"condition": "NEW",
}


def variant_draft(prices=(15, 16, 17, 18), tiers=("Colour", "Size")) -> dict:
	draft = copy.deepcopy(DRAFT)
	combos = [("Red", "S"), ("Red", "M"), ("Blue", "S"), ("Blue", "M")]
	draft["tiers"] = list(tiers)
	draft["models"] = [
		{
			"item_code": f"MUG-1-{c}-{s}",
			"sku": f"MUG-1-{c}-{s}",
			"options": [c, s][: len(tiers)],
			"price": price,
			"stock": 3,
		}
		for (c, s), price in zip(combos, prices, strict=True)
	]
	return draft


def fields(found: list[dict]) -> list[str]:
	return [row["field"] for row in found]


def test_a_good_draft_has_no_problems_and_becomes_add_item():
	assert mapper.problems(DRAFT, REF) == []
	body = mapper.add_item_body(DRAFT, ["img-1"], REF)
	assert body["original_price"] == 12.5
	assert body["seller_stock"] == [{"stock": 7}]
	assert body["image"] == {"image_id_list": ["img-1"]}
	assert body["brand"] == {"brand_id": 77, "original_brand_name": "Potter & Co"}
	assert body["pre_order"] == {"is_pre_order": False, "days_to_ship": 3}
	assert body["logistic_info"] == [{"logistic_id": 18028, "enabled": True}]
	assert body["attribute_list"] == [
		{"attribute_id": 100, "attribute_value_list": [{"value_id": 1001}]},
		{
			"attribute_id": 200,
			"attribute_value_list": [{"value_id": 0, "original_value_name": "350", "value_unit": "ml"}],
		},
	]
	assert body["dimension"] == {"package_length": 12, "package_width": 10, "package_height": 9}


def test_every_problem_is_listed_at_once_with_its_field():
	draft = copy.deepcopy(DRAFT)
	draft.update(
		item_name="Mug",
		description="short",
		images=[{"key": f"f{n}", "size": 10, "extension": "png"} for n in range(10)],
		attributes=[{"attribute_id": 200, "value_id": 0, "value": "3.5", "unit": "cup"}],
		brand=None,
		brand_name="Nobody Ltd",
		weight=0,
		dimension={"package_length": 12, "package_width": 0, "package_height": 9},
		price=0.01,
		logistic_ids=[18099],
	)
	found = mapper.problems(draft, REF)
	assert fields(found) == [
		"Item Name",
		"Description",
		"Images",
		"Shopee Attribute Material",
		"Shopee Attribute Capacity",
		"Brand",
		"Weight Per Unit",
		"Package Dimensions",
		"Price",
		"Logistics Channels",
	]
	capacity = found[4]["message"]
	assert "whole number" in capacity


@pytest.mark.parametrize(
	"attributes, message",
	[
		([{"attribute_id": 100, "value_id": 9999, "value": ""}], "not one Shopee offers"),
		([{"attribute_id": 100, "value_id": 0, "value": "Wood"}], "choose one from the list"),
		(
			[
				{"attribute_id": 300, "value_id": 3001},
				{"attribute_id": 300, "value_id": 0, "value": "A"},
				{"attribute_id": 300, "value_id": 0, "value": "B"},
			],
			"at most 2 values",
		),
		([{"attribute_id": 200, "value_id": 0, "value": "350", "unit": ""}], "needs a unit"),
		([{"attribute_id": 200, "value_id": 0, "value": "lots", "unit": "ml"}], "not a number"),
		([{"attribute_id": 999, "value_id": 1}], "not one of this category"),
	],
)
def test_attribute_values_are_checked_against_the_category_tree(attributes, message):
	draft = copy.deepcopy(DRAFT)
	kept = [
		row
		for row in draft["attributes"]
		if row["attribute_id"] not in {a["attribute_id"] for a in attributes}
	]
	draft["attributes"] = kept + attributes
	found = mapper.problems(draft, REF)
	assert any(message in row["message"] for row in found), found


def test_a_typed_combo_box_value_is_sent_by_name():
	draft = copy.deepcopy(DRAFT)
	draft["attributes"].append({"attribute_id": 300, "value_id": 0, "value": "Rustic"})
	assert mapper.problems(draft, REF) == []
	[style] = [a for a in mapper.attribute_list(draft["attributes"]) if a["attribute_id"] == 300]
	assert style["attribute_value_list"] == [{"value_id": 0, "original_value_name": "Rustic"}]


def test_variants_become_tiers_and_models():
	draft = variant_draft()
	assert mapper.problems(draft, REF) == []
	assert mapper.tier_variation(draft) == [
		{"name": "Colour", "option_list": [{"option": "Red"}, {"option": "Blue"}]},
		{"name": "Size", "option_list": [{"option": "S"}, {"option": "M"}]},
	]
	models = mapper.model_entries(draft)
	assert [m["tier_index"] for m in models] == [[0, 0], [0, 1], [1, 0], [1, 1]]
	assert models[3] == {
		"tier_index": [1, 1],
		"original_price": 18.0,
		"model_sku": "MUG-1-Blue-M",
		"seller_stock": [{"stock": 3}],
	}
	body = mapper.add_item_body(draft, ["img"], REF)
	assert (body["original_price"], body["seller_stock"]) == (15.0, [{"stock": 12}])


def test_the_price_ratio_follows_the_region():
	sg = variant_draft(prices=(10, 10, 10, 55))
	assert "Price" in fields(mapper.problems(sg, REF))
	my = variant_draft(prices=(10, 10, 10, 55))
	my["region"] = "MY"  # 7 in Malaysia
	assert "Price" not in fields(mapper.problems(my, REF))


def test_tier_rules():
	three = variant_draft()
	three["tiers"] = ["Colour", "Size", "Glaze"]
	assert any("at most 2 variation tiers" in row["message"] for row in mapper.problems(three, REF))
	duplicate = variant_draft()
	duplicate["models"][1]["options"] = ["Red", "S"]
	assert any("same attribute values" in row["message"] for row in mapper.problems(duplicate, REF))
	missing = variant_draft()
	missing["models"][0]["options"] = ["Red", ""]
	assert any("lacks a value" in row["message"] for row in mapper.problems(missing, REF))
	long_option = variant_draft()
	long_option["models"][0]["options"] = ["Red with a very long glaze name", "S"]
	assert any("options of 1–20" in row["message"] for row in mapper.problems(long_option, REF))


def test_prices_come_from_a_price_list_in_the_shops_currency():
	draft = copy.deepcopy(DRAFT)
	draft.update(price_list="Standard Selling", price_list_currency="SGD")
	assert mapper.problems(draft, REF) == []
	draft.update(price_list_currency="USD", price=None)
	assert mapper.problems(draft, REF) == [
		{"field": "Price", "message": "Price List Standard Selling is in USD; the shop sells in SGD"}
	]
	draft.update(price_list=None)
	assert "no Selling Price List" in mapper.problems(draft, REF)[0]["message"]


def test_pre_orders_ship_within_shopees_range():
	draft = copy.deepcopy(DRAFT)
	draft.update(is_pre_order=1, days_to_ship=3)
	assert fields(mapper.problems(draft, REF)) == ["Days to Ship"]
	draft["days_to_ship"] = 10
	assert mapper.problems(draft, REF) == []
	assert mapper.listing_fields(draft, [], REF)["pre_order"] == {"is_pre_order": True, "days_to_ship": 10}


def test_only_changed_parts_are_due():
	draft = variant_draft()
	published = mapper.fingerprint(draft)
	assert mapper.changed_parts(published, draft) == []
	priced = copy.deepcopy(draft)
	priced["models"][0].update(price=99, stock=0)  # price and stock go through the Item Map push
	assert mapper.changed_parts(published, priced) == []
	renamed = copy.deepcopy(draft)
	renamed["item_name"] = "Ceramic Coffee Mug Green"
	assert mapper.changed_parts(published, renamed) == ["listing"]
	imaged = copy.deepcopy(draft)
	imaged["images"].append({"key": "f2:def", "size": 1, "extension": "png"})
	assert mapper.changed_parts(published, imaged) == ["images"]
	fewer = copy.deepcopy(draft)
	fewer["models"].pop()
	assert mapper.changed_parts(published, fewer) == ["variants"]
	assert mapper.changed_parts(None, draft) == ["listing", "images", "variants"]


def test_new_options_grow_the_tiers_and_keep_existing_indexes():
	draft = variant_draft()
	published_tiers = mapper.tier_variation(draft)
	draft["models"].append(
		{"item_code": "MUG-1-Green-S", "sku": "G", "options": ["Green", "S"], "price": 15, "stock": 1}
	)
	draft["models"].pop(0)  # Red/S disabled
	published = {
		f"MUG-1-{c}-{s}": str(n)
		for n, (c, s) in enumerate([("Red", "S"), ("Red", "M"), ("Blue", "S"), ("Blue", "M")])
	}
	assert mapper.model_plan(draft, published) == {"add": ["MUG-1-Green-S"], "remove": ["0"]}
	grown = mapper.grown_tiers(published_tiers, draft)
	assert [o["option"] for o in grown[0]["option_list"]] == ["Red", "Blue", "Green"]
	assert mapper.index_in(grown, ["Green", "S"]) == [2, 0]
	assert mapper.index_in(grown, ["Blue", "M"]) == [1, 1]
	assert mapper.tier_mismatch(published_tiers, draft) is None
	retiered = variant_draft(tiers=("Colour",))
	assert "unlist it and publish anew" in mapper.tier_mismatch(published_tiers, retiered)
