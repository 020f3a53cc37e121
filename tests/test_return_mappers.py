"""Return mapping and credit note plans: hand-computed golden files in tests/fixtures/returns.

The expected files are written and checked by hand; nothing regenerates them from the code.
"""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from shopee_bridge.mappers.returns import (
	ReturnMappingError,
	goods_are_back,
	map_return,
	plan_credit_note,
	refund_is_final,
)

FIXTURES = Path(__file__).parent / "fixtures" / "returns"
CASES = sorted(path.name.removesuffix(".input.json") for path in FIXTURES.glob("*.input.json"))


def load(case: str) -> tuple[dict, dict]:
	given = json.loads((FIXTURES / f"{case}.input.json").read_text())
	expected = json.loads((FIXTURES / f"{case}.expected.json").read_text())
	return given, expected


def plain(value):
	"""Decimals as their exact text, for comparing with the JSON files."""
	if isinstance(value, Decimal):
		return str(value)
	if isinstance(value, dict):
		return {key: plain(item) for key, item in value.items()}
	if isinstance(value, list):
		return [plain(item) for item in value]
	return value


def credit_items(given: dict, mapped: dict) -> list[dict]:
	codes = given["item_codes"]
	return [
		{
			"item_code": codes[f"{item['item_id']}:{item['model_id']}"],
			"qty": item["qty"],
			"refund_amount": item["refund_amount"],
			"item_price": item["item_price"],
		}
		for item in mapped["items"]
	]


def test_every_case_has_an_expected_file():
	assert len(CASES) >= 7
	assert all((FIXTURES / f"{case}.expected.json").exists() for case in CASES)


@pytest.mark.parametrize("case", CASES)
def test_return_maps_to_the_hand_computed_fields(case):
	given, expected = load(case)
	mapped = map_return(given["detail"], given["currency"])
	assert plain(mapped) == expected["mapped"]
	assert refund_is_final(mapped) is expected["refund_is_final"]
	assert goods_are_back(mapped) is expected["goods_are_back"]


@pytest.mark.parametrize("case", CASES)
def test_credit_note_plan_matches_and_adds_up_to_the_refund(case):
	given, expected = load(case)
	mapped = map_return(given["detail"], given["currency"])
	plan = plan_credit_note(
		credit_items(given, mapped),
		given["invoice_rows"],
		mapped["refund_amount"],
		given["currency"],
		given["shipping"],
	)
	lines = [
		{
			"item_code": line.item_code,
			"invoice_row": line.invoice_row,
			"qty": line.qty,
			"rate": str(line.rate),
		}
		for line in plan.lines
	]
	assert lines == expected["credit_note"]["lines"]
	assert (str(plan.goods), str(plan.shipping), str(plan.total)) == (
		expected["credit_note"]["goods"],
		expected["credit_note"]["shipping"],
		expected["credit_note"]["total"],
	)
	assert plan.total == mapped["refund_amount"]
	rates = {row["row"]: Decimal(row["rate"]) for row in given["invoice_rows"]}
	assert all(line.rate <= rates[line.invoice_row] for line in plan.lines)
	returned = sum(item["qty"] for item in mapped["items"])
	assert sum(line.qty for line in plan.lines) == returned


def test_refund_beyond_the_units_and_shipping_is_refused():
	given, _ = load("refund_with_shipping")
	mapped = map_return(given["detail"], "SGD")
	with pytest.raises(ReturnMappingError, match="more than the returned units"):
		plan_credit_note(credit_items(given, mapped), given["invoice_rows"], "12.00", "SGD", "2.49")


def test_more_units_than_invoiced_or_an_item_not_on_the_invoice_is_refused():
	rows = [{"row": "R1", "item_code": "A", "qty": 1, "rate": "5.00"}]
	with pytest.raises(ReturnMappingError, match="only 1 left"):
		plan_credit_note(
			[{"item_code": "A", "qty": 2, "refund_amount": None, "item_price": 5}], rows, "8", "SGD"
		)
	with pytest.raises(ReturnMappingError, match="only 0 left"):
		plan_credit_note(
			[{"item_code": "B", "qty": 1, "refund_amount": None, "item_price": 5}], rows, "1", "SGD"
		)


def test_a_unit_refunded_at_the_rounded_up_price_comes_from_the_dearer_row():
	rows = [  # 2 units invoiced for 50.65: split_line gives 1 at 25.32, then 1 at 25.33
		{"row": "R1", "item_code": "A", "qty": 1, "rate": "25.32"},
		{"row": "R2", "item_code": "A", "qty": 1, "rate": "25.33"},
	]
	plan = plan_credit_note(
		[{"item_code": "A", "qty": 1, "refund_amount": "25.33", "item_price": "25.33"}], rows, "25.33", "SGD"
	)
	assert [(line.invoice_row, line.qty, line.rate) for line in plan.lines] == [("R2", 1, Decimal("25.33"))]
	rest = plan_credit_note(  # the other unit, once R2 is returned
		[{"item_code": "A", "qty": 1, "refund_amount": "25.32", "item_price": "25.33"}],
		[{**rows[0]}, {**rows[1], "qty": 0}],
		"25.32",
		"SGD",
	)
	assert [(line.invoice_row, line.rate) for line in rest.lines] == [("R1", Decimal("25.32"))]


def test_goods_are_back_only_when_the_parcel_was_delivered():
	base = map_return(
		{"return_sn": "R", "needs_logistics": True, "status": "ACCEPTED", "refund_amount": 1}, "SGD"
	)
	assert not goods_are_back(base)
	assert goods_are_back({**base, "reverse_logistics_status": "LOGISTICS_DELIVERY_DONE"})
	assert not goods_are_back(
		{**base, "needs_logistics": False, "reverse_logistics_status": "LOGISTICS_DELIVERY_DONE"}
	)
	assert not refund_is_final({**base, "status": "CLOSED"}) and not refund_is_final(
		{**base, "refund_amount": Decimal(0)}
	)
