"""Shopee returns as plain dicts, and the credit note a refund calls for (no frappe).

A return's refund is what the buyer gets back (`refund_amount`; in escrow `-seller_return_refund`).
Its credit note carries exactly the returned items and quantities, and its lines add up to that
refund: invoice lines are at the seller's price (before Shopee's rebate, see pricing.py), so the
refund is spread over the returned units, never above a line's invoiced rate, to the currency's step.
When the refund is more than the returned units were invoiced for (a full refund including the
buyer's shipping), the rest is taken from the invoice's shipping charge; beyond that it is an error.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from shopee_bridge.mappers.money import ZERO, allocate, quantize, split_line, to_decimal
from shopee_bridge.mappers.pricing import id_text

ACCEPTED = "ACCEPTED"
GOODS_BACK_STATUSES = frozenset({"LOGISTICS_DELIVERY_DONE"})
SOLUTIONS = {0: "Return and Refund", 1: "Refund Only"}


class ReturnMappingError(ValueError):
	"""The return cannot be booked against the invoice as it stands (the reason says why)."""


def map_return(detail: dict, currency: str | None = None) -> dict:
	"""A get_return_detail (or get_return_list row) as the Shopee Return's fields; times stay epochs."""
	currency = detail.get("currency") or currency or ""
	negotiation = detail.get("negotiation") or {}
	user = detail.get("user") or {}
	solution = detail.get("return_solution")
	return {
		"return_sn": str(detail["return_sn"]),
		"order_sn": str(detail.get("order_sn") or ""),
		"status": detail.get("status") or "",
		"reason": detail.get("reason") or "",
		"text_reason": detail.get("text_reason") or "",
		"currency": currency,
		"refund_amount": quantize(detail.get("refund_amount"), currency),
		"amount_before_discount": quantize(detail.get("amount_before_discount"), currency),
		"needs_logistics": bool(detail.get("needs_logistics")),
		"return_solution": SOLUTIONS.get(solution, "") if solution is not None else "",
		"tracking_number": detail.get("tracking_number") or "",
		"reverse_logistics_status": detail.get("reverse_logistics_status") or "",
		"negotiation_status": negotiation.get("negotiation_status") or "",
		"latest_solution": negotiation.get("latest_solution") or "",
		"latest_offer_amount": quantize(negotiation.get("latest_offer_amount"), currency),
		"latest_offer_creator": negotiation.get("latest_offer_creator") or "",
		"offer_due_date": int(negotiation.get("offer_due_date") or 0),
		"seller_proof_status": (detail.get("seller_proof") or {}).get("seller_proof_status") or "",
		"seller_compensation_status": (detail.get("seller_compensation") or {}).get(
			"seller_compensation_status"
		)
		or "",
		"dispute_reason": ", ".join(str(reason) for reason in detail.get("dispute_reason") or []),
		"dispute_text_reason": "\n".join(
			str(text) for text in detail.get("dispute_text_reason") or [] if text
		),
		"due_date": int(detail.get("due_date") or 0),
		"return_ship_due_date": int(detail.get("return_ship_due_date") or 0),
		"return_seller_due_date": int(detail.get("return_seller_due_date") or 0),
		"create_time": int(detail.get("create_time") or 0),
		"update_time": int(detail.get("update_time") or 0),
		"buyer_username": user.get("username") or "",
		"buyer_email": user.get("email") or "",
		"buyer_evidence": buyer_evidence(detail),
		"items": [_map_item(item, currency) for item in detail.get("item") or []],
	}


def _map_item(item: dict, currency: str) -> dict:
	refund = item.get("refund_amount")
	return {
		"item_id": id_text(item.get("item_id")),
		"model_id": id_text(item.get("model_id"), default="0"),
		"item_name": (item.get("name") or "").strip(),
		"item_sku": (item.get("item_sku") or "").strip(),
		"variation_sku": (item.get("variation_sku") or "").strip(),
		"qty": int(item.get("amount") or 0),
		"item_price": quantize(item.get("item_price"), currency),
		"refund_amount": None if refund is None else quantize(refund, currency),
	}


def buyer_evidence(detail: dict) -> list[str]:
	"""The buyer's photo and video links, in Shopee's order, without repeats."""
	links = [*(detail.get("image") or [])]
	for video in detail.get("buyer_videos") or []:
		links.append(video.get("video_url") or video.get("thumbnail_url") or "")
	return list(dict.fromkeys(link for link in links if link))


def refund_is_final(mapped: dict) -> bool:
	"""Shopee refunds the buyer once the return is ACCEPTED (by the seller, the buyer's offer or a judge)."""
	return mapped["status"] == ACCEPTED and mapped["refund_amount"] > 0


def goods_are_back(mapped: dict) -> bool:
	"""The goods are the seller's again: the return ships them back and the parcel was delivered."""
	return mapped["needs_logistics"] and mapped["reverse_logistics_status"] in GOODS_BACK_STATUSES


@dataclass(frozen=True)
class CreditLine:
	item_code: str
	invoice_row: str
	qty: int
	rate: Decimal


@dataclass(frozen=True)
class CreditNotePlan:
	lines: list[CreditLine]
	shipping: Decimal = ZERO
	goods: Decimal = ZERO

	@property
	def total(self) -> Decimal:
		return sum((line.rate * line.qty for line in self.lines), ZERO) + self.shipping


@dataclass
class _Unit:
	"""One returned item against one invoice row: its quantity and the most it may be refunded."""

	item: int
	item_code: str
	row: str
	qty: int
	rate: Decimal
	refund: Decimal = field(default=ZERO)

	@property
	def cap(self) -> Decimal:
		return self.rate * self.qty


def plan_credit_note(
	items: list[dict], invoice_rows: list[dict], refund, currency: str, shipping=ZERO
) -> CreditNotePlan:
	"""The credit note lines (and shipping refund) adding up to `refund` exactly.

	items: [{item_code, qty, refund_amount (or None), item_price}] as Shopee returns them;
	invoice_rows: [{row, item_code, qty (still returnable), rate}] of the order's invoice.
	"""
	refund, shipping = quantize(refund, currency), quantize(shipping, currency)
	units = _match_rows(items, invoice_rows)
	caps = sum((unit.cap for unit in units), ZERO)
	goods = min(refund, caps)
	extra = refund - goods
	if extra > shipping:
		raise ReturnMappingError(
			f"refund {refund} is more than the returned units were invoiced for ({caps})"
			+ (f" plus the shipping charge {shipping}" if shipping else "")
		)
	item_totals = _fill_to_caps(
		goods, _weights(items, goods), [_item_cap(units, i) for i in range(len(items))], currency
	)
	lines = []
	for index, total in enumerate(item_totals):
		rows = [unit for unit in units if unit.item == index]
		for unit, part in zip(
			rows, _fill_to_caps(total, [u.cap for u in rows], [u.cap for u in rows], currency), strict=True
		):
			lines += [
				CreditLine(unit.item_code, unit.row, qty, rate)
				for qty, rate in split_line(part, unit.qty, currency)
			]
	return CreditNotePlan(lines, extra, goods)


def _match_rows(items: list[dict], invoice_rows: list[dict]) -> list[_Unit]:
	"""Each returned item's quantity taken from the invoice rows of its Item, dearest rate first.

	A line's units are invoiced at rates a cent apart (split_line); Shopee refunds a unit at the
	rounded-up price, which only the dearer row can carry.
	"""
	left = {row["row"]: int(row["qty"]) for row in invoice_rows}
	dearest_first = sorted(invoice_rows, key=lambda row: -to_decimal(row["rate"]))
	units = []
	for index, item in enumerate(items):
		needed = int(item["qty"])
		if needed <= 0:
			raise ReturnMappingError(f"returned quantity of {item['item_code']} is {needed}")
		for row in dearest_first:
			if row["item_code"] != item["item_code"] or not left[row["row"]] or not needed:
				continue
			taken = min(needed, left[row["row"]])
			left[row["row"]] -= taken
			needed -= taken
			units.append(_Unit(index, item["item_code"], row["row"], taken, to_decimal(row["rate"])))
		if needed:
			raise ReturnMappingError(
				f"{item['qty']} of {item['item_code']} returned, only {int(item['qty']) - needed} left on the invoice"
			)
	return units


def _weights(items: list[dict], goods: Decimal) -> list[Decimal]:
	"""Shopee's per-item refunds when they add up to the goods refunded, else the items' prices."""
	given = [
		None if item.get("refund_amount") is None else to_decimal(item["refund_amount"]) for item in items
	]
	if all(value is not None for value in given) and sum(given, ZERO) == goods:
		return given
	return [to_decimal(item.get("item_price")) * int(item["qty"]) for item in items]


def _item_cap(units: list[_Unit], index: int) -> Decimal:
	return sum((unit.cap for unit in units if unit.item == index), ZERO)


def _fill_to_caps(
	total: Decimal, weights: list[Decimal], caps: list[Decimal], currency: str
) -> list[Decimal]:
	"""total split by weights, no part above its cap: what a capped part cannot take goes to the others."""
	parts = [ZERO] * len(weights)
	open_ = [i for i in range(len(weights)) if caps[i] > 0]
	left = total
	while left > 0 and open_:
		shares = allocate(left, [weights[i] for i in open_], currency)
		capped = []
		for i, share in zip(open_, shares, strict=True):
			take = min(share, caps[i] - parts[i])
			parts[i] += take
			left -= take
			if parts[i] >= caps[i]:
				capped.append(i)
		if not capped:
			break
		open_ = [i for i in open_ if i not in capped]
	if left:
		raise ReturnMappingError(f"{left} of the refund cannot be spread within the invoiced rates")
	return parts
