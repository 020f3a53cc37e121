"""Returns against the sandbox: refunds to credit notes and goods back to the returns warehouse, to the cent."""

import time
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import frappe
from frappe.utils import flt

from shopee_bridge import api
from shopee_bridge.compat import IntegrationTestCase
from shopee_bridge.constants import INBOX, ITEM_MAP, ORDER_SN_FIELD, RETURN, RETURN_SN_FIELD, SYNC_LOG
from shopee_bridge.sandbox import returns_api
from shopee_bridge.sandbox.catalogue import UNMAPPED_SKU
from shopee_bridge.services.orders import sync_incremental_orders, sync_orders
from shopee_bridge.services.return_documents import posting_datetime
from shopee_bridge.services.returns import process_return, sync_incremental_returns
from shopee_bridge.tests.utils import (
	SandboxMixin,
	authorize_shop,
	cents,
	configure_shop,
	default_company,
	delete_shop,
	make_stock_item,
	map_listing,
	prepare_erpnext_for_sandbox,
	receive_stock,
	save_settings,
	sellable_stock,
	web_url,
)

SHOP_ID = "620012"
WEBHOOK = "/api/method/shopee_bridge.api.webhook_live"
SCENARIOS = ("full", "offer", "ask", "goods", "uninvoiced", "dispute_lost", "dispute_won", "goods_early")


class TestReturns(SandboxMixin, IntegrationTestCase):
	sandbox_orders = 50
	sandbox_shops = [
		{"shop_id": int(SHOP_ID), "shop_name": "Returns Shop SG", "region": "SG", "currency": "SGD"}
	]

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		prepare_erpnext_for_sandbox()
		cls.sandbox_seed = cls.seed_with_an_accepted_return()  # fresh order numbers on every run
		cls.start_sandbox()
		delete_shop(SHOP_ID)
		authorize_shop(cls.sandbox, SHOP_ID)
		frappe.db.rollback()
		configure_shop(SHOP_ID)
		frappe.db.delete(RETURN, {"shop": SHOP_ID})  # returns an earlier run stored (other order numbers)
		frappe.db.delete(ITEM_MAP, {"shop": SHOP_ID})  # its listings mapped to Items it stocked then
		cls.warehouse = frappe.db.get_value("Shopee Shop", SHOP_ID, "warehouse")
		cls.returns_warehouse = returns_warehouse()
		frappe.db.set_value("Shopee Shop", SHOP_ID, "returns_warehouse", cls.returns_warehouse)
		cls.orders = cls.pick_scenario_orders()
		frappe.db.commit()  # nosemgrep: the syncs below read the shop and the item map
		save_settings(initial_sync_days=61)
		sync_incremental_orders(SHOP_ID)
		cls.first_returns_log = sync_incremental_returns(SHOP_ID)
		cls.generated = frappe.get_all(RETURN, filters={"shop": SHOP_ID}, pluck="name")

	@classmethod
	def tearDownClass(cls):
		save_settings(initial_sync_days=14)
		delete_shop(SHOP_ID)
		cls.stop_sandbox()
		super().tearDownClass()

	@classmethod
	def seed_with_an_accepted_return(cls) -> int:
		"""A random seed whose generated returns include an ACCEPTED one of an order that books."""

		def has_one(dataset) -> bool:
			for entry in dataset.list_returns(int(SHOP_ID)):
				lines = dataset.order_detail(entry.order_index, {"item_list"})["item_list"]
				skus = {sku for line in lines for sku in (line.get("model_sku"), line.get("item_sku"))}
				if entry.status == "ACCEPTED" and UNMAPPED_SKU not in skus:
					return True
			return False

		return cls.seed_where(has_one, "an accepted return")

	@classmethod
	def pick_scenario_orders(cls) -> dict[str, str]:
		"""One COMPLETED order without a return per scenario; "uninvoiced" is only SHIPPED, "goods" sells stock."""
		dataset = cls.sandbox.dataset
		taken = {entry.order_index for entry in dataset.list_returns(int(SHOP_ID))}
		candidates = [
			sn
			for sn in dataset.order_sns(int(SHOP_ID))
			if dataset.state(dataset.index_of(sn))[0] == "COMPLETED"
			and dataset.index_of(sn) not in taken
			and not dataset.sells_unmapped(dataset.index_of(sn))
		]
		candidates.sort(
			key=lambda sn: -len(dataset.facts(dataset.index_of(sn))["lines"])
		)  # several lines first
		orders = dict(zip(SCENARIOS, candidates, strict=False))
		assert len(orders) == len(SCENARIOS), "the sandbox needs more COMPLETED orders"
		cls.sandbox.set_order_status(orders["uninvoiced"], "SHIPPED")
		listings = {}
		for line in dataset.facts(dataset.index_of(orders["goods"]))["lines"]:
			item_code = "SB-RTN-" + (line["unit"]["model_sku"] or line["product"]["item_sku"])
			make_stock_item(item_code, valuation_rate=5)
			map_listing(SHOP_ID, line["product"]["item_id"], line["unit"]["model_id"], item_code)
			listings[(line["product"]["item_id"], line["unit"]["model_id"])] = item_code
		cls.stock_goods_items(listings)
		return orders

	@classmethod
	def stock_goods_items(cls, listings: dict[tuple, str]) -> None:
		"""Sellable stock for every unit this run's orders sell of the goods Items, and 10 more.

		The site may be one the class ran on before, whose orders left these Items short: an order
		that cannot deliver has no Delivery Note for its return's goods to come back against.
		"""
		dataset, sold = cls.sandbox.dataset, Counter()
		for order_sn in dataset.order_sns(int(SHOP_ID)):
			for line in dataset.facts(dataset.index_of(order_sn))["lines"]:
				item_code = listings.get((line["product"]["item_id"], line["unit"]["model_id"]))
				if item_code:
					sold[item_code] += line["quantity"]
		for item_code, units in sold.items():
			short = units + 10 - sellable_stock(item_code, cls.warehouse)
			if short > 0:
				receive_stock(item_code, cls.warehouse, short, 5)

	# -- helpers ----------------------------------------------------------------------------------

	def sync(self) -> str:
		"""A returns sync up to the newest change: the sandbox stamps changes made in one second ahead of it."""
		latest = max(entry.update_time for entry in self.sandbox.dataset.list_returns(int(SHOP_ID)))
		return sync_incremental_returns(SHOP_ID, now=max(int(time.time()), latest))

	def open_return(self, scenario: str, **options) -> str:
		opened = returns_api.control_open(self.sandbox, {}, {"order_sn": self.orders[scenario], **options})
		self.sync()
		self.assertEqual(frappe.db.get_value(RETURN, opened["return_sn"], "status"), "REQUESTED")
		return opened["return_sn"]

	def view(self, return_sn: str) -> dict:
		dataset = self.sandbox.dataset
		return dataset.return_view(dataset.find_return(return_sn), detail=True)

	def credit_note(self, return_sn: str):
		name = frappe.db.get_value("Sales Invoice", {RETURN_SN_FIELD: return_sn, "docstatus": 1}, "name")
		return frappe.get_doc("Sales Invoice", name) if name else None

	def check_credit_note(self, return_sn: str, refund: Decimal) -> None:
		"""The credit note: against the order's invoice, the returned items and units, minus the refund."""
		ret = frappe.get_doc(RETURN, return_sn)
		credit = self.credit_note(return_sn)
		self.assertTrue(credit, f"no credit note for {return_sn}: {ret.waiting_reason}")
		self.assertEqual(
			(ret.credit_note, ret.sales_invoice, credit.return_against),
			(credit.name, credit.return_against, ret.sales_invoice),
		)
		self.assertEqual(cents(-credit.grand_total), refund)
		self.assertEqual(cents(ret.refund_amount), refund)
		returned = {}
		for row in ret.items:
			returned[row.item_code] = returned.get(row.item_code, 0) + row.qty
		credited = {}
		for row in credit.items:
			credited[row.item_code] = credited.get(row.item_code, 0) - row.qty
		self.assertEqual(credited, returned)
		invoice = frappe.get_doc("Sales Invoice", credit.return_against)
		rates = {row.name: row.rate for row in invoice.items}
		self.assertTrue(all(row.rate <= rates[row.sales_invoice_item] for row in credit.items))
		self.assertEqual(cents(invoice.outstanding_amount), cents(invoice.grand_total) - refund)
		escrow = self.sandbox.dataset.escrow_detail(self.sandbox.dataset.index_of(ret.order_sn))[
			"order_income"
		]
		self.assertEqual(cents(escrow["seller_return_refund"]), -refund)  # finance books the same refund

	def return_notes(self, return_sn: str) -> list[str]:
		return frappe.get_all(
			"Delivery Note", filters={RETURN_SN_FIELD: return_sn, "docstatus": 1}, pluck="name"
		)

	def assert_rerun_changes_nothing(self) -> None:
		before = self.snapshot()
		log = self.sync()
		self.assertEqual(self.snapshot(), before)
		self.assertEqual(frappe.db.get_value(SYNC_LOG, log, ["created_count", "updated"]), (0, 0))

	def snapshot(self) -> tuple:
		return (
			frappe.get_all(
				RETURN,
				filters={"shop": SHOP_ID},
				fields=["name", "modified", "document_status"],
				order_by="name",
			),
			frappe.db.count("Sales Invoice", {"is_return": 1, "shopee_shop": SHOP_ID}),
			frappe.db.count("Delivery Note", {"is_return": 1, "shopee_shop": SHOP_ID}),
			frappe.db.count("Sales Invoice", {"is_return": 0, "shopee_shop": SHOP_ID}),
		)

	# -- tests ------------------------------------------------------------------------------------

	def test_generated_returns_are_booked_from_shopees_figures(self):
		rows = frappe.get_all(
			RETURN,
			filters={"name": ["in", self.generated]},
			fields=["name", "status", "needs_logistics", "document_status", "sales_order"],
		)
		booked = [row for row in rows if row.sales_order]
		self.assertTrue(any(row.status == "ACCEPTED" for row in booked), rows)
		for row in booked:
			if row.status == "ACCEPTED":
				self.check_credit_note(row.name, cents(self.view(row.name)["refund_amount"]))
				why = frappe.db.get_value(RETURN, row.name, ["reverse_logistics_status", "waiting_reason"])
				self.assertEqual(bool(self.return_notes(row.name)), bool(row.needs_logistics), (row, why))
				self.assertEqual(row.document_status, "Done", (row, why))
			elif row.status in ("CLOSED", "CANCELLED"):
				self.assertEqual((self.credit_note(row.name), row.document_status), (None, "Nothing to Book"))
			else:
				self.assertEqual((self.credit_note(row.name), row.document_status), (None, "Open"))
		for row in rows:  # an order with a listing nobody mapped is not booked: its return waits, saying why
			if not row.sales_order and row.status == "ACCEPTED":
				self.assertEqual(row.document_status, "Waiting")
		log = frappe.get_doc(SYNC_LOG, self.first_returns_log)
		self.assertEqual(log.created_count, len(rows))
		self.assertTrue(
			all("not booked" in error.error for error in log.errors), [e.error for e in log.errors]
		)

	def test_full_refund_of_the_whole_order_is_a_credit_note(self):
		return_sn = self.open_return("full", full=True, solution=1)
		self.assertIsNone(self.credit_note(return_sn))
		self.assertEqual(frappe.db.get_value(RETURN, return_sn, "document_status"), "Open")
		api.accept_return(return_sn)
		refund = cents(self.view(return_sn)["refund_amount"])
		self.check_credit_note(return_sn, refund)
		invoice = frappe.get_doc("Sales Invoice", self.credit_note(return_sn).return_against)

		def units(rows, sign=1) -> Counter:  # two Shopee lines of one Item may be one invoice row, or not
			found = Counter()
			for row in rows:
				found[row.item_code] += sign * row.qty
			return found

		self.assertEqual(units(self.credit_note(return_sn).items, -1), units(invoice.items))
		self.assertEqual(
			(self.return_notes(return_sn), frappe.db.get_value(RETURN, return_sn, "document_status")),
			([], "Done"),
		)
		comments = frappe.get_all("Comment", filters={"reference_name": return_sn}, pluck="content")
		self.assertTrue(any("Accepted the return" in text for text in comments), comments)
		self.assert_rerun_changes_nothing()

	def test_partial_refund_offered_by_the_seller_and_accepted_by_the_buyer(self):
		return_sn = self.open_return("offer", solution=0)
		full = cents(self.view(return_sn)["refund_amount"])
		offered = (full / 3).quantize(Decimal("0.01"))
		api.offer_return_refund(return_sn, "REFUND", str(offered))
		stored = frappe.get_doc(RETURN, return_sn)
		self.assertEqual(
			(stored.negotiation_status, stored.latest_offer_creator, cents(stored.latest_offer_amount)),
			("PENDING_BUYER_RESPOND", "seller", offered),
		)
		self.assertIsNone(self.credit_note(return_sn))
		returns_api.control_buyer_respond(self.sandbox, {}, {"return_sn": return_sn, "accept": True})
		status, _body = self.sandbox.push(
			web_url() + WEBHOOK,
			29,
			{"order_sn": self.orders["offer"], "return_sn": return_sn, "update_time": int(time.time())},
			shop_id=int(SHOP_ID),
		)
		self.assertEqual(status, 200)
		row = self.wait_for_push(return_sn)
		self.assertEqual((row.status, row.reference_name), ("Done", return_sn), row)
		frappe.db.rollback()
		self.check_credit_note(return_sn, offered)
		self.assertEqual(self.return_notes(return_sn), [])  # refund only: the buyer keeps the goods

	def wait_for_push(self, return_sn: str, timeout: float = 60):
		deadline = time.monotonic() + timeout
		while time.monotonic() < deadline:
			frappe.db.rollback()
			rows = frappe.get_all(
				INBOX,
				filters={"push_code": 29, "payload": ["like", f"%{return_sn}%"]},
				fields=["status", "reference_name", "result", "last_error"],
			)
			if rows and rows[0].status in ("Done", "Failed", "Dead", "Ignored"):
				return rows[0]
			time.sleep(0.3)
		self.fail(f"return push {return_sn} not processed in {timeout}s (is a worker running?)")

	def test_accepting_the_buyers_partial_offer(self):
		return_sn = self.open_return("ask", solution=0, partial_ask=True)
		ask = cents(frappe.db.get_value(RETURN, return_sn, "latest_offer_amount"))
		self.assertEqual(
			ask, (cents(self.view(return_sn)["refund_amount"]) / 2).quantize(Decimal("0.01"), "ROUND_HALF_UP")
		)
		api.accept_return_offer(return_sn)
		self.check_credit_note(return_sn, ask)
		self.assertEqual(frappe.db.get_value(RETURN, return_sn, "return_solution"), "Refund Only")

	def test_goods_back_go_into_the_returns_warehouse(self):
		return_sn = self.open_return("goods", solution=0)
		api.accept_return(return_sn)
		self.check_credit_note(return_sn, cents(self.view(return_sn)["refund_amount"]))
		self.assertEqual(
			(self.return_notes(return_sn), frappe.db.get_value(RETURN, return_sn, "document_status")),
			([], "Open"),
		)
		# a site the class ran on before already holds goods returned then: compare differences
		held = {
			row.item_code: self.returns_stock(row.item_code)
			for row in frappe.get_doc(RETURN, return_sn).items
		}
		returns_api.control_reverse_logistics(
			self.sandbox, {}, {"return_sn": return_sn, "status": "LOGISTICS_DELIVERY_DONE"}
		)
		while time.time() <= self.sandbox.dataset.find_return(return_sn).update_time:
			time.sleep(
				0.2
			)  # Shopee reports an update once its time has come; the sandbox may be a second ahead
		sync_incremental_returns(SHOP_ID)
		notes = self.return_notes(return_sn)
		state = frappe.db.get_value(
			RETURN, return_sn, ["document_status", "waiting_reason", "reverse_logistics_status"], as_dict=True
		)
		self.assertEqual(len(notes), 1, state)
		ret = frappe.get_doc(RETURN, return_sn)
		self.assertEqual((ret.return_delivery_note, ret.document_status), (notes[0], "Done"))
		entries = frappe.get_all(
			"Stock Ledger Entry",
			filters={"voucher_no": notes[0], "is_cancelled": 0},
			fields=["item_code", "warehouse", "actual_qty", "incoming_rate"],
		)
		expected = Counter()
		for row in ret.items:
			expected[row.item_code] += row.qty
		received = Counter()
		for entry in entries:  # a line invoiced at two rates a cent apart is two rows
			received[entry.item_code] += entry.actual_qty
		self.assertEqual(received, expected)
		self.assertEqual({e.warehouse for e in entries}, {self.returns_warehouse})
		self.assertTrue(
			all(flt(e.incoming_rate) == 5 for e in entries), entries
		)  # back at the cost it left at
		self.assertEqual({code: self.returns_stock(code) - held[code] for code in expected}, expected)
		self.assert_rerun_changes_nothing()

	def test_goods_back_are_never_dated_before_the_delivery_note(self):
		"""Shopee's update time can be earlier than the order's Delivery Note, to the second: a note
		is dated when late stock arrives. ERPNext refuses a return timestamped before its source."""
		return_sn = self.open_return("goods_early", solution=0)
		api.accept_return(return_sn)
		returns_api.control_reverse_logistics(
			self.sandbox, {}, {"return_sn": return_sn, "status": "LOGISTICS_DELIVERY_DONE"}
		)
		order_sn = frappe.db.get_value(RETURN, return_sn, "order_sn")
		delivered = frappe.db.get_value(
			"Delivery Note", {ORDER_SN_FIELD: order_sn, "docstatus": 1, "is_return": 0}, "name"
		)
		shipped = posting_datetime("Delivery Note", delivered)
		frappe.db.set_value(  # what a sync stores when Shopee's update time is a minute before the note
			RETURN,
			return_sn,
			{
				"reverse_logistics_status": "LOGISTICS_DELIVERY_DONE",
				"update_time": shipped - timedelta(minutes=1),
			},
		)
		frappe.db.commit()  # nosemgrep: process_return commits per document
		state = process_return(return_sn)
		notes = self.return_notes(return_sn)
		self.assertEqual((len(notes), state["document_status"]), (1, "Done"), state)
		self.assertEqual(posting_datetime("Delivery Note", notes[0]), shipped)
		while time.time() <= self.sandbox.dataset.find_return(return_sn).update_time:
			time.sleep(0.2)  # the sandbox may be a second ahead
		self.sync()  # Shopee's own update time again: nothing more is made
		self.assertEqual(self.return_notes(return_sn), notes)

	def returns_stock(self, item_code: str) -> float:
		return flt(
			frappe.db.get_value(
				"Bin", {"item_code": item_code, "warehouse": self.returns_warehouse}, "actual_qty"
			)
		)

	def test_refund_before_the_order_was_invoiced(self):
		order_sn = self.orders["uninvoiced"]
		self.assertEqual(
			frappe.get_all("Sales Invoice", filters={ORDER_SN_FIELD: order_sn, "docstatus": 1}), []
		)
		return_sn = self.open_return("uninvoiced", solution=1)
		api.accept_return(return_sn)
		invoices = frappe.get_all(
			"Sales Invoice", filters={ORDER_SN_FIELD: order_sn, "docstatus": 1, "is_return": 0}, pluck="name"
		)
		self.assertEqual(len(invoices), 1)
		self.check_credit_note(return_sn, cents(self.view(return_sn)["refund_amount"]))
		self.sandbox.set_order_status(
			order_sn, "COMPLETED"
		)  # completing the order later invoices nothing twice
		sync_orders(SHOP_ID, [order_sn])
		self.assertEqual(
			frappe.get_all(
				"Sales Invoice",
				filters={ORDER_SN_FIELD: order_sn, "docstatus": 1, "is_return": 0},
				pluck="name",
			),
			invoices,
		)

	def test_disputes_lost_and_won(self):
		lost = self.open_return("dispute_lost", solution=0)
		won = self.open_return("dispute_won", solution=0)
		reasons = api.return_dispute_reasons(lost)
		reason = reasons[0]
		evidence = {
			str(m["module_index"]): [f"https://img.example/{m['module_index']}.jpg"]
			for m in reason["evidence_module_list"]
		}
		with self.assertRaises(frappe.ValidationError):  # the mandatory evidence is missing: nothing is sent
			api.dispute_return(lost, reason["dispute_reason"], "seller@example.com", "Worn", {})
		self.assertEqual(self.view(lost)["status"], "REQUESTED")
		for return_sn in (lost, won):
			api.dispute_return(
				return_sn, reason["dispute_reason"], "seller@example.com", "Came back worn", evidence
			)
			self.assertEqual(
				frappe.db.get_value(RETURN, return_sn, ["status", "dispute_reason"]),
				("JUDGING", str(reason["dispute_reason"])),
			)
		returns_api.control_judge(self.sandbox, {}, {"return_sn": lost, "winner": "buyer"})
		returns_api.control_judge(self.sandbox, {}, {"return_sn": won, "winner": "seller"})
		self.sync()
		self.check_credit_note(lost, cents(self.view(lost)["refund_amount"]))
		self.assertEqual((self.credit_note(won), self.return_notes(won)), (None, []))
		self.assertEqual(
			frappe.db.get_value(RETURN, won, ["status", "document_status"]), ("CLOSED", "Nothing to Book")
		)
		self.assert_rerun_changes_nothing()


def returns_warehouse() -> str:
	"""A "Shopee Returns" warehouse of the default company, created once."""
	company = default_company()
	abbr = frappe.get_cached_value("Company", company, "abbr")
	name = f"Shopee Returns - {abbr}"
	if not frappe.db.exists("Warehouse", name):
		parent = frappe.db.get_value("Warehouse", {"company": company, "is_group": 1}, "name")
		frappe.get_doc(
			{
				"doctype": "Warehouse",
				"warehouse_name": "Shopee Returns",
				"company": company,
				"parent_warehouse": parent,
			}
		).insert(ignore_permissions=True)
	return name
