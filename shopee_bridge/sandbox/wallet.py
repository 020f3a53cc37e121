"""The sandbox seller wallet, as unkind as Shopee's (shopee-api.md §9.2-9.3).

Per shop, in time order:
- ESCROW_VERIFIED_ADD at each COMPLETED order's update_time for its escrow_amount (ESCROW_VERIFIED_MINUS
  when a refund made it negative: Shopee takes the money back from the wallet; no row at all when it is
  zero: Shopee releases nothing);
- ADJUSTMENT_ADD / ADJUSTMENT_MINUS for order adjustments: ~10% of completed orders get one a few days
  after the release, in harsh mode a few more get one that takes back more than the escrow (it ends
  negative), and tests add more (Dataset.add_adjustment); escrow detail then reports them in
  `order_adjustment`, `total_adjustment_amount` and `escrow_amount_after_adjustment`;
- a weekly withdrawal (Mondays 10:00 UTC) of the whole balance when it is positive, split into parts of
  at most SPLIT_LIMIT (SGD, converted) sharing a root_withdrawal_id, each its own withdrawal_id with a
  WITHDRAWAL_CREATED row (debits the balance) and, 1-3 days later, a WITHDRAWAL_COMPLETED row (the money
  reached the bank; the balance does not move). Every fourth withdrawal has its last part cancelled
  (WITHDRAWAL_CANCELLED a day later gives the amount back, and no money reaches the bank); every third
  charges a withdrawal fee on its first part (`transaction_fee`: the bank receives the amount minus it).

Ids are unique per (seed, shop) like Shopee's global ids, so several sandbox runs never reuse one.
Rows whose time has not come yet (a completion after now) are not shown.
"""

import heapq
import time
from decimal import Decimal
from typing import NamedTuple

from shopee_bridge.sandbox.catalogue import currency_spec, mix, to_money

DAY = 86400
WEEK = 7 * DAY
WITHDRAWAL_HOUR = 10 * 3600
SPLIT_LIMIT = Decimal(300)
WITHDRAWAL_FEE = Decimal("0.50")
ADJUSTMENT_PERCENT = 10
NEGATIVE_ADJUSTMENT_PERCENT = 4  # harsh mode: an adjustment larger than the escrow
ADJUSTMENT_REASONS = ("Logistic issue compensation", "Marketing fee deduction", "Return refund compensation")
CLAWBACK_REASON = "Refund to buyer after order completion"
TRANSACTION_TYPES = {
	"ESCROW_VERIFIED_ADD": 101,
	"ESCROW_VERIFIED_MINUS": 102,
	"WITHDRAWAL_CREATED": 201,
	"WITHDRAWAL_COMPLETED": 202,
	"WITHDRAWAL_CANCELLED": 203,
	"ADJUSTMENT_ADD": 401,
	"ADJUSTMENT_MINUS": 402,
}
TAB_TYPES = {
	"wallet_order_income": ("ESCROW_VERIFIED_ADD", "ESCROW_VERIFIED_MINUS"),
	"wallet_adjustment_filter": ("ADJUSTMENT_ADD", "ADJUSTMENT_MINUS"),
	"wallet_withdrawals": ("WITHDRAWAL_CREATED", "WITHDRAWAL_COMPLETED", "WITHDRAWAL_CANCELLED"),
}
# id ranges per kind of row (and of withdrawal id), under each (seed, shop) prefix
RELEASE, ADJUSTMENT, CREATED, COMPLETED, CANCELLED, WITHDRAWAL = range(1, 7)


class Adjustment(NamedTuple):
	"""One order-level adjustment: what order_adjustment[] reports and an ADJUSTMENT_* wallet row pays."""

	amount: Decimal
	time: int
	reason: str


def planned_adjustments(
	seed: int, index: int, release: int, facts: dict, anchor: int, escrow: Decimal | None = None
) -> list[Adjustment]:
	"""The adjustment ~10% of completed orders get a few days after their release (none after the anchor).

	With the order's `escrow` (harsh mode), a few orders with a positive one get instead an adjustment
	that takes back more than it: the escrow ends negative.
	"""
	decision = mix(seed, index, 0xAD1)
	moment = release + (1 + decision % 4) * DAY
	goods = facts["money"]["order_discounted_price"]
	if escrow is not None and escrow > 0 and mix(seed, index, 0xAD2) % 100 < NEGATIVE_ADJUSTMENT_PERCENT:
		beyond = max(to_money(goods * Decimal("0.05"), facts["decimals"]), Decimal(1))
		return [Adjustment(-(escrow + beyond), moment, CLAWBACK_REASON)] if moment <= anchor else []
	if decision % 100 >= ADJUSTMENT_PERCENT or moment > anchor:
		return []
	size = max(to_money(goods * Decimal("0.03"), facts["decimals"]), Decimal(1))
	sign = 1 if (decision >> 8) % 2 else -1
	return [Adjustment(sign * size, moment, ADJUSTMENT_REASONS[(decision >> 9) % len(ADJUSTMENT_REASONS)])]


def apply_adjustments(income: dict, adjustments: list[Adjustment], currency: str) -> None:
	"""Report the adjustments in an escrow's order_income, as Shopee does once they are made."""
	if not adjustments:
		return
	total = sum((adjustment.amount for adjustment in adjustments), Decimal(0))
	income["order_adjustment"] = [
		{"amount": a.amount, "date": a.time, "currency": currency, "adjustment_reason": a.reason}
		for a in adjustments
	]
	income["total_adjustment_amount"] = total
	income["escrow_amount_after_adjustment"] = income["escrow_amount"] + total


class Wallet:
	"""Every wallet row of one shop, in time order (built once per dataset version)."""

	def __init__(self, dataset, shop_no: int):
		self.dataset = dataset
		self.shop = dataset.shops[shop_no]
		self.shop_no = shop_no
		self.rate, self.decimals = currency_spec(self.shop["currency"])
		self.prefix = (mix(dataset.seed, self.shop["shop_id"], 0x3A11) % 8_000_000 + 1_000_000) * 10**9
		self.rows: list[dict] = []
		self.balance = Decimal(0)
		self._build()

	def rows_between(self, time_from: int, time_to: int) -> list[dict]:
		"""Rows created in [time_from, time_to] whose time has come."""
		time_to = min(time_to, int(time.time()))
		return [row for row in self.rows if time_from <= row["create_time"] <= time_to]

	def _build(self) -> None:
		events: list[tuple] = []
		releases = self.dataset.completed_between(self.shop["shop_id"], 0, 2**62)
		for moment, index in releases:
			events.append((moment, 0, index, "release", index))
			for number, adjustment in enumerate(self.dataset.adjustments(index)):
				events.append(
					(adjustment.time, 1, index * 100 + number, "adjust", (index, number, adjustment))
				)
		first = min((moment for moment, _index in releases), default=self.dataset.anchor)
		for number, moment in enumerate(weekly_times(first, self.dataset.anchor)):
			events.append((moment, 2, number, "withdraw", number))
		heapq.heapify(events)
		while events:
			moment, _order, _key, kind, ref = heapq.heappop(events)
			getattr(self, f"_{kind}")(moment, ref, events)

	def _release(self, moment: int, index: int, events) -> None:
		amount = self.dataset.escrow_amount(index)
		if not amount:
			return  # Shopee writes no wallet row for an escrow of zero
		kind = "ESCROW_VERIFIED_ADD" if amount >= 0 else "ESCROW_VERIFIED_MINUS"
		order_sn = self.dataset.entry(index).order_sn
		self._add(
			RELEASE,
			index,
			kind,
			amount,
			moment,
			order_sn=order_sn,
			description=f"Income from order {order_sn}",
		)

	def _adjust(self, moment: int, ref: tuple, events) -> None:
		index, number, adjustment = ref
		kind = "ADJUSTMENT_ADD" if adjustment.amount >= 0 else "ADJUSTMENT_MINUS"
		order_sn = self.dataset.entry(index).order_sn
		self._add(
			ADJUSTMENT,
			index * 100 + number,
			kind,
			adjustment.amount,
			moment,
			order_sn=order_sn,
			reason=adjustment.reason,
		)

	def _withdraw(self, moment: int, number: int, events) -> None:
		"""Withdraw the whole balance, in parts of at most the limit; schedule each part's outcome."""
		if self.balance <= 0:
			return
		limit = to_money(SPLIT_LIMIT * self.rate, self.decimals)
		parts, left = [], self.balance
		while left > 0:
			parts.append(min(left, limit))
			left -= parts[-1]
		root = self.prefix + WITHDRAWAL * 10**8 + number * 10
		for part_no, part in enumerate(parts):
			withdrawal_id = root + part_no
			charged = number % 3 == 2 and part_no == 0
			fee = to_money(WITHDRAWAL_FEE * self.rate, self.decimals) if charged else Decimal(0)
			ids = {"withdrawal_id": withdrawal_id, "root_withdrawal_id": root, "withdrawal_type": "MANUAL"}
			self._add(CREATED, withdrawal_id, "WITHDRAWAL_CREATED", -part, moment, transaction_fee=fee, **ids)
			cancelled = number % 4 == 1 and part_no == len(parts) - 1
			delay = DAY + 7200 if cancelled else (1 + mix(self.prefix, number, part_no) % 3) * DAY - 3600
			outcome = "cancel" if cancelled else "complete"
			heapq.heappush(events, (moment + delay, 3, withdrawal_id, outcome, (part, fee, ids)))

	def _complete(self, moment: int, ref: tuple, events) -> None:
		part, fee, ids = ref
		self._add(
			COMPLETED, ids["withdrawal_id"], "WITHDRAWAL_COMPLETED", -part, moment, transaction_fee=fee, **ids
		)

	def _cancel(self, moment: int, ref: tuple, events) -> None:
		part, _fee, ids = ref
		self._add(
			CANCELLED,
			ids["withdrawal_id"],
			"WITHDRAWAL_CANCELLED",
			part,
			moment,
			reason="Bank rejected",
			**ids,
		)

	def _add(self, kind_no: int, number: int, kind: str, amount, moment: int, **fields) -> None:
		"""Append a row; `number` is unique among the shop's rows of this kind (below 10**8)."""
		if kind != "WITHDRAWAL_COMPLETED":  # a completion only clears the money already taken out
			self.balance += amount
		row = {
			"transaction_id": self.prefix + kind_no * 10**8 + number % 10**8,
			"status": "COMPLETED",
			"transaction_type": kind,
			"amount": amount,
			"current_balance": self.balance,
			"create_time": moment,
			"order_sn": "",
			"refund_sn": "",
			"withdrawal_type": "",
			"withdrawal_id": 0,
			"root_withdrawal_id": 0,
			"transaction_fee": Decimal(0),
			"description": "",
			"reason": "",
			"buyer_name": "",
			"transaction_tab_type": next((tab for tab, kinds in TAB_TYPES.items() if kind in kinds), ""),
			"money_flow": "MONEY_IN" if amount >= 0 and kind != "WITHDRAWAL_COMPLETED" else "MONEY_OUT",
		}
		row.update(fields)
		self.rows.append(row)


def weekly_times(first: int, anchor: int) -> list[int]:
	"""Mondays 10:00 UTC after `first` up to the anchor, ascending."""
	monday = first - (first - 4 * DAY) % WEEK  # the epoch began on a Thursday
	moment = monday + WITHDRAWAL_HOUR
	times = []
	while moment <= anchor:
		if moment > first:
			times.append(moment)
		moment += WEEK
	return times
