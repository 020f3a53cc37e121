"""The sandbox wallet: releases, adjustments, weekly split/cancelled/completed withdrawals, and their HTTP view."""

from collections import defaultdict
from decimal import Decimal
from itertools import pairwise

import pytest

from shopee_bridge.sandbox import Dataset, SandboxServer
from shopee_bridge.sandbox.wallet import SPLIT_LIMIT, WEEK, WITHDRAWAL_HOUR
from tests.test_sandbox import escrow_formula, get

ANCHOR = 1_700_006_400
SHOPS = [
	{"shop_id": 600301, "region": "SG", "currency": "SGD"},
	{"shop_id": 600302, "region": "ID", "currency": "IDR"},
]
WALLET = "/api/v2/payment/get_wallet_transaction_list"


@pytest.fixture(scope="module")
def dataset() -> Dataset:
	return Dataset(seed=7, orders=160, shops=SHOPS, anchor=ANCHOR, harsh=True)


def all_rows(dataset: Dataset, shop_id: int) -> list[dict]:
	return dataset.wallet_transactions(shop_id, 0, ANCHOR + 30 * 86400)


@pytest.mark.parametrize("shop_id", [600301, 600302])
def test_balance_moves_with_every_row_but_completions(dataset, shop_id):
	balance = Decimal(0)
	for row in all_rows(dataset, shop_id):
		if row["transaction_type"] != "WITHDRAWAL_COMPLETED":
			balance += row["amount"]
		assert row["current_balance"] == balance, row


@pytest.mark.parametrize("shop_id", [600301, 600302])
def test_withdrawals_split_complete_or_cancel(dataset, shop_id):
	parts: dict[int, dict[str, dict]] = defaultdict(dict)
	for row in all_rows(dataset, shop_id):
		if row["transaction_type"].startswith("WITHDRAWAL_"):
			assert row["transaction_type"] not in parts[row["withdrawal_id"]], "one row of each kind"
			parts[row["withdrawal_id"]][row["transaction_type"]] = row
	roots = defaultdict(list)
	for withdrawal_id, rows in parts.items():
		created = rows["WITHDRAWAL_CREATED"]
		roots[created["root_withdrawal_id"]].append(withdrawal_id)
		assert created["amount"] < 0
		outcomes = [rows[kind] for kind in ("WITHDRAWAL_COMPLETED", "WITHDRAWAL_CANCELLED") if kind in rows]
		assert len(outcomes) <= 1
		for outcome in outcomes:
			assert outcome["create_time"] > created["create_time"]
			assert abs(outcome["amount"]) == -created["amount"]
			assert outcome["root_withdrawal_id"] == created["root_withdrawal_id"]
	kinds = {kind for rows in parts.values() for kind in rows}
	assert kinds == {"WITHDRAWAL_CREATED", "WITHDRAWAL_COMPLETED", "WITHDRAWAL_CANCELLED"}
	assert any(len(ids) > 1 for ids in roots.values()), "some withdrawal is split"
	moments = sorted({parts[ids[0]]["WITHDRAWAL_CREATED"]["create_time"] for ids in roots.values()})
	assert all((b - a) % WEEK == 0 for a, b in pairwise(moments))
	assert all(moment % 86400 == WITHDRAWAL_HOUR and (moment // 86400 - 4) % 7 == 0 for moment in moments)
	limit = SPLIT_LIMIT * (1 if shop_id == 600301 else 11500)
	assert all(-rows["WITHDRAWAL_CREATED"]["amount"] <= limit for rows in parts.values())
	assert any(rows["WITHDRAWAL_CREATED"]["transaction_fee"] > 0 for rows in parts.values())


def test_negative_escrow_and_adjustments(dataset):
	rows = all_rows(dataset, 600301) + all_rows(dataset, 600302)
	kinds = {row["transaction_type"] for row in rows}
	assert {"ESCROW_VERIFIED_MINUS", "ADJUSTMENT_ADD", "ADJUSTMENT_MINUS"} <= kinds
	by_order = defaultdict(Decimal)
	for row in rows:
		if row["order_sn"]:
			by_order[row["order_sn"]] += row["amount"]
	for order_sn, released in by_order.items():
		income = dataset.escrow_detail(dataset.index_of(order_sn))["order_income"]
		assert released == income["escrow_amount_after_adjustment"], order_sn
		listed = sum((entry["amount"] for entry in income.get("order_adjustment", [])), Decimal(0))
		assert income["escrow_amount_after_adjustment"] - income["escrow_amount"] == listed
	minus = next(row for row in rows if row["transaction_type"] == "ESCROW_VERIFIED_MINUS")
	assert minus["amount"] < 0 and minus["order_sn"]


def test_ids_are_unique_across_shops_and_seeds(dataset):
	other = Dataset(seed=8, orders=160, shops=SHOPS, anchor=ANCHOR)
	ids = [row["transaction_id"] for row in all_rows(dataset, 600301) + all_rows(dataset, 600302)]
	assert len(ids) == len(set(ids)) and all(0 < i < 2**53 for i in ids)
	assert not set(ids) & {row["transaction_id"] for row in all_rows(other, 600301)}


def test_an_added_adjustment_shows_in_escrow_and_wallet():
	dataset = Dataset(seed=9, orders=60, shops=SHOPS[:1], anchor=ANCHOR, harsh=True)
	order_sn = next(row["order_sn"] for row in all_rows(dataset, 600301) if row["order_sn"])
	index = dataset.index_of(order_sn)
	before = dataset.escrow_detail(index)["order_income"]["escrow_amount_after_adjustment"]
	moment = dataset.add_adjustment(order_sn, "-1.25", "Marketing fee deduction", moment=ANCHOR + 60)
	income = dataset.escrow_detail(index)["order_income"]
	assert income["escrow_amount_after_adjustment"] == before - Decimal("1.25")
	assert income["order_adjustment"][-1]["adjustment_reason"] == "Marketing fee deduction"
	row = next(row for row in all_rows(dataset, 600301) if row["create_time"] == moment)
	assert (row["transaction_type"], row["amount"], row["order_sn"]) == (
		"ADJUSTMENT_MINUS",
		Decimal("-1.25"),
		order_sn,
	)


def test_wallet_filters_over_http(partner):
	with SandboxServer(
		partner["partner_id"], partner["partner_key"], seed=7, orders=80, shops=SHOPS[:1]
	) as srv:
		anchor = srv.dataset.anchor
		window = {
			"page_no": 0,
			"page_size": 100,
			"create_time_from": anchor - 15 * 86400,
			"create_time_to": anchor,
		}
		every = get(srv, WALLET, window, shop_id=600301).json()["response"]["transaction_list"]
		tab = {**window, "transaction_tab_type": "wallet_withdrawals"}
		withdrawals = get(srv, WALLET, tab, shop_id=600301).json()["response"]["transaction_list"]
		typed = {**window, "transaction_type": "201"}
		created = get(srv, WALLET, typed, shop_id=600301).json()["response"]["transaction_list"]
		money_in = {**window, "money_flow": "MONEY_IN"}
		incoming = get(srv, WALLET, money_in, shop_id=600301).json()["response"]["transaction_list"]
	assert withdrawals == [row for row in every if row["transaction_type"].startswith("WITHDRAWAL_")]
	assert created and {row["transaction_type"] for row in created} == {"WITHDRAWAL_CREATED"}
	assert incoming and all(row["money_flow"] == "MONEY_IN" for row in incoming)


def order_rows(dataset: Dataset, order_sn: str, shop_id: int) -> list[dict]:
	return [row for row in all_rows(dataset, shop_id) if row["order_sn"] == order_sn]


def test_harsh_escrows_end_at_zero_or_below_as_shopee_writes_them(dataset):
	"""Full refunds with the fees waived (0, or minus the return parcel), over-refunds; wallet rows to match."""
	seen = defaultdict(int)
	for shop_id in (600301, 600302):
		for _moment, index in dataset.completed_between(shop_id, 0, ANCHOR):
			seen[dataset.escrow_ending(index)] += 1
			check_final_escrow(dataset, index, shop_id)
	assert {"zero_escrow", "return_shipping", "over_refund"} <= set(seen), dict(seen)


def check_final_escrow(dataset: Dataset, index: int, shop_id: int) -> None:
	order_sn, ending = dataset.entry(index).order_sn, dataset.escrow_ending(index)
	detail = dataset.escrow_detail(index)
	income = detail["order_income"]
	assert income["escrow_amount"] == escrow_formula(income), order_sn
	releases = [
		(row["transaction_type"], row["amount"])
		for row in order_rows(dataset, order_sn, shop_id)
		if row["transaction_type"].startswith("ESCROW_")
	]
	if not income["escrow_amount"]:
		assert releases == [], "Shopee writes no wallet row for an escrow of zero"
	else:
		kind = "ESCROW_VERIFIED_ADD" if income["escrow_amount"] > 0 else "ESCROW_VERIFIED_MINUS"
		assert releases == [(kind, income["escrow_amount"])]
	if not ending:
		return
	view = dataset.return_view(dataset.find_return(detail["return_order_sn_list"][0]), detail=True)
	assert (view["status"], view["refund_amount"]) == ("ACCEPTED", -income["seller_return_refund"])
	assert view["refund_amount"] <= income["buyer_total_amount"]
	if ending in ("zero_escrow", "return_shipping"):
		waived = ("commission_fee", "service_fee", "seller_transaction_fee", "seller_coin_cash_back")
		assert all(income[key] == 0 for key in waived) and income["shopee_discount"] == 0
		assert income["escrow_amount"] == -income["reverse_shipping_fee"]
		assert (
			(income["reverse_shipping_fee"] > 0) == (ending == "return_shipping") == view["needs_logistics"]
		)
	else:  # a partial refund larger than what Shopee owed: the fees stay, the escrow goes negative
		assert income["escrow_amount"] < 0 < income["commission_fee"] and not view["needs_logistics"]
		goods_paid = income["original_cost_of_goods_sold"] - income["original_shopee_discount"]
		assert 0 < view["refund_amount"] < goods_paid


def test_an_adjustment_can_take_back_more_than_the_escrow(dataset):
	clawbacks = 0
	for shop_id in (600301, 600302):
		for _moment, index in dataset.completed_between(shop_id, 0, ANCHOR):
			income = dataset.escrow_detail(index)["order_income"]
			if not income["escrow_amount"] > 0 > income["escrow_amount_after_adjustment"]:
				continue
			clawbacks += 1
			rows = order_rows(dataset, dataset.entry(index).order_sn, shop_id)
			assert [row["transaction_type"] for row in rows] == ["ESCROW_VERIFIED_ADD", "ADJUSTMENT_MINUS"]
			assert sum(row["amount"] for row in rows) == income["escrow_amount_after_adjustment"]
			assert rows[1]["create_time"] > rows[0]["create_time"]
	assert clawbacks


def test_gentle_data_never_ends_an_escrow_at_zero_or_below_by_design():
	gentle = Dataset(seed=7, orders=160, shops=SHOPS, anchor=ANCHOR)
	for shop_id in (600301, 600302):
		for _moment, index in gentle.completed_between(shop_id, 0, ANCHOR):
			assert gentle.escrow_ending(index) == ""
			income = gentle.escrow_detail(index)["order_income"]
			assert income["reverse_shipping_fee"] == 0
