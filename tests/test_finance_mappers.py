"""Finance mapper: invoices explained down to escrow, on hand-computed golden files in tests/fixtures/finance.

Every expected value was worked out by hand from the escrow formula (shopee-api.md §9.1); nothing
regenerates the expected files from the code.
"""

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shopee_bridge.mappers import finance
from shopee_bridge.mappers.finance import base_amounts, delta, explain, order_adjustment

FIXTURES = Path(__file__).parent / "fixtures" / "finance"
CASES = sorted(path.name.removesuffix(".input.json") for path in FIXTURES.glob("*.input.json"))


def load(case: str) -> tuple[dict, dict]:
	given = json.loads((FIXTURES / f"{case}.input.json").read_text())
	expected = json.loads((FIXTURES / f"{case}.expected.json").read_text())
	return given, expected


def explained(given: dict, **kw) -> finance.Explanation:
	return explain(given["order_income"], given["invoice_total"], given["credited"], given["currency"], **kw)


def as_text(amounts: dict) -> dict:
	return {key: str(value) for key, value in amounts.items()}


def test_every_case_has_its_expected_file():
	assert len(CASES) >= 10
	assert all((FIXTURES / f"{case}.expected.json").exists() for case in CASES)


@pytest.mark.parametrize("case", CASES)
def test_golden(case):
	given, expected = load(case)
	result = explained(given)
	assert as_text(result.amounts()) == expected["terms"]
	assert as_text(result.by_fee_type()) == expected["fee_types"]
	assert str(result.escrow_amount) == expected["escrow_amount"]
	assert str(result.adjustment) == expected["adjustment"]
	assert str(result.target) == expected["target"]
	assert str(result.remainder) == expected["remainder"]


@pytest.mark.parametrize("case", CASES)
def test_invoice_comes_down_to_escrow_exactly(case):
	"""invoice total - credit notes - Σ terms = escrow (+ adjustments), to the cent (or rupiah)."""
	given, _expected = load(case)
	result = explained(given)
	left = result.invoice_total - result.credited - sum(term.amount for term in result.terms)
	assert left == result.target
	assert all(term.fee_type == finance.COMPONENT_FEE_TYPES[term.component] for term in result.terms)


@pytest.mark.parametrize("case", [case for case in CASES if "company" in load(case)[1]])
def test_company_currency_rows_add_up(case):
	given, expected = load(case)
	result = explained(given)
	rows, total, rounding = base_amounts(
		[term.amount for term in result.terms], Decimal(expected["company"]["rate"])
	)
	components = [term.component for term in result.terms]
	assert as_text(dict(zip(components, rows, strict=True))) == expected["company"]["rows"]
	assert str(total) == expected["company"]["total"] and str(rounding) == expected["company"]["rounding"]
	assert sum(rows) + rounding == total


def test_rounding_difference_is_kept_apart():
	# each 0.01 x 0.5 = 0.005 rounds up to 0.01 (0.03 in all), but the total 0.015 rounds to 0.02
	rows, total, rounding = base_amounts([Decimal("0.01")] * 3, Decimal("0.5"))
	assert (rows, total, rounding) == ([Decimal("0.01")] * 3, Decimal("0.02"), Decimal("-0.01"))
	rows, total, rounding = base_amounts(
		[Decimal("10.00"), Decimal("-0.01"), Decimal("0.01")], Decimal("0.333")
	)
	assert (rows, total, rounding) == (  # a row never converts to zero: ERPNext would refuse it
		[Decimal("3.33"), Decimal("-0.01"), Decimal("0.01")],
		Decimal("3.33"),
		0,
	)
	assert base_amounts([], Decimal("0.74"), total=Decimal("0.00")) == ([], Decimal("0.00"), Decimal("0.00"))
	# ERPNext's own figure for the receivable decides the total
	assert base_amounts([Decimal("2.675")], Decimal(1), total=Decimal("2.67"))[2] == Decimal("-0.01")


def test_adjustments_can_wait():
	"""The escrow settlement comes first; the adjustment is booked later, as its own difference."""
	given, _expected = load("adjustments_sgd")
	first = explained(given, adjustments=False)
	assert first.target == Decimal("39.73") and finance.ADJUSTMENT_COMPONENT not in first.amounts()
	second = explained(given)
	assert delta(second.amounts(), first.amounts()) == {"order_adjustment": Decimal("-3.80")}


def test_delta_books_only_what_changed():
	booked = {"commission_fee": Decimal("2.29"), "seller_return_refund": Decimal("14.72")}
	target = {"commission_fee": Decimal("2.29"), "service_fee": Decimal("1.37")}
	assert delta(target, booked) == {
		"seller_return_refund": Decimal("-14.72"),
		"service_fee": Decimal("1.37"),
	}
	assert delta(target, target) == {}


def test_a_late_credit_note_moves_the_refund_off_the_refunds_account():
	given, _expected = load("refund_no_credit_note_sgd")
	before = explained(given)
	after = explain(given["order_income"], given["invoice_total"], "14.72", "SGD")
	assert delta(after.amounts(), before.amounts()) == {"seller_return_refund": Decimal("-14.72")}


@pytest.mark.parametrize(
	"income, expected",
	[
		({"escrow_amount": 10, "escrow_amount_after_adjustment": 0, "total_adjustment_amount": 0}, "0.00"),
		({"escrow_amount": 10, "escrow_amount_after_adjustment": 12.5}, "2.50"),
		({"escrow_amount": 10, "total_adjustment_amount": -1.25}, "-1.25"),
		({"escrow_amount": 10, "order_adjustment": [{"amount": 1}, {"amount": -0.4}, "junk"]}, "0.60"),
		(
			{"escrow_amount": 10, "escrow_amount_after_adjustment": 0, "total_adjustment_amount": -10},
			"-10.00",
		),
	],
)
def test_order_adjustment(income, expected):
	assert str(order_adjustment(income, "SGD")) == expected


def test_whole_unit_currency_rounds_shopee_floats():
	income = {"escrow_amount": 99999.6, "commission_fee": 0.4, "original_cost_of_goods_sold": 100000}
	result = explain(income, 100000.0, 0, "IDR")
	assert result.escrow_amount == Decimal(100000) and result.amounts() == {}


def test_every_fee_type_is_a_known_key():
	assert set(finance.COMPONENT_FEE_TYPES.values()) <= {*finance.FEE_TYPES, finance.DIFFERENCE}
	assert len({component for component, _sign, _type in finance.FORMULA_TERMS}) == len(finance.FORMULA_TERMS)


def test_a_few_rupiah_still_make_a_bookable_row():
	"""50 IDR x 0.000063 is 0.00315 USD: booked as 0.01, the Round Off account takes the difference."""
	rows, total, rounding = base_amounts([Decimal(50), Decimal(-60), Decimal(200000)], Decimal("0.000063"))
	assert rows == [Decimal("0.01"), Decimal("-0.01"), Decimal("12.60")]
	assert (total, rounding) == (Decimal("12.60"), Decimal("0.00"))
	assert base_amounts([Decimal(50)], Decimal("0.000063"))[1:] == (Decimal("0.00"), Decimal("-0.01"))


@pytest.mark.parametrize(
	"escrow, release_paid, due",
	[(10, False, False), (10, True, True), (-3.49, False, False), (-3.49, True, True), (0, False, True)],
)
def test_adjustments_wait_for_a_release_unless_there_is_none(escrow, release_paid, due):
	assert finance.adjustments_due({"escrow_amount": escrow}, "SGD", release_paid) is due
	assert finance.adjustments_due({"escrow_amount": 0.4}, "IDR", False)  # rounds to no release at all


# -- any final escrow, from Shopee's formula (shopee-api.md §9.1) -----------------------------------------

CURRENCIES = {"SGD": Decimal("0.01"), "IDR": Decimal(1)}


def money(currency: str, most: int):
	step = CURRENCIES[currency]
	return st.integers(min_value=0, max_value=most).map(lambda units: units * step)


@st.composite
def final_escrows(draw):
	"""An order Shopee settled any way: fees kept or waived, refunds up to the whole order, adjustments."""
	currency = draw(st.sampled_from(sorted(CURRENCIES)))
	scale = 1 if currency == "SGD" else 100
	goods = draw(money(currency, 20000 * scale))
	rebate = min(draw(money(currency, 1000 * scale)), goods)
	voucher = min(draw(money(currency, 500 * scale)), goods - rebate)
	fields = {
		"original_cost_of_goods_sold": goods,
		"original_shopee_discount": rebate,
		"voucher_from_seller": voucher,
		"buyer_paid_shipping_fee": draw(money(currency, 600 * scale)),
		**{name: draw(money(currency, 900 * scale)) for name in FEES_AND_SHIPPING},
	}
	fields["shopee_discount"] = rebate - min(draw(money(currency, 1000 * scale)), rebate)
	paid = goods - rebate - voucher + fields["buyer_paid_shipping_fee"]
	refund = min(draw(money(currency, 30000 * scale)), paid)
	fields["seller_return_refund"] = -refund
	escrow = (
		goods - rebate - refund + fields["shopee_discount"] - voucher + fields["buyer_paid_shipping_fee"]
		+ sum(sign * fields[name] for name, sign in FEES_AND_SHIPPING.items())
	)  # fmt: skip
	adjustments = draw(st.lists(money(currency, 3000 * scale).map(lambda a: a - 1500 * scale), max_size=2))
	fields.update(
		escrow_amount=float(escrow),
		escrow_amount_after_adjustment=float(escrow + sum(adjustments)),
		total_adjustment_amount=float(sum(adjustments)),
		order_adjustment=[{"amount": float(a)} for a in adjustments],
	)
	income = {key: float(value) if isinstance(value, Decimal) else value for key, value in fields.items()}
	invoice = goods - voucher + fields["buyer_paid_shipping_fee"]
	credited = min(draw(money(currency, 30000 * scale)), refund)
	return income, invoice, credited, currency, escrow, escrow + sum(adjustments)


FEES_AND_SHIPPING = {
	"actual_shipping_fee": -1,
	"shopee_shipping_rebate": 1,
	"reverse_shipping_fee": -1,
	"seller_coin_cash_back": -1,
	"seller_transaction_fee": -1,
	"service_fee": -1,
	"commission_fee": -1,
}


@settings(max_examples=400, deadline=None)
@given(final_escrows())
def test_any_final_escrow_is_explained_with_nothing_left_over(case):
	"""Zero, negative or positive, before or after adjustments: the terms take the invoice down to it."""
	income, invoice, credited, currency, escrow, after = case
	result = explain(income, invoice, credited, currency)
	assert (result.escrow_amount, result.target, result.remainder) == (escrow, after, 0)
	assert result.invoice_total - result.credited - sum(term.amount for term in result.terms) == after
	before = explain(income, invoice, credited, currency, adjustments=False)
	assert before.target == escrow and before.remainder == 0
	assert delta(result.amounts(), before.amounts()) == (
		{finance.ADJUSTMENT_COMPONENT: escrow - after} if after != escrow else {}
	)
