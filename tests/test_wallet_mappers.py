"""Wallet rows and withdrawals as the finance sync reads them (mappers/wallet.py)."""

from decimal import Decimal

import pytest

from shopee_bridge.mappers.wallet import normalize_transaction, summarize_withdrawal, type_name


@pytest.mark.parametrize(
	"given, expected",
	[
		("ESCROW_VERIFIED_ADD", "ESCROW_VERIFIED_ADD"),
		(101, "ESCROW_VERIFIED_ADD"),
		("202", "WITHDRAWAL_COMPLETED"),
		("withdrawal_cancelled", "WITHDRAWAL_CANCELLED"),
		(999, "999"),
		(None, ""),
	],
)
def test_type_by_name_or_number(given, expected):
	assert type_name(given) == expected


def test_normalize_keeps_ids_exact_and_rounds_to_the_currency():
	row = {
		"transaction_id": 9007199254740993,
		"transaction_type": 201,
		"status": "COMPLETED",
		"amount": -1380000.0,
		"current_balance": 45.4,
		"create_time": 1793008800,
		"withdrawal_id": 4786229600000020,
		"root_withdrawal_id": 0,
		"transaction_fee": 5750.0,
		"order_sn": None,
	}
	normalized = normalize_transaction(row, "IDR")
	assert normalized["transaction_id"] == "9007199254740993"
	assert normalized["transaction_type"] == "WITHDRAWAL_CREATED"
	assert (normalized["amount"], normalized["current_balance"]) == (Decimal(-1380000), Decimal(45))
	assert (normalized["withdrawal_id"], normalized["root_withdrawal_id"]) == ("4786229600000020", "")
	assert normalized["transaction_fee"] == Decimal(5750) and normalized["order_sn"] == ""


def rows(*specs) -> list[dict]:
	return [
		normalize_transaction(
			{
				"transaction_type": kind,
				"amount": amount,
				"create_time": time,
				"transaction_fee": fee,
				"root_withdrawal_id": 70,
			},
			"SGD",
		)
		for kind, amount, time, fee in specs
	]


def test_a_completed_part_of_a_split_withdrawal_with_a_fee():
	withdrawal = summarize_withdrawal(
		"71", rows(("WITHDRAWAL_CREATED", -300, 100, 0.5), ("WITHDRAWAL_COMPLETED", -300, 300, 0.5))
	)
	assert (withdrawal.status, withdrawal.root_withdrawal_id) == ("Completed", "70")
	assert (withdrawal.amount, withdrawal.transaction_fee, withdrawal.bank_amount) == (
		Decimal("300.00"),
		Decimal("0.50"),
		Decimal("299.50"),
	)
	assert (withdrawal.created, withdrawal.completed, withdrawal.cancelled) == (100, 300, None)


def test_created_then_cancelled_never_reaches_the_bank():
	withdrawal = summarize_withdrawal(
		"72", rows(("WITHDRAWAL_CREATED", -81.75, 100, 0), ("WITHDRAWAL_CANCELLED", 81.75, 200, 0))
	)
	assert (withdrawal.status, withdrawal.amount, withdrawal.cancelled) == (
		"Cancelled",
		Decimal("81.75"),
		200,
	)


def test_in_transit_and_seen_only_completed():
	assert summarize_withdrawal("73", rows(("WITHDRAWAL_CREATED", -10, 100, 0))).status == "Created"
	late = summarize_withdrawal("74", rows(("WITHDRAWAL_COMPLETED", -10, 400, 0)))
	assert (late.status, late.amount, late.created, late.completed) == (
		"Completed",
		Decimal("10.00"),
		None,
		400,
	)
	assert summarize_withdrawal("75", rows(("ESCROW_VERIFIED_ADD", 10, 100, 0))) is None
