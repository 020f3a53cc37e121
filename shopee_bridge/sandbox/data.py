"""Deterministic sandbox data: a compact order index, with everything else derived on demand.

The data depends only on (seed, number of orders, shops, anchor, days); the anchor is the server's
start time rounded down to the hour and orders spread over the `days` (default 60) before it.
Only a compact index (order_sn, shop, create_time, update_time, status) is built up front; an
order's lines, buyer, money, escrow and return come from its own random.Random(seed, index) when
asked for, with a bounded cache. Status changes (set_status) are kept apart from the generated index. Returns are
planned from the generated statuses. Orders a test places (place_order, placed.py) join the index at
the end, READY_TO_SHIP, with their facts kept.

Money identities, exact to the currency's smallest unit (all amounts are Decimal, rounded per
component to the currency's decimals: 2 for SGD/MYR/BRL..., 0 for IDR/VND/THB/PHP/TWD). "Seller
price" is after seller discounts and bundle deals, before Shopee's item rebate (shopee_discount):

- escrow ``items[]`` prices are line SUBTOTALS, as Shopee documents them;
- a shop reports item prices one of two ways (``item_prices``; Shopee's reference does not settle
  which): "after_rebate" (default): ``model_discounted_price`` is the unit price after the rebate
  and ``items[].original_price - items[].seller_discount - items[].shopee_discount =
  items[].discounted_price``; "before_rebate": ``model_discounted_price`` is the seller's unit price
  and ``items[].original_price - items[].seller_discount = items[].discounted_price``. Bundle-deal
  lines have ``model_discounted_price`` 0 either way;
- ``order_discounted_price = Σ items[].discounted_price``;
  ``original_cost_of_goods_sold`` = Σ seller prices = the goods before the rebate, in both readings;
  ``original_shopee_discount`` = Σ items[].shopee_discount;
- order detail ``total_amount = buyer_total_amount = original_cost_of_goods_sold
  - original_shopee_discount - voucher_from_seller - voucher_from_shopee - coins - payment_promotion
  + buyer_paid_shipping_fee + buyer_transaction_fee``;
- ``escrow_amount = original_cost_of_goods_sold - original_shopee_discount + seller_return_refund
  + shopee_discount - voucher_from_seller - seller_coin_cash_back + buyer_paid_shipping_fee
  - actual_shipping_fee + shopee_shipping_rebate + shipping_fee_discount_from_3pl - reverse_shipping_fee
  - final_return_to_seller_shipping_fee - seller_transaction_fee - service_fee - commission_fee
  - campaign_fee - order_ams_commission_fee - escrow_tax - withholding_tax`` (Shopee §9.1; the
  terms the sandbox does not model are present and 0);
- an ACCEPTED return refunds the buyer what they paid for the returned units after the rebate:
  ``seller_return_refund`` is minus that, ``shopee_discount`` drops by the rebate on those units and
  ``cost_of_goods_sold`` by the refund, while the ``original_*`` figures and ``items[]`` keep the sale;
- ``final_shipping_fee = buyer_paid_shipping_fee - actual_shipping_fee + shopee_shipping_rebate``;
- Σ items[].discount_from_voucher_seller / _voucher_shopee / _coin = the order's voucher_from_seller /
  voucher_from_shopee / coins;
- wallet (wallet.py): one ESCROW_VERIFIED_ADD (or _MINUS) per COMPLETED order (amount = escrow_amount,
  at its update_time; none when it is zero), ADJUSTMENT_ADD/_MINUS rows for order adjustments (also in escrow detail), and
  weekly withdrawals of the balance: split in parts sharing a root_withdrawal_id, each CREATED then
  COMPLETED days later, some cancelled, some charged a fee.

Harsh mode (``harsh=True``) adds what real shops send: listings without any SKU, two listings sharing
a SKU, Shopee rebates on any line (bundles too), buyer transaction fees on Indonesian orders, payment
promotions, seller coin cash back, returns that take back the whole order, and escrows that end at
zero or below: full refunds on which Shopee waives the fees (escrow 0, no wallet row; or minus the
return parcel the seller pays), partial refunds larger than the escrow, and adjustments that take
back more than the escrow (finance.ENDING_SHARES, wallet.NEGATIVE_ADJUSTMENT_PERCENT).
"""

import random
import threading
import time
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter, OrderedDict
from decimal import Decimal

from shopee_bridge.sandbox import finance, listings, placed, wallet
from shopee_bridge.sandbox.catalogue import UNMAPPED_SKU, base36, mix
from shopee_bridge.sandbox.orders import (
	AFTER_REBATE,
	BEFORE_REBATE,
	STATUSES,
	OrderEntry,
	derive_order,
	order_detail,
	tracking_number,
)
from shopee_bridge.sandbox.products import ProductStore

DAY = 86400
WINDOW_DAYS = 60
FACTS_CACHE_SIZE = 2048
DEFAULT_SHOP = {"shop_id": 600001, "shop_name": "Sandbox Shop SG", "region": "SG", "currency": "SGD"}
LAST_KEY_CHAR = "\U0010ffff"
SN_MULTIPLIER = 25_214_903_917  # coprime with 36**8, so counters map to distinct suffixes

# (maximum age, status weights in STATUSES order): young orders are open, old ones finished
_AGE_BANDS = (
	(DAY, (25, 35, 20, 0, 0, 0, 5, 15, 0)),
	(3 * DAY, (0, 15, 20, 35, 15, 0, 5, 10, 0)),
	(10 * DAY, (0, 0, 0, 15, 25, 45, 0, 10, 5)),
	(None, (0, 0, 0, 0, 2, 85, 0, 10, 3)),
)
_UPDATE_DELAY = {
	"UNPAID": (0, 1800),
	"READY_TO_SHIP": (60, 3600),
	"PROCESSED": (3600, DAY),
	"SHIPPED": (DAY, 3 * DAY),
	"TO_CONFIRM_RECEIVE": (2 * DAY, 5 * DAY),
	"COMPLETED": (5 * DAY, 12 * DAY),
	"IN_CANCEL": (3600, DAY),
	"CANCELLED": (1800, 3 * DAY),
	"TO_RETURN": (4 * DAY, 10 * DAY),
}


def normalize_shops(shops: list[dict] | None) -> list[dict]:
	"""The shop list with defaults filled in (one Singapore shop when none is given).

	`item_prices` says how the shop's region reports item prices: "after_rebate" (default) or
	"before_rebate" (the seller's price, with Shopee's item rebate only in escrow).
	"""
	result = []
	for shop in shops or [DEFAULT_SHOP]:
		shop_id = int(shop["shop_id"])
		item_prices = shop.get("item_prices", AFTER_REBATE)
		if item_prices not in (AFTER_REBATE, BEFORE_REBATE):
			raise ValueError(f"item_prices must be {AFTER_REBATE} or {BEFORE_REBATE}, not {item_prices!r}")
		result.append(
			{
				"shop_id": shop_id,
				"shop_name": shop.get("shop_name", f"Sandbox Shop {shop_id}"),
				"region": shop.get("region", "SG"),
				"currency": shop.get("currency", "SGD"),
				"item_prices": item_prices,
			}
		)
	if len({shop["shop_id"] for shop in result}) != len(result):
		raise ValueError("shop_id values must be unique")
	return result


def order_sn_for(create_time: int, counter: int, salt: int) -> str:
	"""Shopee-style order_sn: YYMMDD (UTC+8) + 8 upper-case base-36 characters, unique per counter."""
	day = time.strftime("%y%m%d", time.gmtime(create_time + 8 * 3600))
	return day + base36((counter * SN_MULTIPLIER + salt) % 36**8, 8)


def _pick_status(rng: random.Random, age: int) -> int:
	for max_age, weights in _AGE_BANDS:
		if max_age is None or age < max_age:
			return rng.choices(range(len(STATUSES)), weights=weights)[0]
	raise AssertionError("unreachable")


def _cover_every_status(codes: bytearray) -> None:
	"""Give each missing status to one of the newest orders whose status is not unique."""
	counts = Counter(codes)
	position = len(codes) - 1
	for code in (code for code in range(len(STATUSES)) if not counts[code]):
		while position >= 0 and counts[codes[position]] <= 1:
			position -= 1
		if position < 0:
			return
		counts[codes[position]] -= 1
		codes[position] = code
		counts[code] += 1
		position -= 1


class Dataset:
	"""Orders, escrow, returns and wallet rows of the sandbox shops."""

	def __init__(
		self,
		seed: int = 1,
		orders: int = 50,
		shops: list[dict] | None = None,
		anchor: int | None = None,
		harsh: bool = False,
		days: int = WINDOW_DAYS,
		only_status: str | None = None,
	):
		self.seed = int(seed)
		self.harsh = bool(harsh)
		self.days = int(days)
		if only_status is not None and only_status not in STATUSES:
			raise ValueError(f"unknown order status {only_status!r}")
		self.only_status = only_status
		self.shops = normalize_shops(shops)
		self.anchor = int(time.time()) // 3600 * 3600 if anchor is None else int(anchor)
		self._lock = threading.RLock()
		self._overrides: dict[int, tuple[str, int]] = {}
		self._amendments: dict[int, tuple[dict, dict]] = {}
		self._extra_adjustments: dict[int, list[wallet.Adjustment]] = {}
		self._wallets: dict[int, tuple[int, wallet.Wallet]] = {}
		self._version = 0
		self._views: dict[tuple, tuple[list, list]] = {}
		self._facts: OrderedDict[int, dict] = OrderedDict()
		self.shipments: dict[int, dict] = {}  # logistics state of orders shipped through the API
		self.return_states: dict[str, dict] = {}  # negotiation, dispute, reverse parcel of returns
		self._placed: dict[int, dict] = {}  # facts of orders placed by place_order
		self._build_index(int(orders))
		self._buyer_pool = max(10, len(self._sns) // 3)
		self._plan_returns()
		self.products = ProductStore(self.seed, self.shops, self.anchor)

	def _build_index(self, count: int) -> None:
		rng = random.Random(mix(self.seed, 0x1D))
		offsets = sorted((rng.randrange(self.days * DAY) for _ in range(count)), reverse=True)
		self._create = array("q", [self.anchor - offset for offset in offsets])
		codes = bytearray(_pick_status(rng, self.anchor - created) for created in self._create)
		if self.only_status:  # load tests: every order in one status
			codes = bytearray([STATUSES.index(self.only_status)]) * len(codes)
		else:
			_cover_every_status(codes)
		self._status = codes
		delays = [_UPDATE_DELAY[STATUSES[code]] for code in codes]
		self._update = array(
			"q",
			[
				min(self.anchor, created + rng.randint(*delay))
				for created, delay in zip(self._create, delays, strict=True)
			],
		)
		self._shop = array("H", [index % len(self.shops) for index in range(count)])
		salt = mix(self.seed, 0x5A17) % 36**8
		self._sns = [order_sn_for(created, index, salt) for index, created in enumerate(self._create)]
		self._by_sn = {order_sn: index for index, order_sn in enumerate(self._sns)}

	def _plan_returns(self) -> None:
		self._returns: dict[int, finance.ReturnEntry] = {}
		for index, code in enumerate(self._status):
			if STATUSES[code] in ("COMPLETED", "TO_RETURN"):
				args = (STATUSES[code], self._create[index], self._update[index], self.anchor)
				entry = finance.plan_return(self.seed, index, *args, harsh=self.harsh)
				if entry:
					self._returns[index] = entry
		self._returns_by_sn = {entry.return_sn: entry for entry in self._returns.values()}

	# -- index -----------------------------------------------------------------------------

	def __len__(self) -> int:
		return len(self._sns)

	def shop(self, shop_id: int | str) -> dict | None:
		"""The shop dict of shop_id, or None."""
		return next((shop for shop in self.shops if shop["shop_id"] == int(shop_id)), None)

	def _shop_no(self, shop_id: int | str) -> int:
		return next(number for number, shop in enumerate(self.shops) if shop["shop_id"] == int(shop_id))

	def order_sns(self, shop_id: int | None = None) -> list[str]:
		"""Every order_sn (of one shop when given), oldest first."""
		if shop_id is None:
			return list(self._sns)
		shop_no = self._shop_no(shop_id)
		return [order_sn for index, order_sn in enumerate(self._sns) if self._shop[index] == shop_no]

	def index_of(self, order_sn: str, shop_id: int | None = None) -> int | None:
		"""The order's index, or None when unknown (or owned by another shop)."""
		index = self._by_sn.get(order_sn)
		if index is None or (
			shop_id is not None and self.shops[self._shop[index]]["shop_id"] != int(shop_id)
		):
			return None
		return index

	def state(self, index: int) -> tuple[str, int]:
		"""(status, update_time) of an order, after any set_status override."""
		override = self._overrides.get(index)
		if override:
			return override
		return STATUSES[self._status[index]], self._update[index]

	def entry(self, index: int) -> OrderEntry:
		return OrderEntry(index, self._sns[index], self.shops[self._shop[index]], self._create[index])

	def set_status(self, order_sn: str, status: str, update_time: int | None = None) -> int:
		"""Move an order to status; update_time defaults to now (always later than before). Returns it."""
		if status not in STATUSES:
			raise ValueError(f"unknown order status {status!r}")
		index = self._by_sn.get(order_sn)
		if index is None:
			raise KeyError(order_sn)
		with self._lock:
			previous = self.state(index)[1]
			update_time = max(int(time.time()), previous + 1) if update_time is None else int(update_time)
			self._overrides[index] = (status, update_time)
			self._version += 1
		return update_time

	def _view(self, field: str, shop_no: int) -> tuple[list, list]:
		"""(sorted (time, order_sn) keys, order indexes) of one shop by create_time or update_time."""
		key = (field, shop_no, self._version if field == "update_time" else 0)
		with self._lock:
			view = self._views.get(key)
			if view is None:
				if field == "update_time":
					self._views = {k: v for k, v in self._views.items() if k[0] != "update_time"}
				times = self._create if field == "create_time" else self._current_update_times()
				rows = sorted(
					(times[index], self._sns[index], index)
					for index in range(len(self._sns))
					if self._shop[index] == shop_no
				)
				view = ([(row[0], row[1]) for row in rows], [row[2] for row in rows])
				self._views[key] = view
		return view

	def _current_update_times(self) -> list[int]:
		times = list(self._update)
		for index, (_status, update_time) in self._overrides.items():
			times[index] = update_time
		return times

	def list_orders(
		self, shop_id, field: str, time_from: int, time_to: int, status=None, after=None, limit: int = 100
	) -> tuple[list[dict], bool]:
		"""One page of orders with field in [time_from, time_to], ascending by (time, order_sn).

		after is the (time, order_sn) key of the previous page's last row. Rows carry that "key".
		"""
		keys, indexes = self._view(field, self._shop_no(shop_id))
		start = bisect_left(keys, (time_from, ""))
		if after is not None:
			start = max(start, bisect_right(keys, tuple(after)))
		end = bisect_right(keys, (time_to, LAST_KEY_CHAR))
		rows = []
		for position in range(start, end):
			current_status = self.state(indexes[position])[0]
			if status and current_status != status:
				continue
			if len(rows) == limit:
				return rows, True
			rows.append(
				{"order_sn": keys[position][1], "order_status": current_status, "key": keys[position]}
			)
		return rows, False

	# -- derived views -----------------------------------------------------------------------

	def sells_unmapped(self, index: int) -> bool:
		"""Whether the order sells the catalogue's deliberately unmapped listing (it waits for a mapping)."""
		return any(
			UNMAPPED_SKU in (line["unit"]["model_sku"], line["product"]["item_sku"])
			for line in self.facts(index)["lines"]
		)

	def facts(self, index: int) -> dict:
		"""The status-independent facts of an order (bounded LRU cache)."""
		with self._lock:
			if index in self._placed:
				return self._placed[index]
			cached = self._facts.get(index)
			if cached is not None:
				self._facts.move_to_end(index)
				return cached
		facts = derive_order(self.seed, self.entry(index), self._buyer_pool, self.harsh)
		with self._lock:
			self._facts[index] = facts
			while len(self._facts) > FACTS_CACHE_SIZE:
				self._facts.popitem(last=False)
		return facts

	def order_detail(self, index: int, fields: set[str] | frozenset = frozenset()) -> dict:
		"""get_order_detail's entry for one order."""
		status, update_time = self.state(index)
		detail = order_detail(self.facts(index), status, update_time, set(fields))
		order_fields = self._amendments.get(index, ({}, {}))[0]
		return {**detail, **{key: value for key, value in order_fields.items() if key in detail}}

	def place_order(self, shop_id: int, lines: list[dict], now: int | None = None) -> str:
		"""A buyer orders [{item_id, model_id, quantity}] of the shop's listings now: a new READY_TO_SHIP
		order at the listings' prices, their stock taken. Returns its order_sn."""
		if self.shop(shop_id) is None:
			raise KeyError(f"no shop {shop_id}")
		shop_no = self._shop_no(shop_id)
		now = int(time.time()) if now is None else int(now)
		taken = listings.take_for_order(self.products, shop_id, lines)
		with self._lock:
			index = len(self._sns)
			create_time = now - placed.PAID_AFTER
			order_sn = order_sn_for(create_time, index, mix(self.seed, 0x5A17) % 36**8)
			self._create.append(create_time)
			self._update.append(now)
			self._status.append(STATUSES.index("READY_TO_SHIP"))
			self._shop.append(shop_no)
			self._sns.append(order_sn)
			self._by_sn[order_sn] = index
			self._placed[index] = placed.placed_facts(self.seed, self.entry(index), self._buyer_pool, taken)
			self._views.clear()
			self._version += 1
		return order_sn

	def amend_order(
		self, order_sn: str, order_fields: dict | None = None, income: dict | None = None
	) -> None:
		"""Make Shopee report other figures for an order (order detail fields, escrow order_income)."""
		index = self._by_sn[order_sn]
		with self._lock:
			self._amendments[index] = (dict(order_fields or {}), dict(income or {}))

	def tracking_number(self, index: int) -> str:
		return tracking_number(self.facts(index), self.state(index)[0])

	def escrow_detail(self, index: int) -> dict:
		"""get_escrow_detail's response for one order."""
		facts = self.facts(index)
		ret = self._returns.get(index)
		refund = finance.accepted_refund(self.seed, ret, facts)
		detail = finance.escrow_detail(facts, [ret.return_sn] if ret else [], refund)
		wallet.apply_adjustments(
			detail["order_income"], self.adjustments(index), facts["entry"].shop["currency"]
		)
		detail["order_income"].update(self._amendments.get(index, ({}, {}))[1])
		return detail

	def escrow_amount(self, index: int):
		facts = self.facts(index)
		return finance.escrow_amount(
			facts["money"], finance.accepted_refund(self.seed, self._returns.get(index), facts)
		)

	def escrow_ending(self, index: int) -> str:
		"""How the order's accepted return ends its escrow (finance.ZERO_ESCROW...); "" for an ordinary one."""
		ret = self._returns.get(index)
		if ret is None or ret.status != "ACCEPTED":
			return ""
		return finance.effective_ending(self.seed, ret, self.facts(index))

	# -- returns -----------------------------------------------------------------------------

	def list_returns(
		self, shop_id, create_range=None, update_range=None, status: str | None = None
	) -> list[dict]:
		"""Return rows of a shop matching the optional (from, to) ranges, ascending by create_time."""
		shop_no = self._shop_no(shop_id)
		selected = sorted(
			(entry for index, entry in self._returns.items() if self._shop[index] == shop_no),
			key=lambda entry: (entry.create_time, entry.return_sn),
		)
		selected = [entry for entry in selected if _in_range(entry.create_time, create_range)]
		selected = [entry for entry in selected if _in_range(entry.update_time, update_range)]
		if status:
			selected = [entry for entry in selected if entry.status == status]
		return selected

	def return_view(self, entry: finance.ReturnEntry, detail: bool = False) -> dict:
		state = self.return_states.get(entry.return_sn)
		return finance.return_view(self.seed, entry, self.facts(entry.order_index), detail, state)

	def open_return(
		self, order_sn: str, full: bool = False, solution: int | None = None
	) -> finance.ReturnEntry:
		"""The buyer opens a return request on an order now; an order has at most one return."""
		index = self._by_sn[order_sn]
		with self._lock:
			if index in self._returns:
				raise ValueError(f"order {order_sn} already has return {self._returns[index].return_sn}")
			now = max(int(time.time()), self.state(index)[1] + 1)
			entry = finance.opened_return(self.seed, index, now, full, solution)
			self._returns[index] = entry
			self._returns_by_sn[entry.return_sn] = entry
		return entry

	@property
	def lock(self) -> threading.RLock:
		"""The dataset's lock, for the endpoints that change shipment and return state."""
		return self._lock

	def update_return(self, return_sn: str, **changes) -> finance.ReturnEntry:
		"""Replace fields of a return (status, refund, solution...); update_time moves to now, always later."""
		with self._lock:
			entry = self._returns_by_sn[return_sn]
			update_time = max(int(time.time()), entry.update_time + 1)
			entry = entry._replace(**{"update_time": update_time, **changes})
			self._returns[entry.order_index] = entry
			self._returns_by_sn[return_sn] = entry
		return entry

	def find_return(self, return_sn: str, shop_id=None) -> finance.ReturnEntry | None:
		"""The return with return_sn (of the shop when given), or None."""
		entry = self._returns_by_sn.get(return_sn)
		if entry and shop_id is not None and self.index_of(self._sns[entry.order_index], shop_id) is None:
			return None
		return entry

	# -- finance -----------------------------------------------------------------------------

	def completed_between(self, shop_id, time_from: int, time_to: int) -> list[tuple[int, int]]:
		"""(update_time, index) of the shop's COMPLETED orders updated in [time_from, time_to]."""
		keys, indexes = self._view("update_time", self._shop_no(shop_id))
		start, end = bisect_left(keys, (time_from, "")), bisect_right(keys, (time_to, LAST_KEY_CHAR))
		return [
			(keys[position][0], indexes[position])
			for position in range(start, end)
			if self.state(indexes[position])[0] == "COMPLETED"
		]

	def escrow_releases(self, shop_id, time_from: int, time_to: int) -> list[dict]:
		"""get_escrow_list rows: completed orders whose escrow was released in the range."""
		return [
			{
				"order_sn": self._sns[index],
				"payout_amount": self.escrow_amount(index),
				"escrow_release_time": moment,
			}
			for moment, index in self.completed_between(shop_id, time_from, time_to)
		]

	def wallet_transactions(self, shop_id, time_from: int, time_to: int) -> list[dict]:
		"""Wallet rows of a shop created in [time_from, time_to] (and not in the future), ascending by time."""
		return self.wallet_of(shop_id).rows_between(time_from, time_to)

	def wallet_of(self, shop_id) -> wallet.Wallet:
		"""The shop's wallet at the current data version (rebuilt after a status change or adjustment)."""
		shop_no = self._shop_no(shop_id)
		with self._lock:
			version, built = self._wallets.get(shop_no, (None, None))
			if version != self._version:
				built = wallet.Wallet(self, shop_no)
				self._wallets[shop_no] = (self._version, built)
		return built

	def adjustments(self, index: int) -> list[wallet.Adjustment]:
		"""An order's adjustments: the planned one of some completed orders, then those tests added."""
		status, update_time = self.state(index)
		planned = []
		if status == "COMPLETED":
			escrow = self.escrow_amount(index) if self.harsh else None
			planned = wallet.planned_adjustments(
				self.seed, index, update_time, self.facts(index), self.anchor, escrow
			)
		return planned + self._extra_adjustments.get(index, [])

	def add_adjustment(self, order_sn: str, amount, reason: str = "Order adjustment", moment=None) -> int:
		"""Make Shopee adjust an order now (or at `moment`): escrow detail and wallet report it. Returns its time."""
		index = self._by_sn[order_sn]
		moment = int(time.time()) if moment is None else int(moment)
		with self._lock:
			adjustment = wallet.Adjustment(Decimal(str(amount)), moment, reason)
			self._extra_adjustments.setdefault(index, []).append(adjustment)
			self._version += 1
		return moment

	def info(self) -> dict:
		"""A summary for /_sandbox/info."""
		return {
			"seed": self.seed,
			"orders": len(self),
			"anchor": self.anchor,
			"shops": self.shops,
			"harsh": self.harsh,
		}


def _in_range(value: int, bounds: tuple[int, int] | None) -> bool:
	return bounds is None or bounds[0] <= value <= bounds[1]
