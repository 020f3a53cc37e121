"""The sandbox's product endpoints: Shopee's per-call limits, stock state per model, faults and controls."""

import threading

import pytest
import requests

from shopee_bridge import auth
from shopee_bridge.client_endpoints import LISTING_STATUSES
from shopee_bridge.clients import (
	MemoryTokenStore,
	ShopeeClient,
	ShopeeError,
	ShopeeNotFoundError,
	ShopeeParamError,
	ShopeeServerError,
	Tokens,
)
from shopee_bridge.sandbox.products import CATALOGUE, CATALOGUE_ONLY, LOCKED_MODEL, RESERVED_MODEL

SHOP_ID = 600001
ITEM_LIST = "/api/v2/product/get_item_list"
BASE_INFO = "/api/v2/product/get_item_base_info"
MODEL_LIST = "/api/v2/product/get_model_list"
UPDATE_STOCK = "/api/v2/product/update_stock"
UPDATE_PRICE = "/api/v2/product/update_price"
HTTP = requests.Session()
HTTP.trust_env = False


def client_for(srv, **options) -> ShopeeClient:
	pair = srv.issued_tokens(SHOP_ID)
	store = MemoryTokenStore({SHOP_ID: Tokens(pair["access_token"], pair["refresh_token"], 2**31)})
	defaults = {"token_store": store, "max_retries": 0, "sleep": lambda _s: None, "timeout": (2, 5)}
	return ShopeeClient(srv.url, srv.partner_id, srv.partner_key, SHOP_ID, **{**defaults, **options})


def raw(srv, method: str, path: str, params=None, body=None) -> dict:
	"""A signed call without the client's own checks, to see what the sandbox enforces."""
	token = srv.issued_tokens(SHOP_ID)["access_token"]
	query = {**auth.signed_query(srv.partner_key, srv.partner_id, path, token, SHOP_ID), **(params or {})}
	answer = HTTP.request(method, srv.url + path, params=query, json=body, timeout=10)
	return answer.json()


def store(srv):
	return srv.dataset.products


def listing_by_sku(srv, sku: str) -> dict:
	return next(
		store(srv).listing(SHOP_ID, item_id)
		for item_id in store(srv).item_ids(SHOP_ID)
		if store(srv).listing(SHOP_ID, item_id)["item_sku"] == sku
	)


def model_ids(listing: dict) -> list[int]:
	return list(listing["units"])


def seller_entry(listing: dict, stock: int) -> list[dict]:
	entry = {"stock": stock}
	if listing["location_id"]:
		entry["location_id"] = listing["location_id"]
	return [entry]


# -- reading the catalogue --------------------------------------------------------------------


def test_item_list_walks_every_listing_shopee_can_still_sell_or_edit(sandbox):
	client = client_for(sandbox)
	listed = list(client.iter_item_list(page_size=10))
	ids = [row["item_id"] for row in listed]
	assert len(ids) == len(set(ids)) == len(CATALOGUE) - 1  # the deleted one is left out
	assert {row["item_status"] for row in listed} == {"NORMAL", "UNLIST", "BANNED"}
	deleted = list(client.iter_item_list(("SELLER_DELETE", "SHOPEE_DELETE")))
	assert [row["item_status"] for row in deleted] == ["SELLER_DELETE"]
	assert sandbox.call_counts[ITEM_LIST] == 5  # 37 listings at 10 a page, then one page of deleted ones


def test_item_list_wants_item_status_repeated_and_pages_of_at_most_100(sandbox):
	base = {"offset": 0, "page_size": 100}
	assert raw(sandbox, "GET", ITEM_LIST, {**base, "item_status": "NORMAL,BANNED"})["error"] == "error_param"
	assert raw(sandbox, "GET", ITEM_LIST, base)["error"] == "error_param"
	over = raw(sandbox, "GET", ITEM_LIST, {**base, "page_size": 101, "item_status": "NORMAL"})
	assert over["error"] == "error_param"
	assert (
		raw(sandbox, "GET", ITEM_LIST, {**base, "offset": -1, "item_status": "NORMAL"})["error"]
		== "error_param"
	)
	past_end = raw(sandbox, "GET", ITEM_LIST, {**base, "offset": 500, "item_status": "NORMAL"})["response"]
	assert "item" not in past_end and past_end["has_next_page"] is False  # Shopee omits empty lists


def test_base_info_takes_at_most_50_ids_and_leaves_unknown_ones_out(sandbox):
	client = client_for(sandbox)
	ids = store(sandbox).item_ids(SHOP_ID)
	found = client.get_item_base_info([*ids[:10], 123])
	assert [info["item_id"] for info in found] == ids[:10]
	too_many = raw(sandbox, "GET", BASE_INFO, {"item_id_list": ",".join(str(n) for n in range(1, 52))})
	assert too_many["error"] == "error_param"
	with pytest.raises(ValueError):
		client.get_item_base_info(list(range(1, 52)))  # the client refuses before calling


def test_base_info_has_price_and_stock_only_without_models_and_location_only_where_stocked_there(sandbox):
	client = client_for(sandbox)
	infos = list(client.iter_item_base_info(store(sandbox).item_ids(SHOP_ID)))
	assert len(infos) == len(CATALOGUE)
	located = unlocated = 0
	for info in infos:
		listing = store(sandbox).listing(SHOP_ID, info["item_id"])
		assert ("stock_info_v2" in info) is (not info["has_model"])
		if not info["has_model"]:
			seller = info["stock_info_v2"]["seller_stock"][0]
			assert seller["stock"] == listing["units"][0]["stock"]
			assert seller.get("location_id") == listing["location_id"]
			located += bool(listing["location_id"])
			unlocated += not listing["location_id"]
	assert located and unlocated
	big = [info for info in infos if info["item_id"] > 2**53]
	assert big and big[0]["item_sku"] == "SBX-KEYB"  # 64-bit ids come back exact


def test_model_list_has_tiers_and_tier_indexes_but_no_model_names(sandbox):
	tee = listing_by_sku(sandbox, "SBX-TEE")
	answer = client_for(sandbox).get_model_list(tee["item_id"])
	assert [tier["name"] for tier in answer["tier_variation"]] == ["Colour", "Size"]
	white_l = next(model for model in answer["model"] if model["model_sku"] == "SBX-TEE-03")
	assert white_l["tier_index"] == [1, 2] and "model_name" not in white_l
	assert white_l["stock_info_v2"]["seller_stock"][0]["location_id"] == tee["location_id"]
	with pytest.raises(ShopeeNotFoundError):
		client_for(sandbox).get_model_list(42)


def test_catalogue_has_listings_without_sku_shared_skus_and_awkward_statuses(sandbox):
	skus = [
		store(sandbox).listing(SHOP_ID, item_id)["item_sku"] for item_id in store(sandbox).item_ids(SHOP_ID)
	]
	assert skus.count("SBX-SHARED") == 2 and skus.count("") >= 2
	assert {listing["status"] for listing in CATALOGUE_ONLY} == {
		"UNLIST",
		"BANNED",
		"SELLER_DELETE",
		"NORMAL",
	}
	assert max(len(listing["models"]) for listing in CATALOGUE_ONLY) == 60


# -- writing stock ------------------------------------------------------------------------------


def test_update_stock_sets_absolute_seller_stock_per_model(sandbox):
	client = client_for(sandbox)
	tee = listing_by_sku(sandbox, "SBX-TEE")
	first, second = model_ids(tee)[:2]
	answer = client.update_stock(
		tee["item_id"],
		[
			{"model_id": first, "seller_stock": seller_entry(tee, 0)},
			{"model_id": second, "seller_stock": seller_entry(tee, 17)},
		],
	)
	assert answer["failure_list"] == []
	assert [(row["model_id"], row["stock"]) for row in answer["success_list"]] == [(first, 0), (second, 17)]
	models = {m["model_id"]: m for m in client.get_model_list(tee["item_id"])["model"]}
	assert models[second]["stock_info_v2"]["seller_stock"][0]["stock"] == 17
	assert store(sandbox).stock(SHOP_ID, tee["item_id"], first) == 0
	# other models keep their stock
	third = model_ids(tee)[2]
	assert store(sandbox).stock(SHOP_ID, tee["item_id"], third) == tee["units"][third]["stock"]


def test_a_locked_model_fails_in_failure_list_while_the_others_are_written(sandbox):
	hoodie = listing_by_sku(sandbox, LOCKED_MODEL[0])
	ids = model_ids(hoodie)
	answer = client_for(sandbox).update_stock(
		hoodie["item_id"],
		[{"model_id": model_id, "seller_stock": seller_entry(hoodie, 9)} for model_id in ids],
	)
	locked = ids[LOCKED_MODEL[1]]
	assert [row["model_id"] for row in answer["failure_list"]] == [locked]
	assert "promotion" in answer["failure_list"][0]["failed_reason"]
	assert {row["model_id"] for row in answer["success_list"]} == set(ids) - {locked}
	assert store(sandbox).stock(SHOP_ID, hoodie["item_id"], locked) == hoodie["units"][locked]["stock"]
	store(sandbox).set_locked(SHOP_ID, hoodie["item_id"], locked, False)  # the promotion ends
	again = client_for(sandbox).update_stock(
		hoodie["item_id"], [{"model_id": locked, "seller_stock": seller_entry(hoodie, 9)}]
	)
	assert again["failure_list"] == [] and store(sandbox).stock(SHOP_ID, hoodie["item_id"], locked) == 9


def test_stock_below_the_promotion_reserved_stock_is_refused(sandbox):
	case = listing_by_sku(sandbox, RESERVED_MODEL[0])
	reserved = model_ids(case)[RESERVED_MODEL[1]]
	client = client_for(sandbox)
	low = client.update_stock(
		case["item_id"], [{"model_id": reserved, "seller_stock": seller_entry(case, 2)}]
	)
	assert low["success_list"] == [] and "reserved" in low["failure_list"][0]["failed_reason"]
	ok = client.update_stock(case["item_id"], [{"model_id": reserved, "seller_stock": seller_entry(case, 3)}])
	assert ok["failure_list"] == []


def _stock_call(srv, listing, stock_list) -> dict:
	return raw(srv, "POST", UPDATE_STOCK, body={"item_id": listing["item_id"], "stock_list": stock_list})


def test_update_stock_limits_and_call_level_errors_change_nothing(sandbox):
	stickers = listing_by_sku(sandbox, "SBX-STKR")
	ids = model_ids(stickers)
	assert len(ids) == 60
	entries = [{"model_id": model_id, "seller_stock": seller_entry(stickers, 1)} for model_id in ids]
	assert _stock_call(sandbox, stickers, entries[:51])["error"] == "error_param"
	assert _stock_call(sandbox, stickers, [])["error"] == "error_param"
	assert _stock_call(sandbox, stickers, [entries[0], entries[0]])["message"] == "Repeat model_id."
	assert _stock_call(sandbox, stickers, [{**entries[0], "model_id": 5}])["message"] == "Wrong model_id."
	assert _stock_call(sandbox, stickers, [{**entries[0], "model_id": 0}])["error"].startswith(
		"error_edit_item_stock_for_item_has_model"
	)
	bad_stock = [{"model_id": ids[0], "seller_stock": [{**seller_entry(stickers, 1)[0], "stock": -1}]}]
	assert _stock_call(sandbox, stickers, bad_stock)["error"] == "error_param"
	fractional = [{"model_id": ids[0], "seller_stock": [{**seller_entry(stickers, 1)[0], "stock": 1.5}]}]
	assert _stock_call(sandbox, stickers, fractional)["error"] == "error_param"
	legacy = [{"model_id": ids[0], "normal_stock": 3}]  # offline since 2022
	assert _stock_call(sandbox, stickers, legacy)["error"] == "error_param"
	assert all(
		store(sandbox).stock(SHOP_ID, stickers["item_id"], m) == stickers["units"][m]["stock"] for m in ids
	)
	fifty = _stock_call(sandbox, stickers, entries[:50])
	assert fifty["error"] == "" and len(fifty["response"]["success_list"]) == 50


def test_seller_stock_must_mirror_the_items_location(sandbox):
	listings = [store(sandbox).listing(SHOP_ID, item_id) for item_id in store(sandbox).item_ids(SHOP_ID)]
	located = next(
		x for x in listings if x["location_id"] and not x["has_model"] and x["item_status"] == "NORMAL"
	)
	plain = next(
		x for x in listings if not x["location_id"] and not x["has_model"] and x["item_status"] == "NORMAL"
	)
	missing = _stock_call(sandbox, located, [{"model_id": 0, "seller_stock": [{"stock": 1}]}])
	assert missing["error"] == "error_busi" and "location" in missing["message"]
	extra = _stock_call(
		sandbox, plain, [{"model_id": 0, "seller_stock": [{"location_id": "SGZ", "stock": 1}]}]
	)
	assert extra["error"] == "error_param" and "structure" in extra["message"]
	wrong = _stock_call(
		sandbox, located, [{"model_id": 0, "seller_stock": [{"location_id": "XXZ", "stock": 1}]}]
	)
	assert wrong["error"] == "error_param"
	right = _stock_call(sandbox, located, [{"model_id": 0, "seller_stock": seller_entry(located, 4)}])
	assert (
		right["error"] == "" and right["response"]["success_list"][0]["location_id"] == located["location_id"]
	)


def test_banned_and_deleted_listings_refuse_edits(sandbox):
	for status in ("BANNED", "SELLER_DELETE"):
		listing = next(
			store(sandbox).listing(SHOP_ID, item_id)
			for item_id in store(sandbox).item_ids(SHOP_ID)
			if store(sandbox).listing(SHOP_ID, item_id)["item_status"] == status
		)
		with pytest.raises(ShopeeError) as caught:
			client_for(sandbox).update_stock(
				listing["item_id"], [{"model_id": 0, "seller_stock": seller_entry(listing, 1)}]
			)
		assert caught.value.code == "error_item_uneditable"


def test_an_injected_server_error_fails_the_call_and_writes_nothing(sandbox):
	cap = listing_by_sku(sandbox, "SBX-CHGR")
	before = store(sandbox).stock(SHOP_ID, cap["item_id"])
	sandbox.inject_fault(UPDATE_STOCK, "server_error")
	with pytest.raises(ShopeeServerError):
		client_for(sandbox).update_stock(
			cap["item_id"], [{"model_id": 0, "seller_stock": seller_entry(cap, before + 5)}]
		)
	assert store(sandbox).stock(SHOP_ID, cap["item_id"]) == before


def test_update_stock_is_resent_after_a_dropped_connection(sandbox):
	cap = listing_by_sku(sandbox, "SBX-CHGR")
	sandbox.inject_fault(UPDATE_STOCK, "drop")
	client = client_for(sandbox, max_retries=2)
	answer = client.update_stock(cap["item_id"], [{"model_id": 0, "seller_stock": seller_entry(cap, 33)}])
	assert answer["success_list"][0]["stock"] == 33 and store(sandbox).stock(SHOP_ID, cap["item_id"]) == 33
	assert sandbox.call_counts[UPDATE_STOCK] == 2


def test_concurrent_writes_to_one_item_all_land(sandbox):
	stickers = listing_by_sku(sandbox, "SBX-STKR")
	ids = model_ids(stickers)[:20]
	errors = []

	def write(position, model_id):
		try:
			client_for(sandbox).update_stock(
				stickers["item_id"],
				[{"model_id": model_id, "seller_stock": seller_entry(stickers, 100 + position)}],
			)
		except Exception as e:  # pragma: no cover - reported below
			errors.append(e)

	threads = [threading.Thread(target=write, args=pair) for pair in enumerate(ids)]
	for thread in threads:
		thread.start()
	for thread in threads:
		thread.join()
	assert errors == []
	assert [store(sandbox).stock(SHOP_ID, stickers["item_id"], m) for m in ids] == [
		100 + n for n in range(20)
	]


# -- writing prices -----------------------------------------------------------------------------


def test_update_price_checks_decimals_ratio_and_promotion_locks(sandbox):
	client = client_for(sandbox)
	tee = listing_by_sku(sandbox, "SBX-TEE")
	ids = model_ids(tee)
	answer = client.update_price(tee["item_id"], [{"model_id": ids[0], "original_price": 14.5}])
	assert answer["success_list"] == [{"model_id": ids[0], "original_price": 14.5}]
	assert str(store(sandbox).price(SHOP_ID, tee["item_id"], ids[0])) == "14.5"
	three = client.update_price(tee["item_id"], [{"model_id": ids[1], "original_price": 1.005}])
	assert "error_invalid_price" in three["failure_list"][0]["failed_reason"]
	with pytest.raises(ShopeeError) as caught:
		client.update_price(tee["item_id"], [{"model_id": ids[1], "original_price": 500}])
	assert caught.value.code == "error_update_price_fail"  # > 5x the cheapest model (SG)
	hoodie = listing_by_sku(sandbox, LOCKED_MODEL[0])
	locked = model_ids(hoodie)[LOCKED_MODEL[1]]
	refused = client.update_price(hoodie["item_id"], [{"model_id": locked, "original_price": 40}])
	assert "promotion" in refused["failure_list"][0]["failed_reason"]
	with pytest.raises(ShopeeParamError):
		client.request(
			"POST",
			UPDATE_PRICE,
			body={"item_id": tee["item_id"], "price_list": [{"model_id": ids[0], "original_price": "9"}]},
		)


# -- controls (what a seller does in Seller Center) ----------------------------------------------


def control(srv, method: str, name: str, body=None, params=None) -> tuple[int, dict]:
	answer = HTTP.request(method, f"{srv.url}/_sandbox/products/{name}", json=body, params=params, timeout=10)
	return answer.status_code, answer.json()


def test_controls_set_stock_lock_models_and_add_listings(sandbox):
	cap = listing_by_sku(sandbox, "SBX-CHGR")
	status, _ = control(
		sandbox, "POST", "stock", {"shop_id": SHOP_ID, "item_id": cap["item_id"], "stock": 77}
	)
	assert status == 200 and store(sandbox).stock(SHOP_ID, cap["item_id"]) == 77
	status, _ = control(
		sandbox, "POST", "lock", {"shop_id": SHOP_ID, "item_id": cap["item_id"], "locked": True}
	)
	refused = client_for(sandbox).update_stock(
		cap["item_id"], [{"model_id": 0, "seller_stock": seller_entry(cap, 1)}]
	)
	assert status == 200 and refused["failure_list"]
	status, added = control(
		sandbox,
		"POST",
		"listing",
		{
			"shop_id": SHOP_ID,
			"item_name": "New Mug",
			"item_sku": "NEW-MUG",
			"models": [{"model_name": "Red", "model_sku": "NEW-MUG-R"}],
			"stock": 4,
		},
	)
	assert status == 200
	status, shown = control(
		sandbox, "GET", "listing", params={"shop_id": SHOP_ID, "item_id": added["item_id"]}
	)
	assert status == 200 and shown["units"][0]["stock"] == 4 and shown["tiers"][0]["options"] == ["Red"]
	assert added["item_id"] in [
		row["item_id"] for row in client_for(sandbox).iter_item_list(LISTING_STATUSES)
	]
	assert control(sandbox, "POST", "stock", {"item_id": 1})[0] == 400
