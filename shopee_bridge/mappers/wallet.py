"""Shopee wallet transactions and withdrawals as plain records (no frappe).

get_wallet_transaction_list rows (shopee-api.md §9.2) carry transaction_type as a name or, in some
responses, as its number (which one is unverified), ids as int64, amounts as floats in the shop's
currency. A withdrawal is keyed by withdrawal_id; when Shopee splits one over its withdrawal limit the
parts share root_withdrawal_id but each has its own id, its own CREATED row (money leaves the balance),
and later its own COMPLETED row (money reached the bank; the balance does not move) or CANCELLED row
(money back in the balance).
"""

from dataclasses import dataclass
from decimal import Decimal

from shopee_bridge.mappers.money import ZERO, quantize, to_decimal
from shopee_bridge.mappers.pricing import id_text

TRANSACTION_TYPE_NAMES = {
	101: "ESCROW_VERIFIED_ADD",
	102: "ESCROW_VERIFIED_MINUS",
	201: "WITHDRAWAL_CREATED",
	202: "WITHDRAWAL_COMPLETED",
	203: "WITHDRAWAL_CANCELLED",
	301: "REFUND_VERIFIED_ADD",
	302: "AUTO_REFUND_ADD",
	401: "ADJUSTMENT_ADD",
	402: "ADJUSTMENT_MINUS",
	450: "PAID_ADS_CHARGE",
	451: "PAID_ADS_REFUND",
}
ORDER_TYPES = ("ESCROW_VERIFIED_ADD", "ESCROW_VERIFIED_MINUS", "ADJUSTMENT_ADD", "ADJUSTMENT_MINUS")
WITHDRAWAL_TYPES = ("WITHDRAWAL_CREATED", "WITHDRAWAL_COMPLETED", "WITHDRAWAL_CANCELLED")
ADJUSTMENT_TYPES = ("ADJUSTMENT_ADD", "ADJUSTMENT_MINUS")


def type_name(value) -> str:
	"""A transaction_type as its name, whether Shopee sent the name or the number."""
	text = str(value if value is not None else "").strip()
	if text.isdigit():
		return TRANSACTION_TYPE_NAMES.get(int(text), text)
	return text.upper()


def normalize_transaction(row: dict, currency: str) -> dict:
	"""One wallet row: type by name, ids as text, amounts quantized to the currency."""
	return {
		"transaction_id": id_text(row.get("transaction_id")),
		"transaction_type": type_name(row.get("transaction_type")),
		"status": str(row.get("status") or ""),
		"amount": quantize(row.get("amount"), currency),
		"current_balance": quantize(row.get("current_balance"), currency),
		"transaction_fee": quantize(row.get("transaction_fee"), currency),
		"create_time": int(row.get("create_time") or 0),
		"order_sn": str(row.get("order_sn") or ""),
		"refund_sn": str(row.get("refund_sn") or ""),
		"withdrawal_id": _id_or_blank(row.get("withdrawal_id")),
		"root_withdrawal_id": _id_or_blank(row.get("root_withdrawal_id")),
		"withdrawal_type": str(row.get("withdrawal_type") or ""),
		"description": str(row.get("description") or ""),
		"reason": str(row.get("reason") or ""),
		"currency": currency,
	}


def _id_or_blank(value) -> str:
	text = id_text(value)
	return "" if text in ("", "0") else text


@dataclass(frozen=True)
class Withdrawal:
	"""One withdrawal (one part of a split one): what left the wallet and what reached the bank."""

	withdrawal_id: str
	root_withdrawal_id: str
	status: str  # Created, Completed or Cancelled
	amount: Decimal  # positive: what left the wallet
	transaction_fee: Decimal
	created: int | None
	completed: int | None
	cancelled: int | None

	@property
	def bank_amount(self) -> Decimal:
		"""What reached the bank: the amount less the withdrawal fee."""
		return self.amount - self.transaction_fee


def summarize_withdrawal(withdrawal_id: str, rows: list[dict]) -> Withdrawal | None:
	"""A withdrawal from its wallet rows (normalized); None when none of them is a withdrawal row."""
	by_type = {row["transaction_type"]: row for row in rows if row["transaction_type"] in WITHDRAWAL_TYPES}
	if not by_type:
		return None
	created, completed = by_type.get("WITHDRAWAL_CREATED"), by_type.get("WITHDRAWAL_COMPLETED")
	cancelled = by_type.get("WITHDRAWAL_CANCELLED")
	source = created or completed or cancelled
	fee = max((to_decimal(row["transaction_fee"]) for row in by_type.values()), default=ZERO)
	status = "Cancelled" if cancelled else ("Completed" if completed else "Created")
	return Withdrawal(
		withdrawal_id=withdrawal_id,
		root_withdrawal_id=source["root_withdrawal_id"] or withdrawal_id,
		status=status,
		amount=abs(to_decimal(source["amount"])),
		transaction_fee=fee,
		created=created["create_time"] if created else None,
		completed=completed["create_time"] if completed else None,
		cancelled=cancelled["create_time"] if cancelled else None,
	)
