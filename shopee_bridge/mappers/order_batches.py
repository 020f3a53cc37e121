"""Order numbers from every list window into full 50-order detail calls and 50-order escrow calls.

No frappe import. The order sync feeds order numbers window by window; the batcher calls back to fetch
details and escrow and to write each order, and reports each window once all its orders are written,
so the checkpoint never moves past an order that is not committed. Memory stays bounded: at most one
batch of order numbers, one of details waiting for escrow, and the order numbers of two windows.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

BATCH_SIZE = 50


@dataclass
class OrderBatcher:
	fetch_details: Callable[[list[str]], list[dict]]  # one get_order_detail call
	needs_escrow: Callable[[list[dict]], set[str]]  # the order_sn among details to book with escrow
	fetch_escrows: Callable[[list[str]], dict[str, dict]]  # one get_escrow_detail_batch call
	write: Callable[[str, dict | None, dict | None], None]  # (order_sn, detail or None if missing, escrow)
	window_done: Callable[[int], None] = lambda window: None
	size: int = BATCH_SIZE
	_order_sns: list[tuple[str, int]] = field(default_factory=list)
	_to_escrow: list[tuple[dict, int]] = field(default_factory=list)
	_unwritten: dict[int, int] = field(default_factory=dict)
	_seen: dict[int, set[str]] = field(default_factory=dict)
	_listed: int = -1  # the last window whose listing is complete
	_done: int = -1  # the last window whose orders (and every earlier window's) are all written

	def add(self, order_sn: str, window: int = 0) -> bool:
		"""Queue an order listed in a window; False when it is already queued (listed twice)."""
		if self._seen_before(order_sn, window):
			return False
		self._order_sns.append((order_sn, window))
		self._unwritten[window] = self._unwritten.get(window, 0) + 1
		if len(self._order_sns) >= self.size:
			self._detail_batch()
		return True

	def add_all(self, order_sns: Iterable[str], window: int = 0) -> None:
		for order_sn in order_sns:
			self.add(order_sn, window)

	def end_window(self, window: int) -> None:
		"""Every order of the window is queued: it is done once they are written."""
		self._listed = max(self._listed, window)
		self._report_done()

	def flush(self) -> None:
		"""Fetch and write whatever is still queued (at the end of a run)."""
		while self._order_sns:
			self._detail_batch()
		while self._to_escrow:
			self._escrow_batch()

	def _seen_before(self, order_sn: str, window: int) -> bool:
		"""Adjacent windows share their boundary second: an order on it is listed by both."""
		if any(order_sn in self._seen.get(w, ()) for w in (window, window - 1)):
			return True
		for old in [w for w in self._seen if w < window - 1]:
			del self._seen[old]
		self._seen.setdefault(window, set()).add(order_sn)
		return False

	def _detail_batch(self) -> None:
		batch, self._order_sns = self._order_sns[: self.size], self._order_sns[self.size :]
		details = {d["order_sn"]: d for d in self.fetch_details([sn for sn, _ in batch]) if d.get("order_sn")}
		with_escrow = self.needs_escrow(list(details.values())) if details else set()
		for order_sn, window in batch:
			detail = details.get(order_sn)
			if detail is not None and order_sn in with_escrow:
				self._to_escrow.append((detail, window))
			else:  # needs no escrow, or Shopee sent no detail (then it waits for the next run)
				self._written(order_sn, window, detail, None)
		while len(self._to_escrow) >= self.size:
			self._escrow_batch()

	def _escrow_batch(self) -> None:
		batch, self._to_escrow = self._to_escrow[: self.size], self._to_escrow[self.size :]
		escrows = self.fetch_escrows([detail["order_sn"] for detail, _ in batch])
		for detail, window in batch:
			self._written(detail["order_sn"], window, detail, escrows.get(detail["order_sn"]))

	def _written(self, order_sn: str, window: int, detail: dict | None, escrow: dict | None) -> None:
		self.write(order_sn, detail, escrow)
		self._unwritten[window] -= 1
		self._report_done()

	def _report_done(self) -> None:
		while self._done < self._listed and not self._unwritten.get(self._done + 1):
			self._done += 1
			self._unwritten.pop(self._done, None)
			self.window_done(self._done)


def minimum_calls(list_pages: int, orders: int, to_book: int, size: int = BATCH_SIZE) -> int:
	"""Fewest calls for a sync: its list pages, one detail call per 50 orders, one escrow call per 50 booked."""
	return list_pages + -(-orders // size) + -(-to_book // size)
