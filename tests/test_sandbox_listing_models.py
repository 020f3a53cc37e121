"""Published listings on the sandbox after add_item: variations, edits, unlisting, deletion, moderation, orders."""

import pytest
import requests
from listing_bodies import SHOP_ID, T_SHIRT, add_item_body, model, png, raw, tier
from sandbox_shop import control

from shopee_bridge.clients import ShopeeError, ShopeeParamError
from shopee_bridge.sandbox.products import LOCKED_MODEL

HTTP = requests.Session()
HTTP.trust_env = False


@pytest.fixture
def image_id(client) -> str:
	return client.upload_image(png(), "front.png")["image_id"]


@pytest.fixture
def item_id(client, image_id) -> int:
	"""A published T-shirt without models yet."""
	return client.add_item(add_item_body([image_id], T_SHIRT))["item_id"]


@pytest.fixture
def shirt(client, item_id, image_id) -> dict:
	"""The T-shirt with Colour (Black, White; Black has an image) x Size (S, M): four models."""
	tiers = [
		{
			"name": "Colour",
			"option_list": [{"option": "Black", "image": {"image_id": image_id}}, {"option": "White"}],
		},
		tier("Size", "S", "M"),
	]
	models = [model([c, s], 19.9 + c, 10 + 2 * c + s) for c in (0, 1) for s in (0, 1)]
	answer = client.init_tier_variation(item_id, tiers, models)
	return {
		"item_id": item_id,
		"models": {tuple(row["tier_index"]): row["model_id"] for row in answer["model"]},
	}


def refusal(call) -> ShopeeError:
	with pytest.raises(ShopeeError) as caught:
		call()
	return caught.value


def listing(sandbox, item_id: int) -> dict:
	return sandbox.dataset.products.listing(SHOP_ID, item_id)


# -- init_tier_variation -----------------------------------------------------------------------------


def test_init_tier_variation_makes_the_models_shopee_lists(client, sandbox, shirt, image_id):
	item_id = shirt["item_id"]
	models = client.get_model_list(item_id)
	assert models["tier_variation"][0]["option_list"][0] == {
		"option": "Black",
		"image": {"image_id": image_id, "image_url": f"https://cf.shopee.sg/file/{image_id}"},
	}
	assert models["tier_variation"][1] == tier("Size", "S", "M")
	by_index = {tuple(row["tier_index"]): row for row in models["model"]}
	assert set(by_index) == {(0, 0), (0, 1), (1, 0), (1, 1)}
	assert by_index[(1, 1)]["price_info"][0]["original_price"] == 20.9
	assert by_index[(1, 1)]["stock_info_v2"]["seller_stock"][0]["stock"] == 13
	assert by_index[(0, 1)]["model_sku"] == "ERP-M-0-1"
	assert listing(sandbox, item_id)["units"][shirt["models"][(1, 0)]]["model_name"] == "White,S"
	info = client.get_item_base_info([item_id])[0]
	assert info["has_model"] is True and "price_info" not in info and "stock_info_v2" not in info
	model_id = shirt["models"][(0, 0)]
	assert (
		client.update_stock(item_id, [{"model_id": model_id, "seller_stock": [{"stock": 3}]}])["failure_list"]
		== []
	)
	assert (
		client.update_price(item_id, [{"model_id": model_id, "original_price": 24.0}])["failure_list"] == []
	)
	assert sandbox.dataset.products.stock(SHOP_ID, item_id, model_id) == 3


def test_init_tier_variation_only_once(client, shirt):
	again = refusal(
		lambda: client.init_tier_variation(shirt["item_id"], [tier("Colour", "Red")], [model([0])])
	)
	assert "already has models" in again.message


TIER_REFUSALS = [
	(
		"three tiers",
		[tier("A", "1"), tier("B", "1"), tier("C", "1")],
		[model([0, 0, 0])],
		"error_param",
		"over 2",
	),
	(
		"21 options",
		[tier("Size", *(f"S{n}" for n in range(21)))],
		[model([0])],
		"error_tier_opt_too_many",
		"larger than 20",
	),
	(
		"56 combinations",
		[tier("Colour", *"ABCDEFGH"), tier("Size", *"1234567")],
		[model([0, 0])],
		"error_param",
		"combinations should be under 50",
	),
	(
		"long variation name",
		[tier("Colour and pattern", "Red")],
		[model([0])],
		"error_tier_var_name_too_long",
		"1 to 14 characters",
	),
	(
		"long option",
		[tier("Colour", "Midnight blue with stars")],
		[model([0])],
		"error_tier_opt_val_too_long",
		"1 to 20 characters",
	),
	("repeated option", [tier("Colour", "Red", "red")], [model([0])], "error_param", "repeats an option"),
	(
		"repeated tier name",
		[tier("Colour", "Red"), tier("colour", "Blue")],
		[model([0, 0])],
		"error_model_duplicate_name",
		"duplicate name",
	),
	(
		"repeated tier_index",
		[tier("Colour", "Red", "Blue")],
		[model([0]), model([0])],
		"error_model_duplicate_tier_variation_index",
		"duplicate tier_index",
	),
	(
		"index out of range",
		[tier("Colour", "Red", "Blue")],
		[model([2])],
		"error_model_tier_index_bound",
		"Invalid item iter_index.",
	),
	(
		"index of the wrong depth",
		[tier("Colour", "Red"), tier("Size", "S")],
		[model([0])],
		"error_model_tier_index_level_mismatch_var_level",
		"mismatch",
	),
	(
		"price ratio over 5",
		[tier("Size", "S", "XXL")],
		[model([0], 10.0), model([1], 60.0)],
		"error_param",
		"at most 5 times the lowest",
	),
	(
		"model price too low",
		[tier("Size", "S")],
		[model([0], 0.01)],
		"error_price_exceed_min_limitt",
		"min price limit",
	),
	(
		"model sku too long",
		[tier("Size", "S")],
		[{**model([0]), "model_sku": "M" * 101}],
		"error_param",
		"model_sku length",
	),
	(
		"option image never uploaded",
		[{"name": "Colour", "option_list": [{"option": "Red", "image": {"image_id": "nope"}}]}],
		[model([0])],
		"error_param",
		"Image not exist: nope",
	),
]


@pytest.mark.parametrize(
	("tiers", "models", "code", "message"),
	[row[1:] for row in TIER_REFUSALS],
	ids=[row[0] for row in TIER_REFUSALS],
)
def test_init_tier_variation_refusals(client, sandbox, item_id, tiers, models, code, message):
	path = "/api/v2/product/init_tier_variation"
	answer = raw(sandbox, "POST", path, body={"item_id": item_id, "tier_variation": tiers, "model": models})
	assert (answer["error"], message in answer["message"]) == (code, True), answer["message"]
	assert listing(sandbox, item_id)["has_model"] is False
	if len(tiers) <= 2:
		assert refusal(lambda: client.init_tier_variation(item_id, tiers, models)).code == code


def test_the_client_checks_tier_and_model_counts(client, item_id):
	with pytest.raises(ValueError):
		client.init_tier_variation(
			item_id, [tier("A", "1"), tier("B", "1"), tier("C", "1")], [model([0, 0, 0])]
		)
	with pytest.raises(ValueError):
		client.init_tier_variation(item_id, [tier("A", "1")], [])
	with pytest.raises(ValueError):
		client.add_model(item_id, [model([0])] * 51)
	with pytest.raises(ValueError):
		client.update_item({"item_name": "No item id here"})
	with pytest.raises(ValueError):
		client.unlist_item([])


def test_indonesia_allows_a_price_ratio_of_seven(partner):
	from sandbox_shop import make_client

	from shopee_bridge.sandbox import SandboxServer

	shop = {"shop_id": SHOP_ID, "region": "ID", "currency": "IDR"}
	with SandboxServer(partner["partner_id"], partner["partner_key"], orders=5, shops=[shop]) as indonesia:
		client = make_client(indonesia)
		image = client.upload_image(png(), "front.png")["image_id"]
		item_id = client.add_item(add_item_body([image], T_SHIRT, original_price=50000))["item_id"]
		tiers = [tier("Size", "S", "XXL")]
		assert client.init_tier_variation(item_id, tiers, [model([0], 50000), model([1], 350000)])["model"]
		error = refusal(lambda: client.add_model(item_id, [model([0], 400000)]))
		assert error.code == "error_model_duplicate_tier_variation_index"


# -- add_model, update_tier_variation, update_model, delete_model -----------------------------------


def test_grow_a_tier_then_add_models(client, sandbox, shirt):
	item_id, models = shirt["item_id"], shirt["models"]
	grown = [tier("Colour", "Black", "White", "Navy"), tier("Size", "S", "M")]
	moved = [{"tier_index": list(index), "model_id": model_id} for index, model_id in models.items()]
	assert client.update_tier_variation(item_id, grown, moved) == {}
	added = client.add_model(item_id, [model([2, 0], 22.0, 4), model([2, 1], 22.0, 6)])["model"]
	assert [row["tier_index"] for row in added] == [[2, 0], [2, 1]]
	assert all(row["model_id"] not in models.values() for row in added)
	listed = client.get_model_list(item_id)
	assert [option["option"] for option in listed["tier_variation"][0]["option_list"]] == [
		"Black",
		"White",
		"Navy",
	]
	assert len(listed["model"]) == 6
	assert listing(sandbox, item_id)["units"][added[1]["model_id"]]["model_name"] == "Navy,M"


def test_rename_an_option_and_swap_models(client, sandbox, shirt):
	item_id, models = shirt["item_id"], shirt["models"]
	renamed = [tier("Colour", "Jet Black", "White"), tier("Size", "S", "M")]
	assert client.update_tier_variation(item_id, renamed, []) == {}  # a rename moves no model
	swap = [
		{"tier_index": [0, 1], "model_id": models[(0, 0)]},
		{"tier_index": [0, 0], "model_id": models[(0, 1)]},
	]
	client.update_tier_variation(item_id, renamed, swap)
	units = listing(sandbox, item_id)["units"]
	assert units[models[(0, 0)]]["model_name"] == "Jet Black,M"
	assert units[models[(0, 1)]]["tier_index"] == [0, 0]


def test_update_tier_variation_refusals(client, shirt):
	item_id, models = shirt["item_id"], shirt["models"]
	shrunk = refusal(
		lambda: client.update_tier_variation(item_id, [tier("Colour", "Black"), tier("Size", "S", "M")])
	)
	assert shrunk.code == "error_param" and "cannot be removed" in shrunk.message
	flat = refusal(
		lambda: client.update_tier_variation(item_id, [tier("Colour", "Black", "White", "Red", "Blue")])
	)
	assert flat.message == "Canot change the level of tier-variation."
	tiers = [tier("Colour", "Black", "White"), tier("Size", "S", "M")]
	clash = [{"tier_index": [0, 1], "model_id": models[(0, 0)]}]
	assert (
		refusal(lambda: client.update_tier_variation(item_id, tiers, clash)).code
		== "error_model_duplicate_tier_variation_index"
	)
	unknown = [{"tier_index": [0, 0], "model_id": 42}]
	assert (
		refusal(lambda: client.update_tier_variation(item_id, tiers, unknown)).code
		== "error_model_invalid_model_id"
	)
	outside = [{"tier_index": [5, 0], "model_id": models[(0, 0)]}]
	assert refusal(lambda: client.update_tier_variation(item_id, tiers, outside)).code == "error_tier_index"


def test_add_model_refusals(client, sandbox, shirt, item_id):
	taken = refusal(lambda: client.add_model(shirt["item_id"], [model([1, 1])]))
	assert taken.code == "error_model_duplicate_tier_variation_index"
	grown = [tier("Colour", "Black", "White", "Gold"), tier("Size", "S", "M")]
	client.update_tier_variation(shirt["item_id"], grown)
	assert (
		"at most 5 times"
		in refusal(lambda: client.add_model(shirt["item_id"], [model([2, 0], 150.0)])).message
	)
	image = client.upload_image(png(), "b.png")["image_id"]
	plain = client.add_item(add_item_body([image], T_SHIRT))["item_id"]
	assert "init_tier_variation" in refusal(lambda: client.add_model(plain, [model([0])])).message


def test_update_and_delete_models(client, sandbox, shirt):
	item_id, models = shirt["item_id"], shirt["models"]
	before = listing(sandbox, item_id)["update_time"]
	change = [{"model_id": models[(1, 1)], "model_sku": "ERP-WHITE-M", "weight": 0.3}]
	assert client.update_model(item_id, change) == {}
	by_id = {row["model_id"]: row for row in client.get_model_list(item_id)["model"]}
	assert by_id[models[(1, 1)]]["model_sku"] == "ERP-WHITE-M" and by_id[models[(1, 1)]]["weight"] == 0.3
	assert (
		refusal(lambda: client.update_model(item_id, [{"model_id": 7, "model_sku": "X"}])).code
		== "error_model_invalid_model_id"
	)
	assert client.delete_model(item_id, models[(0, 0)]) == {}
	assert models[(0, 0)] not in {row["model_id"] for row in client.get_model_list(item_id)["model"]}
	assert listing(sandbox, item_id)["update_time"] > before
	assert (
		refusal(lambda: client.delete_model(item_id, models[(0, 0)])).message
		== "Model_id and item_id not match."
	)
	for index in ((0, 1), (1, 0)):
		client.delete_model(item_id, models[index])
	last = refusal(lambda: client.delete_model(item_id, models[(1, 1)]))
	assert last.code == "error_busi_cannot_delete_all_model"


# -- update_item -------------------------------------------------------------------------------------


def test_update_item_changes_the_given_fields_and_moves_update_time(client, sandbox, item_id, image_id):
	before = client.get_item_base_info([item_id])[0]
	second = client.upload_image(png(b"2"), "back.png")["image_id"]
	changed = client.update_item(
		{
			"item_id": item_id,
			"item_name": "Sandbox Organic Cotton Tee (2025)",
			"image": {"image_id_list": [image_id, second]},
			"original_price": 24.9,
		}
	)
	assert (
		changed["item_name"] == "Sandbox Organic Cotton Tee (2025)"
		and changed["price_info"]["original_price"] == 24.9
	)
	after = client.get_item_base_info([item_id])[0]
	assert after["image"]["image_id_list"] == [image_id, second]
	assert (
		after["update_time"] > before["update_time"] and after["attribute_list"] == before["attribute_list"]
	)
	assert [
		row["item_id"]
		for row in client.get_item_list(
			update_time_from=after["update_time"], update_time_to=after["update_time"]
		)["item"]
	] == [item_id]


def test_update_item_checks_what_it_changes(client, item_id, shirt):
	assert (
		refusal(lambda: client.update_item({"item_id": item_id, "item_name": "Counterfeit cotton tee"})).code
		== "error_item_name"
	)
	moved = refusal(lambda: client.update_item({"item_id": item_id, "category_id": 101001}))
	assert moved.code == "error_invalid_category_attribute"  # the shirt's attributes are no mug's
	material = [{"attribute_id": 100010, "attribute_value_list": [{"value_id": 10001001}]}]
	half = refusal(
		lambda: client.update_item({"item_id": item_id, "category_id": 101001, "attribute_list": material})
	)
	assert half.code == "error_less_required_attribute" and "Capacity" in half.message
	assert (
		refusal(lambda: client.update_item({"item_id": item_id, "weight": 45})).code
		== "error_invalid_logistic_info"
	)
	priced = refusal(lambda: client.update_item({"item_id": item_id, "original_price": 30.0}))
	assert isinstance(priced, ShopeeParamError) and "has models" in priced.message
	assert (
		refusal(lambda: client.update_item({"item_id": 123, "item_name": "Sandbox Nothing Here"})).code
		== "error_not_found"
	)


def test_a_catalogue_listing_can_be_renamed(client, sandbox):
	item_id = next(
		item_id
		for item_id in sandbox.dataset.products.item_ids(SHOP_ID)
		if listing(sandbox, item_id)["item_sku"] == "SBX-CHGR"
	)
	assert client.get_item_base_info([item_id])[0]["category_id"] == 103003  # Chargers, by its name
	assert client.update_item({"item_id": item_id, "item_name": "Sandbox USB-C Charger 20W PD"})[
		"item_name"
	].endswith("PD")


# -- unlist, delete, moderation -----------------------------------------------------------------------


def test_unlist_and_list_again(client, sandbox, item_id):
	banned = next(
		i
		for i in sandbox.dataset.products.item_ids(SHOP_ID)
		if listing(sandbox, i)["item_status"] == "BANNED"
	)
	answer = client.unlist_item([(item_id, True), (banned, True), (77, True)])
	assert answer["success_list"] == [{"item_id": item_id, "unlist": True}]
	assert answer["failure_list"] == [
		{"item_id": banned, "failed_reason": "Banned and Reviewing Products cannot be delisted"},
		{"item_id": 77, "failed_reason": "Item_id is not found."},
	]
	assert client.get_item_base_info([item_id])[0]["item_status"] == "UNLIST"
	assert item_id in {row["item_id"] for row in client.iter_item_list(("UNLIST",))}
	assert client.unlist_item([{"item_id": item_id, "unlist": False}])["success_list"] == [
		{"item_id": item_id, "unlist": False}
	]
	assert client.get_item_base_info([item_id])[0]["item_status"] == "NORMAL"
	locked_sku, _position = LOCKED_MODEL
	locked = next(
		i for i in sandbox.dataset.products.item_ids(SHOP_ID) if listing(sandbox, i)["item_sku"] == locked_sku
	)
	assert "promotion" in client.unlist_item([(locked, True)])["failure_list"][0]["failed_reason"]
	repeated = raw(
		sandbox,
		"POST",
		"/api/v2/product/unlist_item",
		body={"item_list": [{"item_id": item_id, "unlist": True}] * 2},
	)
	assert repeated["error"] == "error_param"


def test_delete_item(client, sandbox, item_id):
	assert client.delete_item(item_id) == {}
	assert client.get_item_base_info([item_id])[0]["item_status"] == "SELLER_DELETE"
	assert item_id not in {row["item_id"] for row in client.iter_item_list()}
	assert item_id in {row["item_id"] for row in client.iter_item_list(("SELLER_DELETE",))}
	assert (
		refusal(lambda: client.update_item({"item_id": item_id, "item_sku": "X"})).code
		== "error_item_uneditable"
	)
	assert refusal(lambda: client.delete_item(item_id)).code == "error_not_found"


def test_moderation_states_are_read_back(client, sandbox, item_id):
	before = client.get_item_base_info([item_id])[0]["update_time"]
	sandbox.set_item_status(SHOP_ID, item_id, "REVIEWING")
	info = client.get_item_base_info([item_id])[0]
	assert info["item_status"] == "REVIEWING" and info["update_time"] > before
	assert item_id in {row["item_id"] for row in client.iter_item_list(("REVIEWING",))}
	control(sandbox, "products/status", {"shop_id": SHOP_ID, "item_id": item_id, "status": "BANNED"})
	assert client.get_item_base_info([item_id])[0]["item_status"] == "BANNED"
	assert (
		refusal(lambda: client.update_item({"item_id": item_id, "item_sku": "X"})).code
		== "error_item_uneditable"
	)
	control(sandbox, "products/status", {"shop_id": SHOP_ID, "item_id": item_id, "status": "SHOPEE_DELETE"})
	assert [row["item_status"] for row in client.get_item_list(("SHOPEE_DELETE",))["item"]] == [
		"SHOPEE_DELETE"
	]
	refused = HTTP.post(
		f"{sandbox.url}/_sandbox/products/status",
		json={"shop_id": SHOP_ID, "item_id": item_id, "status": "UNLIST"},
		timeout=5,
	)
	assert refused.status_code == 400 and "BANNED, REVIEWING, SHOPEE_DELETE" in refused.json()["message"]
	with pytest.raises(KeyError):
		sandbox.set_item_status(SHOP_ID, 1, "BANNED")


# -- orders for published models ----------------------------------------------------------------------


def test_an_order_buys_a_published_model(client, sandbox, shirt):
	item_id, model_id = shirt["item_id"], shirt["models"][(1, 0)]
	stock = sandbox.dataset.products.stock(SHOP_ID, item_id, model_id)
	order_sn = sandbox.place_order(SHOP_ID, [{"item_id": item_id, "model_id": model_id, "quantity": 2}])
	now = int(sandbox.clock())
	listed = client.get_order_list(now - 600, now, order_status="READY_TO_SHIP", with_status=True)[
		"order_list"
	]
	assert {"order_sn": order_sn, "order_status": "READY_TO_SHIP"} in listed
	detail = client.get_order_detail([order_sn])["order_list"][0]
	(line,) = detail["item_list"]
	assert (line["item_id"], line["model_id"], line["model_name"], line["model_sku"]) == (
		item_id,
		model_id,
		"White,S",
		"ERP-M-1-0",
	)
	assert (
		line["model_quantity_purchased"],
		line["model_original_price"],
		line["model_discounted_price"],
	) == (2, 20.9, 20.9)
	assert detail["order_status"] == "READY_TO_SHIP" and detail["pay_time"] <= now
	assert sandbox.dataset.products.stock(SHOP_ID, item_id, model_id) == stock - 2
	escrow = client.get_escrow_detail(order_sn)
	assert escrow["order_income"]["items"][0]["model_id"] == model_id
	answer = control(
		sandbox,
		"orders/place",
		{"shop_id": SHOP_ID, "lines": [{"item_id": item_id, "model_id": model_id, "quantity": 1}]},
	)
	assert answer["order_sn"] != order_sn and client.get_order_detail([answer["order_sn"]])["order_list"]


def test_an_order_cannot_buy_more_than_the_stock_or_an_unlisted_listing(client, sandbox, shirt):
	item_id, model_id = shirt["item_id"], shirt["models"][(0, 0)]
	with pytest.raises(ValueError, match="cannot sell 11"):
		sandbox.place_order(SHOP_ID, [{"item_id": item_id, "model_id": model_id, "quantity": 11}])
	client.unlist_item([(item_id, True)])
	with pytest.raises(ValueError, match="not a NORMAL listing"):
		sandbox.place_order(SHOP_ID, [{"item_id": item_id, "model_id": model_id, "quantity": 1}])
	assert sandbox.dataset.products.stock(SHOP_ID, item_id, model_id) == 10
