"""Publishing listings on the sandbox through ShopeeClient: reference data, images, add_item and its refusals."""

import json
from pathlib import Path

import pytest
from listing_bodies import (
	LAMP,
	MUG,
	PHONE_CASE,
	SHOP_ID,
	T_SHIRT,
	VITAMINS,
	add_item_body,
	attribute,
	jpeg,
	png,
	raw,
	value,
)
from sandbox_shop import make_client

from shopee_bridge.clients import ShopeeError, ShopeeParamError, ShopeeServerError
from shopee_bridge.sandbox import SandboxServer
from shopee_bridge.sandbox.categories import LEAVES
from shopee_bridge.sandbox.media import MAX_IMAGE_BYTES

UPLOAD = "/api/v2/media_space/upload_image"
ADD_ITEM = "/api/v2/product/add_item"


@pytest.fixture
def image_id(client) -> str:
	return client.upload_image(png(), "front.png")["image_id"]


def refusal(call) -> ShopeeError:
	with pytest.raises(ShopeeError) as caught:
		call()
	return caught.value


# -- reference data ---------------------------------------------------------------------------------


def test_category_tree_has_three_levels_and_only_leaves_without_children(client):
	rows = {row["category_id"]: row for row in client.get_category(language="en")}
	leaves = [row for row in rows.values() if not row["has_children"]]
	assert len(leaves) == len(LEAVES) == 39
	for leaf in leaves:
		parent = rows[leaf["parent_category_id"]]
		assert parent["has_children"] and rows[parent["parent_category_id"]]["parent_category_id"] == 0
	assert rows[MUG]["original_category_name"] == "Mugs"
	assert refusal(lambda: client.get_category(language="xx")).code == "error_invalid_language"


def test_category_recommend_matches_keywords_best_first(client):
	assert client.category_recommend("Ceramic Mug 350ml")[0] == MUG
	assert client.category_recommend("Ceramic Coffee Mug")[:2] == [MUG, 105002]  # the head noun first
	assert client.category_recommend("Silicone phone case for iPhone 15")[0] == PHONE_CASE
	assert client.category_recommend("Cotton crew neck T-Shirt")[0] == T_SHIRT
	assert client.category_recommend("Quantum flux capacitor") == []
	with pytest.raises(ValueError):
		client.category_recommend("  ")


def test_attribute_trees_have_one_to_three_mandatory_attributes_of_mixed_kinds(client):
	kinds = set()
	for start in range(0, len(LEAVES), 20):
		for row in client.get_attribute_tree(list(LEAVES[start : start + 20])):
			mandatory = [entry for entry in row["attribute_tree"] if entry["mandatory"]]
			assert 1 <= len(mandatory) <= 3, row["category_id"]
			assert len(mandatory) < len(row["attribute_tree"]), "some optional ones too"
			kinds |= {entry["attribute_info"]["input_type"] for entry in row["attribute_tree"]}
	assert kinds == {1, 2, 3, 4, 5}
	mug = {entry["name"]: entry for entry in client.get_attribute_tree([MUG])[0]["attribute_tree"]}
	assert mug["Material"]["attribute_info"]["input_type"] == 1
	assert mug["Capacity"]["attribute_info"]["format_type"] == 2
	assert mug["Capacity"]["attribute_info"]["attribute_unit_list"] == ["ml", "l"]
	assert mug["Care Instructions"]["attribute_info"]["input_type"] == 3
	assert mug["Colour"]["attribute_info"]["max_value_count"] == 3


def test_attribute_tree_limits_and_parent_categories(client, sandbox):
	parent = client.get_attribute_tree([100100])[0]
	assert parent["attribute_tree"] == [] and "not leaf" in parent["warning"]
	with pytest.raises(ValueError):
		client.get_attribute_tree(list(LEAVES[:21]))
	answer = raw(
		sandbox,
		"GET",
		"/api/v2/product/get_attribute_tree",
		{"category_id_list": ",".join(map(str, LEAVES[:21]))},
	)
	assert answer["error"] == "error_param"
	assert refusal(lambda: client.get_attribute_tree([999])).code == "error_invalid_category"


def test_brand_list_pages_through_more_than_a_hundred_brands(client, sandbox):
	brands = client.get_brand_list(T_SHIRT)["brand_list"]
	assert len(brands) == 134 and len({row["brand_id"] for row in brands}) == 134
	assert 0 not in {row["brand_id"] for row in brands}  # "No Brand" is id 0, never listed
	assert sandbox.call_counts["/api/v2/product/get_brand_list"] == 2
	page = raw(
		sandbox,
		"GET",
		"/api/v2/product/get_brand_list",
		{"category_id": PHONE_CASE, "offset": 0, "page_size": 100, "status": 1},
	)
	assert page["response"]["is_mandatory"] is True and page["response"]["input_type"] == "DROP_DOWN"
	too_big = {"category_id": MUG, "offset": 0, "page_size": 101, "status": 1}
	assert raw(sandbox, "GET", "/api/v2/product/get_brand_list", too_big)["error"] == "error_param"
	no_status = {"category_id": MUG, "offset": 0, "page_size": 10}
	assert (
		raw(sandbox, "GET", "/api/v2/product/get_brand_list", no_status)["message"] == "status is required."
	)
	assert isinstance(refusal(lambda: client.get_brand_list(100100)), ShopeeParamError)


def test_item_limit_in_the_shops_currency(client, partner):
	limit = client.get_item_limit(MUG)
	assert limit["price_limit"] == {"min_limit": 0.1, "max_limit": 100000}
	assert limit["item_name_length_limit"] == {"min_limit": 10, "max_limit": 120}
	assert limit["item_image_count_limit"] == {"min_limit": 1, "max_limit": 9}
	assert limit["item_description_length_limit"] == {"min_limit": 20, "max_limit": 3000}
	assert limit["dts_limit"] == {
		"days_to_ship_limit": {"min_limit": 7, "max_limit": 30},
		"non_pre_order_days_to_ship": 3,
	}
	assert limit["weight_limit"] == {"weight_mandatory": True}
	assert limit["dimension_limit"] == {"dimension_mandatory": False}
	assert client.get_item_limit(LAMP)["dimension_limit"] == {"dimension_mandatory": True}
	shop = {"shop_id": SHOP_ID, "region": "ID", "currency": "IDR"}
	with SandboxServer(partner["partner_id"], partner["partner_key"], orders=5, shops=[shop]) as indonesia:
		assert make_client(indonesia).get_item_limit(MUG)["price_limit"] == {
			"min_limit": 100,
			"max_limit": 150_000_000,
		}


def test_channel_list_has_one_channel_disabled_for_the_shop(client):
	channels = client.get_channel_list()
	assert len(channels) == 4
	assert [row["logistics_channel_id"] for row in channels if not row["enabled"]] == [18099]
	assert all(row["weight_limit"]["item_max_weight"] > 0 for row in channels)


# -- images -----------------------------------------------------------------------------------------


def test_upload_png_and_jpeg(client, sandbox):
	records = []
	client.on_call = records.append
	first = client.upload_image(png(), "front.png")
	second = client.upload_image(jpeg(), "side.jpg", scene="desc")
	assert first["image_id"] != second["image_id"]
	assert first["image_url_list"][0] == {
		"image_url_region": "SG",
		"image_url": f"https://cf.shopee.sg/file/{first['image_id']}",
	}
	logged = [call["body"] for call in sandbox.calls if call["path"] == UPLOAD]
	assert logged == [
		{"scene": "normal", "image": [f"front.png ({len(png())} bytes)"]},
		{"scene": "desc", "image": [f"side.jpg ({len(jpeg())} bytes)"]},
	]
	assert records[0].params["image"] == f"front.png ({len(png())} bytes)"
	assert (
		records[0].params["sign"] == "***" and "access_token" not in records[0].params
	)  # signed by the partner alone
	text = repr(records)
	assert sandbox.partner_key not in text and sandbox.issued_tokens(SHOP_ID)["access_token"] not in text


def test_upload_refuses_what_is_not_a_jpg_or_png_and_what_is_over_10_mb(client, sandbox):
	gif = refusal(lambda: client.upload_image(b"GIF89a\x01\x00\x01\x00", "anim.gif"))
	assert gif.code == "error_param" and "JPG, JPEG, PNG" in gif.message
	text = refusal(lambda: client.upload_image(b"just some text", "notes.png"))
	assert "JPG, JPEG, PNG" in text.message  # the name does not make it an image
	big = png(b"\x00" * (MAX_IMAGE_BYTES - len(png()) + 100))
	assert len(big) > MAX_IMAGE_BYTES
	assert "10.0 MB" in refusal(lambda: client.upload_image(big, "huge.png")).message
	assert client.upload_image(png(b"\x00" * (MAX_IMAGE_BYTES - len(png()) - 12)), "edge.png")["image_id"]
	with pytest.raises(ValueError):
		client.upload_image(b"", "empty.png")
	with pytest.raises(ValueError):
		client.upload_image(png(), "front.png", scene="banner")
	assert raw(sandbox, "POST", UPLOAD, body={"scene": "normal"})["message"].endswith(
		"image is required (multipart field image)."
	)
	two = raw(sandbox, "POST", UPLOAD, files=[("image", ("a.png", png())), ("image", ("b.png", png()))])
	assert two["message"].endswith("upload one image per call.")
	bad_scene = raw(sandbox, "POST", UPLOAD, files={"image": ("a.png", png())}, data={"scene": "banner"})
	assert bad_scene["error"] == "error_param"


def test_writes_are_not_resent_after_a_lost_answer(client, sandbox, image_id):
	sandbox.inject_fault(UPLOAD, "drop_after_apply")
	with pytest.raises(ShopeeServerError):
		client.upload_image(png(), "front.png")
	sandbox.inject_fault(ADD_ITEM, "drop_after_apply")
	with pytest.raises(ShopeeServerError):
		client.add_item(add_item_body([image_id]))
	assert sandbox.call_counts[UPLOAD] == 2 and sandbox.call_counts[ADD_ITEM] == 1
	sandbox.inject_fault(ADD_ITEM, "server_error")  # answered with an error: not applied, so resent
	assert client.add_item(add_item_body([image_id]))["item_id"]
	assert sandbox.call_counts[ADD_ITEM] == 3


# -- add_item -----------------------------------------------------------------------------------------


def test_a_published_listing_is_an_ordinary_listing(client, sandbox, image_id):
	body = add_item_body(
		[image_id], LAMP, brand={"brand_id": 1_100_001, "original_brand_name": "Sandbox Basics"}
	)
	created = client.add_item(body)
	item_id = created["item_id"]
	assert created["price_info"] == {"original_price": 19.9, "current_price": 19.9}
	assert created["seller_stock"] == [{"stock": 25}] and created["images"]["image_id_list"] == [image_id]
	assert {"item_id": item_id, "item_status": "NORMAL"}.items() <= next(
		row for row in client.iter_item_list() if row["item_id"] == item_id
	).items()
	info = client.get_item_base_info([item_id])[0]
	assert info["item_name"] == "Sandbox Bedside Lamp LED" and info["item_sku"] == f"ERP-{LAMP}"
	assert info["category_id"] == LAMP and info["has_model"] is False
	assert info["brand"] == {"brand_id": 1_100_001, "original_brand_name": "Sandbox Basics"}
	assert info["image"]["image_id_list"] == [image_id] and info["weight"] == "0.45"
	assert info["dimension"] == {"package_length": 30, "package_width": 20, "package_height": 20}
	assert info["attribute_list"] == [
		{
			"attribute_id": 100023,
			"original_attribute_name": "Power",
			"is_mandatory": True,
			"attribute_value_list": [{"value_id": 0, "original_value_name": "12", "value_unit": "W"}],
		}
	]
	assert info["price_info"][0]["original_price"] == 19.9
	assert info["stock_info_v2"]["seller_stock"] == [{"stock": 25, "if_saleable": True}]
	assert client.get_model_list(item_id) == {"tier_variation": [], "model": []}
	assert (
		client.update_stock(item_id, [{"model_id": 0, "seller_stock": [{"stock": 7}]}])["failure_list"] == []
	)
	assert client.update_price(item_id, [{"model_id": 0, "original_price": 21.5}])["failure_list"] == []
	info = client.get_item_base_info([item_id])[0]
	assert (
		info["stock_info_v2"]["seller_stock"][0]["stock"] == 7
		and info["price_info"][0]["original_price"] == 21.5
	)


def test_attribute_values_of_every_kind_are_accepted(client, image_id):
	for category_id in (MUG, T_SHIRT, VITAMINS):
		assert client.add_item(add_item_body([image_id], category_id))["category_id"] == category_id
	case = add_item_body([image_id], PHONE_CASE, brand={"brand_id": 0, "original_brand_name": "No Brand"})
	attributes = client.add_item(case)["attribute"]
	assert attributes[0]["attribute_value_list"] == [
		{"value_id": 10004401, "original_value_name": "iPhone 15", "value_unit": ""},
		{"value_id": 0, "original_value_name": "iPhone 16", "value_unit": ""},
	]


MUG_ATTRIBUTES = add_item_body(["x"])["attribute_list"]


def _mug_attributes(*replace: dict, drop: int | None = None) -> list[dict]:
	rows = {row["attribute_id"]: row for row in MUG_ATTRIBUTES if row["attribute_id"] != drop}
	rows.update({row["attribute_id"]: row for row in replace})
	return list(rows.values())


REFUSALS = [
	("not a leaf", {"category_id": 100100}, "error_param", "not leaf category"),
	("unknown category", {"category_id": 999}, "error_invalid_category", "Invalid category ID 999"),
	(
		"mandatory attribute missing",
		{"attribute_list": _mug_attributes(drop=100020)},
		"error_less_required_attribute",
		"Capacity (100020)",
	),
	(
		"value of another attribute",
		{"attribute_list": _mug_attributes(attribute(100010, value(10004001)))},
		"error_invalid_attribute_value",
		"does not belong to Material",
	),
	(
		"custom value in a drop-down",
		{"attribute_list": _mug_attributes(attribute(100010, value(0, "Jade")))},
		"error_invalid_attribute_value",
		"only takes its listed value ids",
	),
	(
		"value id on free text",
		{"attribute_list": _mug_attributes(attribute(100030, value(10003001)))},
		"error_value_id_must_equal_zero",
		"Value_id must equal 0",
	),
	(
		"free text without text",
		{"attribute_list": _mug_attributes(attribute(100030, value(0)))},
		"error_value_name_required",
		"Value_name is required",
	),
	(
		"free text too long",
		{"attribute_list": _mug_attributes(attribute(100030, value(0, "x" * 41)))},
		"error_invalid_attribute_value",
		"text of 1 to 40",
	),
	(
		"not a whole number",
		{"attribute_list": _mug_attributes(attribute(100032, value(0, "two")))},
		"error_invalid_attribute_value",
		"takes a whole number",
	),
	(
		"not a number",
		{"attribute_list": _mug_attributes(attribute(100020, value(0, "big", "ml")))},
		"error_invalid_attribute_value",
		"takes a number",
	),
	(
		"unit not offered",
		{"attribute_list": _mug_attributes(attribute(100020, value(0, "12", "oz")))},
		"error_invalid_attribute_value",
		"should be one of ml, l",
	),
	(
		"quantity without unit",
		{"attribute_list": _mug_attributes(attribute(100020, value(0, "350")))},
		"error_invalid_attribute_value",
		"should be one of ml, l",
	),
	(
		"too many values",
		{"attribute_list": _mug_attributes(attribute(100040, *(value(10004000 + n) for n in (1, 2, 3, 4))))},
		"error_invalid_attribute_value",
		"at most 3 value(s)",
	),
	(
		"two values for a single one",
		{"attribute_list": _mug_attributes(attribute(100010, value(10001001), value(10001002)))},
		"error_invalid_attribute_value",
		"at most 1 value(s)",
	),
	(
		"attribute of another category",
		{"attribute_list": _mug_attributes(attribute(100042, value(10004201)))},
		"error_invalid_category_attribute",
		"Category and attribute not match",
	),
	("empty name", {"item_name": "   "}, "error_item_name_empty", "Item name could not be empty."),
	("name too short", {"item_name": "Mug 350ml"}, "error_item_name_is_too_short", "less than min limit 10"),
	(
		"name too long",
		{"item_name": "Sandbox Mug " + "x" * 109},
		"error_title_exceeds_max_length",
		"bigger than max limit 120",
	),
	(
		"prohibited word",
		{"item_name": "Replica Designer Ceramic Mug"},
		"error_item_name",
		"Item name contains prohibited words: replica",
	),
	(
		"description too short",
		{"description": "Nice mug."},
		"error_desc_length_min_limit",
		"less than the min limit",
	),
	("description too long", {"description": "x" * 3001}, "error_param", "more than the max limit 3000"),
	("no image", {"image": {"image_id_list": []}}, "error_image_num_min", "at least 1"),
	(
		"image never uploaded",
		{"image": {"image_id_list": ["sg-11134201-made-up"]}},
		"error_param",
		"Image not exist: sg-11134201-made-up",
	),
	(
		"price below the limit",
		{"original_price": 0.05},
		"error_price_exceed_min_limitt",
		"less than min price limit 0.1",
	),
	(
		"price above the limit",
		{"original_price": 100000.5},
		"error_price_exceed_max_limitt",
		"bigger than max price limit",
	),
	("price with three decimals", {"original_price": 12.345}, "error_invalid_price", "correct format"),
	(
		"negative stock",
		{"seller_stock": [{"stock": -1}]},
		"error_param",
		"stock should be a whole number from 0 to 999999",
	),
	("stock above the limit", {"seller_stock": [{"stock": 1_000_000}]}, "error_param", "from 0 to 999999"),
	("no weight", {"weight": None}, "error_param", "Invalid Weight."),
	("zero weight", {"weight": 0}, "error_param", "Invalid Weight."),
	(
		"bad dimension",
		{"dimension": {"package_length": 10, "package_width": 0, "package_height": 5}},
		"error_param",
		"package_width",
	),
	(
		"unknown channel",
		{"logistic_info": [{"logistic_id": 12345, "enabled": True}]},
		"error_invalid_logistic_info",
		"logistic_id 12345 does not exist",
	),
	(
		"channel disabled for the shop",
		{"logistic_info": [{"logistic_id": 18025, "enabled": True}, {"logistic_id": 18099, "enabled": True}]},
		"error_invalid_logistic_info",
		"18099 (Sandbox Bulky Delivery) is not enabled for the shop",
	),
	(
		"no channel enabled",
		{"logistic_info": [{"logistic_id": 18025, "enabled": False}]},
		"error_param",
		"At least one shipping channel must be enabled",
	),
	(
		"too heavy for the channel",
		{"weight": 40, "logistic_info": [{"logistic_id": 18025, "enabled": True}]},
		"error_invalid_logistic_info",
		"over the 30 kg limit of SPX Express",
	),
	(
		"brand not of the category",
		{"brand": {"brand_id": 1_234_567, "original_brand_name": "Nope"}},
		"error_invalid_brand",
		"Invalid brand 1234567",
	),
	(
		"item_sku too long",
		{"item_sku": "S" * 101},
		"error_param",
		"item_sku length should be no more than 100",
	),
	(
		"days to ship of a stocked item",
		{"pre_order": {"is_pre_order": False, "days_to_ship": 5}},
		"error_param_dts_exceeds_max_limit",
		"exceeds max limit 3",
	),
	(
		"pre-order too soon",
		{"pre_order": {"is_pre_order": True, "days_to_ship": 5}},
		"error_invalid_days_to_ship",
		"7 to 30",
	),
	(
		"pre-order too late",
		{"pre_order": {"is_pre_order": True, "days_to_ship": 31}},
		"error_param_dts_exceeds_max_limit",
		"exceeds max limit 30",
	),
	("unknown condition", {"condition": "BROKEN"}, "error_param", "condition should be one of NEW, USED"),
	(
		"unknown status",
		{"item_status": "BANNED"},
		"error_param",
		"item_status should be one of NORMAL, UNLIST",
	),
	(
		"location of another shop",
		{"seller_stock": [{"stock": 3, "location_id": "IDZ"}]},
		"error_auth",
		"location_id input is not matched",
	),
]


@pytest.mark.parametrize(
	("overrides", "code", "message"), [row[1:] for row in REFUSALS], ids=[row[0] for row in REFUSALS]
)
def test_add_item_refusals(client, sandbox, image_id, overrides, code, message):
	listed = len(sandbox.dataset.products.item_ids(SHOP_ID))
	error = refusal(lambda: client.add_item(add_item_body([image_id], **overrides)))
	assert (error.code, message in error.message) == (code, True), error.message
	assert len(sandbox.dataset.products.item_ids(SHOP_ID)) == listed
	assert client.add_item(add_item_body([image_id]))["item_id"]  # the same body without the fault passes


def test_refusals_that_depend_on_the_category(client, image_id):
	no_dimension = add_item_body([image_id], LAMP, dimension=None)
	assert refusal(lambda: client.add_item(no_dimension)).message == "dimension is required"
	no_brand = add_item_body([image_id], PHONE_CASE, brand=None)
	assert refusal(lambda: client.add_item(no_brand)).code == "error_less_required_brand"
	bad_date = add_item_body(
		[image_id],
		VITAMINS,
		attribute_list=[attribute(100032, value(0, "60")), attribute(100034, value(0, "2027-12-31"))],
	)
	assert "a date DD/MM/YYYY" in refusal(lambda: client.add_item(bad_date)).message
	too_many_images = add_item_body([image_id] * 10)
	assert "at most 9" in refusal(lambda: client.add_item(too_many_images)).message
	too_big = add_item_body(
		[image_id],
		LAMP,
		dimension={"package_length": 150, "package_width": 20, "package_height": 20},
		logistic_info=[{"logistic_id": 18025, "enabled": True}],
	)
	assert "larger than SPX Express takes" in refusal(lambda: client.add_item(too_big)).message


def test_whole_rupiah_prices_in_indonesia(partner):
	shop = {"shop_id": SHOP_ID, "region": "ID", "currency": "IDR"}
	with SandboxServer(partner["partner_id"], partner["partner_key"], orders=5, shops=[shop]) as indonesia:
		client = make_client(indonesia)
		image = client.upload_image(png(), "front.png")["image_id"]
		assert (
			refusal(lambda: client.add_item(add_item_body([image], original_price=25000.5))).code
			== "error_invalid_price"
		)
		assert (
			refusal(lambda: client.add_item(add_item_body([image], original_price=50))).code
			== "error_price_exceed_min_limitt"
		)
		assert (
			client.add_item(add_item_body([image], original_price=125000))["price_info"]["original_price"]
			== 125000
		)


def test_reference_shapes_match_the_golden_file(client):
	"""The shapes the app's listing mapper is written against (regenerate on purpose, never to pass)."""
	golden = json.loads((Path(__file__).parent / "fixtures/listings/reference_sg.expected.json").read_text())
	assert client.get_attribute_tree([MUG, T_SHIRT, PHONE_CASE]) == golden["get_attribute_tree"]
	assert client.get_item_limit(MUG) == golden["get_item_limit"]
	assert client.get_channel_list() == golden["get_channel_list"]
