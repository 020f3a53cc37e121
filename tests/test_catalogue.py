"""Catalogue mapping and stock push planning: golden files in tests/fixtures/catalogue, written by hand.

Nothing regenerates the expected files from the code under test.
"""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from shopee_bridge.mappers.catalogue import (
	PriceTarget,
	StockTarget,
	call_results,
	is_multi_location,
	listing_rows,
	minimum_calls,
	model_attributes,
	model_name,
	price_calls,
	price_step,
	row_sku,
	sellable_quantity,
	shared_skus,
	shopee_price,
	stock_calls,
)

FIXTURES = Path(__file__).parent / "fixtures" / "catalogue"


def load(name: str):
	return json.loads((FIXTURES / name).read_text())


@pytest.mark.parametrize("case", ["variations_with_location", "single_big_id", "no_sku_two_locations"])
def test_listing_rows_match_golden_files(case):
	given = load(f"{case}.input.json")
	assert listing_rows(given["info"], given["models"]) == load(f"{case}.expected.json")


def test_listing_with_models_but_no_model_list_gives_no_rows():
	assert listing_rows({"item_id": 1, "has_model": True}, None) == []
	assert listing_rows({"item_id": 1, "has_model": True}, {"model": []}) == []


def test_model_name_from_tiers_skips_indexes_out_of_range():
	tiers = [{"name": "Colour", "option_list": [{"option": "Red"}]}]
	assert model_name({"tier_index": [0]}, tiers) == "Red"
	assert model_name({"tier_index": [3]}, tiers) == ""
	assert model_name({"tier_index": [0, 1]}, tiers) == "Red"
	assert model_name({"model_name": "Given", "tier_index": [0]}, tiers) == "Given"


def test_model_attributes_use_tiers_or_fall_back_to_one_variation():
	tiers = [
		{"name": "Colour", "option_list": [{"option": "Black"}, {"option": "White"}]},
		{"name": "Size", "option_list": [{"option": "S"}]},
	]
	assert model_attributes({"model_id": 5, "tier_index": [1, 0]}, tiers) == [
		("Colour", "White"),
		("Size", "S"),
	]
	# an index Shopee's tiers do not have: the model keeps its name as one "Variation"
	assert model_attributes({"model_id": 5, "model_name": "Odd", "tier_index": [1, 4]}, tiers) == [
		("Variation", "Odd")
	]
	assert model_attributes({"model_id": 7, "tier_index": []}, []) == [("Variation", "7")]


def test_row_sku_prefers_the_model_sku():
	assert row_sku({"model_sku": "M", "item_sku": "I"}) == "M"
	assert row_sku({"model_sku": "", "item_sku": "I"}) == "I"
	assert row_sku({}) == ""


def test_shared_skus_counts_listings_and_models_but_not_blank_skus():
	rows = [
		{"item_sku": "SBX-SHARED", "model_sku": ""},
		{"item_sku": "SBX-SHARED", "model_sku": ""},
		{"item_sku": "TEE", "model_sku": "TEE-01"},
		{"item_sku": "TEE", "model_sku": "TEE-02"},
		{"item_sku": "", "model_sku": ""},
		{"item_sku": "", "model_sku": ""},
		{"item_sku": "CAP", "model_sku": ""},
		{"item_sku": "", "model_sku": "CAP"},
	]
	assert shared_skus(rows) == {"SBX-SHARED", "CAP"}


@pytest.mark.parametrize(
	"actual, reserved, projected, expected",
	[
		(10, 0, 10, 10),
		(10, 3, 7, 7),  # a Sales Order holds 3
		(10, 3, 20, 7),  # incoming purchase orders never add to what can be sold now
		(10, 0, 4, 4),  # a Work Order reserves 6: projected is lower
		(2, 5, -3, 0),  # reserved beyond stock: never negative
		(-4, 0, -4, 0),  # negative stock allowed in ERPNext: Shopee gets 0
		(7.9999999, 0, 8, 8),  # float noise from Bin sums rounds to the unit
		(7.5, 0, 7.5, 7),  # half units are not sellable units
		(0, 0, 0, 0),
	],
)
def test_sellable_quantity_is_whole_non_negative_and_never_above_available(
	actual, reserved, projected, expected
):
	assert sellable_quantity(actual, reserved, projected) == expected


def _targets(rows: list[dict]) -> list[StockTarget]:
	return [StockTarget(**row) for row in rows]


def test_stock_calls_match_golden_file():
	assert stock_calls(_targets(load("stock_calls.input.json"))) == load("stock_calls.expected.json")


def test_change_detection_skips_only_known_equal_values():
	assert not StockTarget("1", "0", 5, 5).changed
	assert StockTarget("1", "0", 5, 6).changed
	assert StockTarget("1", "0", 0, None).changed  # never read from Shopee: always pushed
	assert stock_calls([StockTarget("1", "0", 5, 5), StockTarget("2", "0", 0, 0)]) == []


@pytest.mark.parametrize(
	"models, calls",
	[(1, 1), (49, 1), (50, 1), (51, 2), (100, 2), (101, 3), (120, 3)],
)
def test_one_item_is_split_into_calls_of_at_most_50_models(models, calls):
	targets = [StockTarget("777", str(1000 + n), n, None) for n in range(models)]
	planned = stock_calls(targets)
	assert len(planned) == calls == minimum_calls([models])
	assert all(call["item_id"] == 777 and 1 <= len(call["stock_list"]) <= 50 for call in planned)
	sent = [entry["model_id"] for call in planned for entry in call["stock_list"]]
	assert sent == [1000 + n for n in range(models)]  # every model once, in order


def test_items_never_share_a_call_and_the_count_is_the_minimum():
	targets = [StockTarget(str(item), str(model), 1, 0) for item in range(1, 4) for model in range(1, 3)]
	targets += [StockTarget("9", str(model), 1, 0) for model in range(60)]
	planned = stock_calls(targets)
	assert len(planned) == minimum_calls([2, 2, 2, 60]) == 5
	assert [call["item_id"] for call in planned] == [1, 2, 3, 9, 9]


def test_a_model_targeted_twice_is_sent_once_with_the_last_value():
	planned = stock_calls([StockTarget("1", "10", 3, 0), StockTarget("1", "10", 4, 0)])
	assert planned == [{"item_id": 1, "stock_list": [{"model_id": 10, "seller_stock": [{"stock": 4}]}]}]


def test_minimum_calls_ignores_items_without_changes():
	assert minimum_calls([0, 0, 1]) == 1
	assert minimum_calls([]) == 0


def test_call_results_read_both_lists_and_count_silent_models_as_refused():
	call = {
		"item_id": 1,
		"stock_list": [
			{"model_id": 10, "seller_stock": [{"stock": 3}]},
			{"model_id": 11, "seller_stock": [{"stock": 4}]},
			{"model_id": 12, "seller_stock": [{"stock": 5}]},
		],
	}
	response = {
		"success_list": [{"model_id": 10, "location_id": "SGZ", "stock": 3}],
		"failure_list": [{"model_id": 11, "failed_reason": "error_cannt_edit_stock_in_promotion"}],
	}
	confirmed, refused = call_results(call, response)
	assert confirmed == {"10": 3}
	assert refused == {"11": "error_cannt_edit_stock_in_promotion", "12": "Shopee did not confirm this model"}


def test_call_results_of_an_item_without_models_and_an_empty_failure_reason():
	call = {"item_id": 1, "stock_list": [{"model_id": 0, "seller_stock": [{"stock": 3}]}]}
	confirmed, refused = call_results(call, {"failure_list": [{"model_id": 0, "failed_reason": ""}]})
	assert confirmed == {} and refused == {"0": "refused by Shopee"}


def test_multi_location_models_are_recognised():
	assert is_multi_location("IDZ,IDW") and not is_multi_location("SGZ") and not is_multi_location("")


@pytest.mark.parametrize(
	"currency, amount, expected",
	[
		("SGD", "12.345", "12.35"),
		("MYR", 9.995, "10.00"),
		("IDR", "24999.5", "25000"),
		("THB", "199.49", "199"),  # §12.3: only SG/MY/BR/MX/PL/ES/AR take two decimals
		("PHP", "99.5", "100"),
		("VND", 18000, "18000"),
	],
)
def test_prices_are_rounded_to_the_step_shopee_takes(currency, amount, expected):
	assert shopee_price(amount, currency) == Decimal(expected)
	assert price_step(currency) in (Decimal("0.01"), Decimal(1))


def test_price_calls_skip_unchanged_and_zero_prices():
	targets = [
		PriceTarget("1", "10", Decimal("12.90"), Decimal("12.9")),
		PriceTarget("1", "11", Decimal("13.50"), Decimal("12.90")),
		PriceTarget("2", "0", Decimal("0"), None),
		PriceTarget("3", "0", Decimal("5"), None),
	]
	assert price_calls(targets) == [
		{"item_id": 1, "price_list": [{"model_id": 11, "original_price": 13.5}]},
		{"item_id": 3, "price_list": [{"model_id": 0, "original_price": 5.0}]},
	]
