"""Each invoice explained down to Shopee's escrow, term by term: pure arithmetic, no frappe.

An invoice is booked at what the seller sold for (mappers/pricing.py):

    invoice total = original_cost_of_goods_sold - voucher_from_seller + buyer_paid_shipping_fee (+ residual)

and Shopee's escrow formula (shopee-api.md §9.1, the reference's "new formula" for local shops) starts
from the same three terms, then deducts or adds the rest:

    escrow_amount = original_cost_of_goods_sold - voucher_from_seller + buyer_paid_shipping_fee
                    - (original_shopee_discount - shopee_discount)     the item rebate taken back after a refund
                    + seller_return_refund                             the refund (negative)
                    - seller_coin_cash_back - actual_shipping_fee + shopee_shipping_rebate + ...
                    - commission_fee - service_fee - ... - taxes and withholdings ...

So invoice total - escrow_amount is the sum of those terms, each with its own account. A refund is
first covered by the credit notes booked against the invoice (their grand total is the return's
refund_amount); only what they do not cover is booked on the "refunds" account. Order adjustments
(escrow_amount_after_adjustment - escrow_amount) are a term of their own. What no documented term
explains is the remainder: it goes to the shop's Shopee Difference Account and is listed, never hidden.

Signs: a term's amount is what it takes off the receivable, so a fee is positive (debit its account),
a rebate negative (credit it). All amounts are Decimal, quantized to the currency (whole IDR, cents SGD).
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from shopee_bridge.mappers.money import ZERO, quantize, to_decimal

# Fee types: the keys of the shop's "fee type -> account" table.
COMMISSION = "Commission"
SERVICE_FEE = "Service Fee"
TRANSACTION_FEE = "Transaction Fee"
CAMPAIGN_AMS = "Campaign and Affiliate Fees"
ORDER_PROCESSING = "Order Processing Fee"
SHIPPING = "Shipping"
COIN_CASH_BACK = "Seller Coin Cash Back"
REBATE_TAKEN_BACK = "Shopee Rebate Taken Back"
TAXES = "Taxes and Withholdings"
OTHER_FEES = "Other Fees"
REFUNDS = "Refunds"
ADJUSTMENTS = "Order Adjustments"
WITHDRAWAL_FEES = "Withdrawal Fees"
DIFFERENCE = "Difference"

FEE_TYPES = (
	COMMISSION,
	SERVICE_FEE,
	TRANSACTION_FEE,
	CAMPAIGN_AMS,
	ORDER_PROCESSING,
	SHIPPING,
	COIN_CASH_BACK,
	REBATE_TAKEN_BACK,
	TAXES,
	OTHER_FEES,
	REFUNDS,
	ADJUSTMENTS,
	WITHDRAWAL_FEES,
)

# Components that are not a single field of order_income.
REBATE_COMPONENT = "shopee_rebate_taken_back"  # original_shopee_discount - shopee_discount
REFUND_COMPONENT = "seller_return_refund"  # what the credit notes do not cover
ADJUSTMENT_COMPONENT = "order_adjustment"  # escrow_amount_after_adjustment - escrow_amount
REMAINDER_COMPONENT = "remainder"  # what no documented term explains

# (order_income field, sign in the escrow formula, fee type): +1 adds to escrow, -1 deducts from it.
FORMULA_TERMS = (
	("seller_coin_cash_back", -1, COIN_CASH_BACK),
	("actual_shipping_fee", -1, SHIPPING),
	("shopee_shipping_rebate", 1, SHIPPING),
	("shipping_fee_discount_from_3pl", 1, SHIPPING),
	("reverse_shipping_fee", -1, SHIPPING),
	("rsf_seller_protection_fee_claim_amount", 1, SHIPPING),
	("final_return_to_seller_shipping_fee", -1, SHIPPING),
	("seller_transaction_fee", -1, TRANSACTION_FEE),
	("service_fee", -1, SERVICE_FEE),
	("commission_fee", -1, COMMISSION),
	("campaign_fee", -1, CAMPAIGN_AMS),
	("order_ams_commission_fee", -1, CAMPAIGN_AMS),
	("seller_order_processing_fee", -1, ORDER_PROCESSING),
	("shipping_seller_protection_fee_amount", -1, OTHER_FEES),
	("delivery_seller_protection_fee_premium_amount", -1, OTHER_FEES),
	("overseas_return_service_fee", -1, OTHER_FEES),
	("trade_in_bonus_by_seller", -1, OTHER_FEES),
	("fbs_fee", -1, OTHER_FEES),
	("ads_escrow_top_up_fee_or_technical_support_fee", -1, OTHER_FEES),
	("buyer_paid_packaging_fee", 1, OTHER_FEES),
	("final_escrow_product_gst", -1, TAXES),
	("escrow_tax", -1, TAXES),
	("sales_tax_on_lvg", -1, TAXES),
	("reverse_shipping_fee_sst", -1, TAXES),
	("shipping_fee_sst", -1, TAXES),
	("withholding_tax", -1, TAXES),
	("vat_on_imported_goods", -1, TAXES),
	("withholding_vat_tax", -1, TAXES),
	("withholding_pit_tax", -1, TAXES),
	("th_import_duty", -1, TAXES),
)

COMPONENT_FEE_TYPES = {
	**{component: fee_type for component, _sign, fee_type in FORMULA_TERMS},
	REBATE_COMPONENT: REBATE_TAKEN_BACK,
	REFUND_COMPONENT: REFUNDS,
	ADJUSTMENT_COMPONENT: ADJUSTMENTS,
	REMAINDER_COMPONENT: DIFFERENCE,
}


@dataclass(frozen=True)
class Term:
	"""One line of an invoice's explanation: a Shopee component, its fee type, what it takes off."""

	component: str
	fee_type: str
	amount: Decimal


@dataclass(frozen=True)
class Explanation:
	"""Invoice total - credit notes = target + Σ terms, exactly; the remainder is one of the terms."""

	currency: str
	invoice_total: Decimal
	credited: Decimal
	escrow_amount: Decimal
	adjustment: Decimal
	refund: Decimal
	terms: tuple[Term, ...]

	@property
	def target(self) -> Decimal:
		"""What the invoice's receivable comes down to: escrow_amount, plus any order adjustment."""
		return self.escrow_amount + self.adjustment

	@property
	def remainder(self) -> Decimal:
		return self.amounts().get(REMAINDER_COMPONENT, quantize(ZERO, self.currency))

	def amounts(self) -> dict[str, Decimal]:
		"""{component: amount} of the non-zero terms."""
		return {term.component: term.amount for term in self.terms}

	def by_fee_type(self) -> dict[str, Decimal]:
		"""Σ amount per fee type, non-zero ones only."""
		totals: dict[str, Decimal] = {}
		for term in self.terms:
			totals[term.fee_type] = totals.get(term.fee_type, ZERO) + term.amount
		return {key: value for key, value in totals.items() if value}


def explain(income: dict, invoice_total, credited, currency: str, adjustments: bool = True) -> Explanation:
	"""The terms taking an invoice (net of its credit notes) down to escrow_amount (+ adjustments)."""

	def amount(key: str) -> Decimal:
		return quantize(income.get(key), currency)

	invoice_total, credited = quantize(invoice_total, currency), quantize(credited, currency)
	escrow = amount("escrow_amount")
	adjustment = order_adjustment(income, currency) if adjustments else quantize(ZERO, currency)
	refund = -amount("seller_return_refund")
	terms = [Term(name, fee_type, -sign * amount(name)) for name, sign, fee_type in FORMULA_TERMS]
	if income.get("original_shopee_discount") is not None:
		taken_back = amount("original_shopee_discount") - amount("shopee_discount")
		terms.append(Term(REBATE_COMPONENT, REBATE_TAKEN_BACK, taken_back))
	terms.append(Term(REFUND_COMPONENT, REFUNDS, refund - min(credited, max(refund, ZERO))))
	terms.append(Term(ADJUSTMENT_COMPONENT, ADJUSTMENTS, -adjustment))
	explained = sum((term.amount for term in terms), ZERO)
	remainder = invoice_total - credited - (escrow + adjustment) - explained
	terms.append(Term(REMAINDER_COMPONENT, DIFFERENCE, remainder))
	return Explanation(
		currency=currency,
		invoice_total=invoice_total,
		credited=credited,
		escrow_amount=escrow,
		adjustment=adjustment,
		refund=refund,
		terms=tuple(term for term in terms if term.amount),
	)


def order_adjustment(income: dict, currency: str) -> Decimal:
	"""escrow_amount_after_adjustment - escrow_amount; total_adjustment_amount or Σ order_adjustment without it.

	Some responses carry escrow_amount_after_adjustment as 0 when there is no adjustment at all, so it is
	only trusted when some adjustment is reported or it is non-zero.
	"""
	listed = [entry for entry in income.get("order_adjustment") or [] if isinstance(entry, dict)]
	listed_total = sum((quantize(entry.get("amount"), currency) for entry in listed), ZERO)
	total = quantize(income.get("total_adjustment_amount"), currency)
	after = income.get("escrow_amount_after_adjustment")
	if after is not None and (to_decimal(after) or total or listed):
		return quantize(after, currency) - quantize(income.get("escrow_amount"), currency)
	return total or quantize(listed_total, currency)


def adjustments_due(income: dict, currency: str, release_paid: bool) -> bool:
	"""Whether the order's adjustments belong in its settlement now.

	They wait until the wallet's release is paid, so that the release never exceeds the receivable; an
	escrow of zero has no release to wait for (Shopee writes no wallet row for it).
	"""
	return release_paid or not quantize(income.get("escrow_amount"), currency)


def delta(target: dict[str, Decimal], booked: dict[str, Decimal]) -> dict[str, Decimal]:
	"""What to book now so that the booked amounts become the target, component by component."""
	changes = {key: target.get(key, ZERO) - booked.get(key, ZERO) for key in {*target, *booked}}
	return {key: value for key, value in sorted(changes.items()) if value}


def base_amounts(
	amounts: list[Decimal], rate, precision: int = 2, total: Decimal | None = None
) -> tuple[list[Decimal], Decimal, Decimal]:
	"""Company-currency amounts of the rows, of their total, and the rounding difference between them.

	Each row is converted and rounded on its own, so an entry that later reverses a term reverses exactly
	what was booked. The total is converted once, as ERPNext converts the receivable row at the invoice's
	rate (pass ERPNext's figure as `total` to match its rounding); total - Σ rows is the rounding
	difference, which goes to the company's Round Off account. A row never converts to zero (ERPNext
	refuses a row with neither debit nor credit, e.g. 50 IDR in USD): it takes one step of its sign.
	"""
	step = Decimal(1).scaleb(-precision)
	rate = to_decimal(rate)
	if total is None:
		total = (sum(amounts, ZERO) * rate).quantize(step, ROUND_HALF_UP) + 0
	rows = [_row_base(amount, rate, step) for amount in amounts]
	return rows, total, total - sum(rows, ZERO)


def _row_base(amount: Decimal, rate: Decimal, step: Decimal) -> Decimal:
	base = (amount * rate).quantize(step, ROUND_HALF_UP) + 0
	if base or not amount:
		return base
	return step if amount > 0 else -step
