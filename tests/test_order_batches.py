"""OrderBatcher: detail and escrow calls filled to 50 across list windows, windows reported once written."""

import math
import random

import pytest

from shopee_bridge.mappers.order_batches import OrderBatcher, minimum_calls


class FakeShopee:
	"""Records the calls and writes; paid orders (every third is not) need escrow, some have no detail."""

	def __init__(self, missing=(), booked=()):
		self.missing, self.booked = set(missing), set(booked)
		self.detail_calls, self.escrow_calls, self.written, self.done = [], [], [], []
		self.pending_sizes = []

	def fetch_details(self, order_sns):
		assert 1 <= len(order_sns) <= 50
		self.detail_calls.append(list(order_sns))
		return [{"order_sn": sn} for sn in order_sns if sn not in self.missing]

	def needs_escrow(self, details):
		return {
			d["order_sn"] for d in details if self.paid(d["order_sn"]) and d["order_sn"] not in self.booked
		}

	def fetch_escrows(self, order_sns):
		assert 1 <= len(order_sns) <= 50
		self.escrow_calls.append(list(order_sns))
		return {sn: {"order_sn": sn, "escrow": True} for sn in order_sns}

	def write(self, order_sn, detail, escrow):
		self.written.append((order_sn, detail is not None, escrow is not None))

	@staticmethod
	def paid(order_sn: str) -> bool:
		return int(order_sn.rsplit("-", 1)[1]) % 3 != 0

	def batcher(self) -> OrderBatcher:
		return OrderBatcher(
			self.fetch_details, self.needs_escrow, self.fetch_escrows, self.write, self.done.append
		)


def windows_of(sizes: list[int]) -> list[list[str]]:
	return [[f"W{w}-{i}" for i in range(size)] for w, size in enumerate(sizes)]


def run(shopee: FakeShopee, windows: list[list[str]], retry=()) -> OrderBatcher:
	batcher = shopee.batcher()
	batcher.add_all(retry, 0)
	for index, order_sns in enumerate(windows):
		batcher.add_all(order_sns, index)
		batcher.end_window(index)
	batcher.flush()
	return batcher


@pytest.mark.parametrize("sizes", [[61, 73, 58, 49, 7], [1, 1, 1], [50, 50], [0, 130, 0, 21], [149]])
def test_calls_are_the_minimum_across_windows(sizes):
	shopee, windows = FakeShopee(), windows_of(sizes)
	run(shopee, windows)
	orders = [sn for window in windows for sn in window]
	to_book = [sn for sn in orders if shopee.paid(sn)]
	assert len(shopee.detail_calls) == math.ceil(len(orders) / 50)
	assert len(shopee.escrow_calls) == math.ceil(len(to_book) / 50)
	assert all(len(call) == 50 for call in shopee.detail_calls[:-1])
	assert all(len(call) == 50 for call in shopee.escrow_calls[:-1])
	assert sorted(sn for call in shopee.escrow_calls for sn in call) == sorted(to_book)
	assert sorted(sn for sn, _, _ in shopee.written) == sorted(orders)  # each once
	assert all(escrow == shopee.paid(sn) for sn, _, escrow in shopee.written)
	assert shopee.done == list(range(len(sizes)))


def test_a_window_is_done_only_once_each_of_its_orders_is_written():
	shopee = FakeShopee()
	windows = windows_of([61, 73, 58, 49, 7])
	batcher = shopee.batcher()

	def write(order_sn, detail, escrow):
		window = int(order_sn[1 : order_sn.index("-")])
		assert all(done < window for done in shopee.done), (order_sn, shopee.done)
		shopee.written.append(order_sn)

	batcher.write = write
	for index, order_sns in enumerate(windows):
		batcher.add_all(order_sns, index)
		batcher.end_window(index)
		for done in shopee.done:  # every order of a window reported done is written
			assert set(windows[done]) <= set(shopee.written)
	assert shopee.done, "earlier windows complete while later ones are listed"
	batcher.flush()
	assert shopee.done == [0, 1, 2, 3, 4]


def test_a_crash_reports_no_window_with_an_order_unwritten():
	shopee = FakeShopee()
	calls = 0

	def failing_details(order_sns):
		nonlocal calls
		calls += 1
		if calls == 3:
			raise ConnectionError("Shopee dropped the connection")
		return shopee.fetch_details(order_sns)

	batcher = shopee.batcher()
	batcher.fetch_details = failing_details
	windows = windows_of([61, 73, 58])
	with pytest.raises(ConnectionError):
		for index, order_sns in enumerate(windows):
			batcher.add_all(order_sns, index)
			batcher.end_window(index)
	written = {sn for sn, _, _ in shopee.written}
	for done in shopee.done:
		assert set(windows[done]) <= written
	assert 2 not in shopee.done


def test_missing_detail_is_written_as_waiting_and_needs_no_escrow():
	shopee = FakeShopee(missing={"W0-1", "W1-2"})
	run(shopee, windows_of([30, 30]))
	assert ("W0-1", False, False) in shopee.written
	assert ("W1-2", False, False) in shopee.written
	assert not {"W0-1", "W1-2"} & {sn for call in shopee.escrow_calls for sn in call}


def test_booked_orders_are_fetched_but_not_escrowed():
	windows = windows_of([40, 40])
	shopee = FakeShopee(booked=windows[0])
	run(shopee, windows)
	escrowed = {sn for call in shopee.escrow_calls for sn in call}
	assert not escrowed & set(windows[0])
	assert len(shopee.detail_calls) == 2


def test_retried_orders_share_the_first_batch_and_duplicates_are_fetched_once():
	shopee, windows = FakeShopee(), windows_of([30, 30])
	windows[1].insert(0, windows[0][-1])  # on the shared boundary second: listed by both windows
	retry = ["R-1", "R-2", windows[0][0]]
	run(shopee, windows, retry)
	fetched = [sn for call in shopee.detail_calls for sn in call]
	assert fetched[:2] == ["R-1", "R-2"]
	assert len(fetched) == len(set(fetched)) == 62
	assert len(shopee.detail_calls) == 2


def test_memory_stays_bounded_whatever_the_run_holds():
	shopee = FakeShopee()
	batcher = shopee.batcher()
	rng = random.Random(7)
	most_queued = 0
	for index in range(40):
		for i in range(rng.randrange(0, 400)):
			batcher.add(f"W{index}-{i}", index)
			most_queued = max(most_queued, len(batcher._order_sns) + len(batcher._to_escrow))
		batcher.end_window(index)
		assert len(batcher._seen) <= 2
	batcher.flush()
	assert most_queued < 100
	assert shopee.done == list(range(40))


def test_minimum_calls():
	assert minimum_calls(list_pages=5, orders=600, to_book=423) == 5 + 12 + 9
	assert minimum_calls(list_pages=1, orders=0, to_book=0) == 1
	assert minimum_calls(list_pages=7, orders=51, to_book=50) == 7 + 2 + 1
