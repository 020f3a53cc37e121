"""Stock (and optionally price) pushes: each due Shopee Item Map row gets its Item's sellable quantity.

Sellable = actual - reserved (Sales Orders not yet delivered), summed over the shop's stock
warehouses, never above the projected quantity, never below zero, in whole stock-UOM units. A row is
due when ERPNext marked it Pending, or when it Failed and its backoff passed. Rows whose value equals
what Shopee shows (as last read or pushed) are marked Synced without a call; the others go as one
update_stock call per Shopee item with up to 50 models, each item its own unit of work. Shopee's
failure_list, or an error of the whole call, makes the rows Failed with the reason, retried on the
60 s .. 3 h schedule; the last pushed value and time are kept per row. Rows never read from Shopee
(mapped from orders) are read first, to learn their stock location and current stock.
"""

from dataclasses import dataclass, field
from decimal import Decimal

import frappe
from frappe import _
from frappe.query_builder import Case
from frappe.query_builder.functions import Sum
from frappe.utils import add_to_date, now_datetime

from shopee_bridge.client_errors import (
	ShopeeAuthError,
	ShopeeDailyLimitError,
	ShopeeError,
	ShopeeRateLimitError,
)
from shopee_bridge.constants import ITEM_MAP, SHOP
from shopee_bridge.mappers import catalogue as mapper
from shopee_bridge.services import stock_changes
from shopee_bridge.services.listing_readback import read_shopee_rows, store_shopee_rows
from shopee_bridge.services.stock_prices import price_targets
from shopee_bridge.shop_client import get_settings, make_client
from shopee_bridge.webhooks import retry_delay

ROW_FIELDS = (
	"name",
	"item_id",
	"model_id",
	"item_code",
	"location_id",
	"item_status",
	"shopee_stock",
	"shopee_stock_at",
	"shopee_price",
	"change_seq",
	"push_attempts",
)
STOPPING_ERRORS = (ShopeeAuthError, ShopeeDailyLimitError, ShopeeRateLimitError)


@dataclass
class RowOutcome:
	"""What one push did to a row: values Shopee confirmed, and the reasons it refused any."""

	stock: int | None = None
	price: Decimal | None = None
	errors: list[str] = field(default_factory=list)
	skipped: str = ""  # why nothing is pushed to this row (Not Pushed)


@dataclass
class PushResult:
	rows: int = 0
	pushed: int = 0
	unchanged: int = 0
	failed: int = 0
	not_pushed: int = 0
	calls: int = 0
	errors: list[tuple[str, str]] = field(default_factory=list)


def sellable_quantities(item_codes: list[str], warehouses: list[str]) -> dict[str, int]:
	"""{item_code: whole units Shopee may sell} over the warehouses; 0 for Items without stock there."""
	result = dict.fromkeys(item_codes, 0)
	if not item_codes or not warehouses:
		return result
	Bin = frappe.qb.DocType("Bin")
	rows = (
		frappe.qb.from_(Bin)
		.select(Bin.item_code, Sum(Bin.actual_qty), Sum(Bin.reserved_qty), Sum(Bin.projected_qty))
		.where(Bin.item_code.isin(item_codes) & Bin.warehouse.isin(warehouses))
		.groupby(Bin.item_code)
		.run()
	)
	for item_code, actual, reserved, projected in rows:
		result[item_code] = mapper.sellable_quantity(actual or 0, reserved or 0, projected or 0)
	return result


def _due(Map):
	"""Pending, never pushed, or Failed with its backoff passed."""
	return (
		Map.push_state.isin(["Pending", ""])
		| Map.push_state.isnull()
		| ((Map.push_state == "Failed") & (Map.next_push_at <= now_datetime()))
	)


def due_rows(shop: str, names: list[str] | None = None) -> list[dict]:
	"""Mapped rows of the shop to push now (or these names): Pending, never pushed, or Failed past its backoff."""
	Map = frappe.qb.DocType(ITEM_MAP)
	query = (
		frappe.qb.from_(Map)
		.select(*(getattr(Map, name) for name in ROW_FIELDS))
		.where((Map.shop == shop) & Map.item_code.isnotnull() & (Map.item_code != ""))
		.orderby(Map.item_id)
		.orderby(Map.model_id)
	)
	query = query.where(Map.name.isin(names)) if names else query.where(_due(Map))
	return query.run(as_dict=True)


class StockPush:
	"""One push run over one shop's due rows."""

	def __init__(self, shop: str, on_call=None, client=None):
		self.shop = frappe.get_doc(SHOP, shop)
		self.settings = get_settings()
		self.client = client or make_client(shop, on_call=on_call, settings=self.settings)
		self.client.max_retries = 1  # rows retry on their own backoff; a job never sleeps through Shopee's
		self.result = PushResult()

	def run(self, rows: list[dict]) -> PushResult:
		"""Push the rows, item by item; stops early when Shopee refuses the shop (auth, rate or daily limit)."""
		self.result.rows = len(rows)
		try:
			self.learn_unread(rows)
		except ShopeeError as e:  # they wait on their backoff; the rows Shopee was read for go on
			rows = self.fail_unread(rows, e)
		if not rows:
			return self.result
		sellable = sellable_quantities(
			sorted({row.item_code for row in rows}), stock_changes.shop_warehouses(self.shop)
		)
		prices = price_targets(self.shop, self.settings, rows)
		by_item: dict[str, list[dict]] = {}
		for row in rows:
			by_item.setdefault(row.item_id, []).append(row)
		for item_rows in by_item.values():
			if not self.push_item(item_rows, sellable, prices):
				break
		frappe.db.set_value(SHOP, self.shop.name, "last_stock_push", now_datetime(), update_modified=False)
		frappe.db.commit()  # nosemgrep: the shop's push time goes with the rows committed per item
		return self.result

	def learn_unread(self, rows: list[dict]) -> None:
		"""Rows never read from Shopee (mapped from orders) get their location and current stock first."""
		unread = sorted({row.item_id for row in rows if not row.shopee_stock_at})
		if not unread:
			return
		fresh = read_shopee_rows(self.client, unread)
		store_shopee_rows(self.shop.name, fresh)
		for row in rows:
			found = fresh.get((row.item_id, row.model_id))
			if found:
				row.update(
					location_id=found["location_id"],
					item_status=found["item_status"],
					shopee_stock=found["shopee_stock"],
					shopee_stock_at=now_datetime(),
				)

	def fail_unread(self, rows: list[dict], error: ShopeeError) -> list[dict]:
		"""Rows whose listing could not be read are Failed; returns the others."""
		for row in rows:
			if not row.shopee_stock_at:
				self.write_outcome(row, RowOutcome(errors=[_("reading the listing: {0}").format(error)]))
		frappe.db.commit()  # nosemgrep: their backoff is recorded before the other rows are pushed
		return [] if isinstance(error, STOPPING_ERRORS) else [row for row in rows if row.shopee_stock_at]

	def push_item(self, rows: list[dict], sellable: dict[str, int], prices: dict) -> bool:
		"""Push one Shopee item's rows and write their outcomes; False when the run must stop."""
		outcomes = {row.name: RowOutcome() for row in rows}
		pushable = []
		for row in rows:
			reason = self.not_pushable(row)
			if reason:
				outcomes[row.name].skipped = reason
			else:
				pushable.append(row)
		stock_calls = mapper.stock_calls(self.stock_target(row, sellable) for row in pushable)
		planned = {row.name: prices[row.name] for row in pushable if row.name in prices}
		for name, plan in planned.items():
			if isinstance(plan, str):
				outcomes[name].errors.append(f"price: {plan}")
		price_calls = mapper.price_calls(
			plan for plan in planned.values() if isinstance(plan, mapper.PriceTarget)
		)
		by_model = {row.model_id: row for row in pushable}
		go_on = self.send(stock_calls, by_model, outcomes, "stock")
		go_on = go_on and self.send(price_calls, by_model, outcomes, "price")
		if not go_on:  # what was not sent must not pass for Synced
			for call in stock_calls + price_calls:
				self.note_unsent(call, by_model, outcomes)
		for row in rows:
			self.write_outcome(row, outcomes[row.name])
		frappe.db.commit()  # nosemgrep: each Shopee item is its own unit of work
		return go_on

	def not_pushable(self, row: dict) -> str:
		status = row.item_status or "NORMAL"  # rows mapped from orders carry no status until read
		if status not in mapper.WRITABLE_STATUSES:
			return _("Listing is {0} on Shopee").format(status)
		if not frappe.get_cached_value("Item", row.item_code, "is_stock_item"):
			return _("Item {0} is not a stock item").format(row.item_code)
		if mapper.is_multi_location(row.location_id):
			return _("Stocked at several Shopee locations ({0}): set it in Seller Center").format(
				row.location_id
			)
		return ""

	@staticmethod
	def stock_target(row: dict, sellable: dict[str, int]) -> mapper.StockTarget:
		known = int(row.shopee_stock or 0) if row.shopee_stock_at else None
		return mapper.StockTarget(
			row.item_id, row.model_id, sellable.get(row.item_code, 0), known, row.location_id or ""
		)

	def send(self, calls: list[dict], by_model: dict[str, dict], outcomes: dict, kind: str) -> bool:
		"""Make the update calls and note per row what Shopee confirmed or refused."""
		for call in calls:
			self.result.calls += 1
			call["sent"] = True
			try:
				if kind == "stock":
					response = self.client.update_stock(call["item_id"], call["stock_list"])
				else:
					response = self.client.update_price(call["item_id"], call["price_list"])
			except ShopeeError as e:
				for entry in call[f"{kind}_list"]:
					outcomes[by_model[str(entry["model_id"])].name].errors.append(f"{kind}: {e}")
				if isinstance(e, STOPPING_ERRORS):
					return False
				continue
			confirmed, refused = mapper.call_results(
				call, response, "stock" if kind == "stock" else "original_price"
			)
			for model_id, value in confirmed.items():
				if model_id in by_model:
					outcome = outcomes[by_model[model_id].name]
					if kind == "stock":
						outcome.stock = int(value if value is not None else _sent(call, model_id))
					else:
						outcome.price = mapper.shopee_price(value, self.shop.currency or "")
			for model_id, reason in refused.items():
				if model_id in by_model:
					outcomes[by_model[model_id].name].errors.append(f"{kind}: {reason}")
		return True

	@staticmethod
	def note_unsent(call: dict, by_model: dict[str, dict], outcomes: dict) -> None:
		if call.get("sent"):
			return
		kind = "stock" if "stock_list" in call else "price"
		for entry in call[f"{kind}_list"]:
			outcomes[by_model[str(entry["model_id"])].name].errors.append(
				_("{0}: not sent, Shopee stopped the run").format(kind)
			)

	def write_outcome(self, row: dict, outcome: RowOutcome) -> None:
		"""The row's new state; Synced only when no ERPNext change came after it was read."""
		now = now_datetime()
		values: dict = {}
		if outcome.skipped:
			state = "Not Pushed"
			values.update(last_error=outcome.skipped, push_attempts=0, next_push_at=None)
			self.result.not_pushed += 1
		elif outcome.errors:
			state = "Failed"
			attempts = int(row.push_attempts or 0) + 1
			error = "; ".join(outcome.errors)[:1000]
			values.update(
				push_attempts=attempts,
				next_push_at=add_to_date(now, seconds=retry_delay(attempts)),
				last_error=error,
			)
			self.result.failed += 1
			self.result.errors.append((f"{row.item_id}/{row.model_id} {row.item_code}", error))
		else:
			state = "Synced"
			values.update(push_attempts=0, next_push_at=None, last_error="")
			if outcome.stock is None and outcome.price is None:
				self.result.unchanged += 1
		if outcome.stock is not None:
			values.update(
				shopee_stock=outcome.stock,
				shopee_stock_at=now,
				last_pushed_stock=outcome.stock,
				last_pushed_at=now,
			)
			self.result.pushed += 1
		if outcome.price is not None:
			values.update(
				shopee_price=str(outcome.price), last_pushed_price=str(outcome.price), last_price_push_at=now
			)
		write_row_state(row.name, row.change_seq, state, values)


def _sent(call: dict, model_id: str) -> int:
	entry = next(e for e in call["stock_list"] if str(e["model_id"]) == model_id)
	return entry["seller_stock"][0]["stock"]


def write_row_state(name: str, seen_seq, state: str, values: dict) -> None:
	"""Set the row's fields and state; a change marked after the row was read keeps it Pending."""
	Map = frappe.qb.DocType(ITEM_MAP)
	query = frappe.qb.update(Map).where(Map.name == name)
	for fieldname, value in values.items():
		query = query.set(getattr(Map, fieldname), value)
	query = query.set(
		Map.push_state, Case().when(Map.change_seq == int(seen_seq or 0), state).else_("Pending")
	)
	query.run()


def push_shop_stock(shop: str, on_call=None, names: list[str] | None = None) -> PushResult:
	"""Push the shop's due rows (or the named ones) now."""
	return StockPush(shop, on_call=on_call).run(due_rows(shop, names))


def due_rows_exist(shop: str) -> bool:
	"""Whether the shop has a row to push now (the scheduler's cheap check)."""
	Map = frappe.qb.DocType(ITEM_MAP)
	query = (
		frappe.qb.from_(Map)
		.select(Map.name)
		.where((Map.shop == shop) & Map.item_code.isnotnull() & (Map.item_code != "") & _due(Map))
		.limit(1)
	)
	return bool(query.run())
