"""Shopee's escrow breakdown (`order_income`) as a record to keep: every number, plus the lists.

Pure functions: no frappe. Finance reads the record later to explain each invoice down to
`escrow_amount`, so nothing is recomputed or rounded here: the numbers are Shopee's, as Decimal.
"""

import hashlib
import json
from decimal import Decimal

from shopee_bridge.mappers.money import to_decimal
from shopee_bridge.mappers.pricing import escrow_income


def order_income_record(escrow: dict, order_sn: str) -> dict:
	"""{components: {name: Decimal}, lists: {name: list|dict|str}, escrow_amount, version} of an escrow."""
	income = escrow_income(escrow, order_sn)
	components, lists = {}, {}
	for key, value in sorted(income.items()):
		amount = _amount_or_none(value)
		if amount is None:
			lists[key] = value
		else:
			components[key] = amount
	return {
		"components": components,
		"lists": lists,
		"escrow_amount": components.get("escrow_amount"),
		"escrow_amount_after_adjustment": components.get("escrow_amount_after_adjustment"),
		"version": income_version(income),
	}


def _amount_or_none(value) -> Decimal | None:
	"""A numeric component as Decimal; None for anything else (kept as sent, with the lists)."""
	if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
		return None
	try:
		return to_decimal(value) if not isinstance(value, Decimal) else value
	except ValueError:  # NaN, infinity or out of range: kept as sent rather than read as a number
		return None


def income_version(income: dict) -> str:
	"""SHA-1 of the canonical JSON of order_income: equal figures, equal version."""
	canonical = json.dumps(income, sort_keys=True, separators=(",", ":"), default=str)
	return hashlib.sha1(canonical.encode(), usedforsecurity=False).hexdigest()
