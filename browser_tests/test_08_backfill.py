"""A history backfill made from Desk: the new Shopee Backfill form, its live progress, Cancel, Resume.

Shopee answers the order lists slowly at first (a sandbox fault), so that the backfill is still running
when the manager cancels it; the rest of it then runs at full speed after Resume.
"""

import re
from datetime import date, timedelta

from conftest import Desk, wait_until
from playwright.sync_api import expect

ORDER_LIST = "/api/v2/order/get_order_list"
BACKFILL_DAYS = 60  # windows of at most 15 days, for each of the four kinds
KINDS = ("orders", "returns", "escrow", "wallet")
SLOW_ANSWER_S = 1.5
PROGRESS_WAIT_MS = 120_000


def backfill_doc(desk: Desk, name: str) -> dict:
	return desk.get_doc("Shopee Backfill", name)


def done_windows(doc: dict) -> list[dict]:
	# REST leaves out a child row's empty fields: a window not run yet has no status
	return [window for window in doc["windows"] if window.get("status") == "Done"]


def progress(desk: Desk):
	"""The message under the form's "Windows" progress bar."""
	return desk.page.locator(".form-dashboard .progress-message:visible")


def has_stopped(desk: Desk, name: str) -> dict | None:
	"""The cancelled backfill once its job has let go of it (its run logged, no window half-counted)."""
	doc = backfill_doc(desk, name)
	logs = desk.get_list(
		"Shopee Sync Log",
		{"job": "backfill", "shop": doc["shop"], "creation": [">=", doc["creation"]]},
		fields=("name", "status"),
	)
	if logs and all(log["status"] != "Running" for log in logs):
		return doc
	return None


def test_a_backfill_from_desk_shows_progress_cancels_and_resumes(manager: Desk, shops):
	shop = shops[0]
	manager.sandbox_control(
		"faults", {"path": ORDER_LIST, "kind": "slow", "count": 40, "delay": SLOW_ANSWER_S}
	)
	try:
		page = manager.goto("/app/shopee-backfill/new")
		page.wait_for_function(
			"() => window.cur_frm && cur_frm.doctype === 'Shopee Backfill' && cur_frm.is_new()"
		)
		manager.set_link("shop", shop)
		to_date = date.today() - timedelta(days=1)
		from_date = to_date - timedelta(days=BACKFILL_DAYS - 1)
		manager.set_date(page, "from_date", from_date)
		manager.set_date(page, "to_date", to_date)
		manager.save()
		name = page.evaluate("() => cur_frm.docname")
		doc = backfill_doc(manager, name)
		assert (doc["shop"], doc["from_date"], doc["to_date"]) == (
			shop,
			from_date.isoformat(),
			to_date.isoformat(),
		)
		windows = doc["windows_total"]
		assert windows == len(doc["windows"]) >= len(KINDS) * BACKFILL_DAYS // 15, doc
		assert doc["triggered_by"] == manager.user["usr"], doc

		# the worker reports each window through the realtime server while the form is open
		expect(progress(manager)).to_contain_text(
			re.compile(rf"Window [1-9]\d* of {windows}, \d+ records"), timeout=PROGRESS_WAIT_MS
		)
		manager.click_button("Cancel")
		expect(manager.button("Resume")).to_be_visible()
		stopped = wait_until(lambda: has_stopped(manager, name), f"backfill {name} to stop")
		assert stopped["status"] == "Cancelled", stopped
		assert 0 < stopped["windows_done"] < windows, stopped
		assert len(done_windows(stopped)) == stopped["windows_done"], stopped
		manager.snap("08-backfill-cancelled")
	finally:
		manager.sandbox_control("storm", {"rate": 0})  # forget the slow answers not used

	manager.open_form("Shopee Backfill", name)
	manager.click_button("Resume")
	finished = wait_until(
		lambda: (doc := backfill_doc(manager, name))["status"] in ("Done", "Failed") and doc,
		f"backfill {name} to finish",
	)
	assert finished["status"] == "Done", finished["error"]
	assert finished["windows_done"] == windows and len(done_windows(finished)) == windows, finished
	assert finished["records_done"] == sum(window.get("records") or 0 for window in finished["windows"]), (
		finished
	)
	assert sorted({window["kind"] for window in finished["windows"]}) == sorted(KINDS)

	manager.open_form("Shopee Backfill", name)
	expect(progress(manager)).to_contain_text(
		f"{windows} of {windows} windows, {finished['records_done']} records"
	)
	expect(manager.button("Cancel")).to_have_count(0)
	expect(manager.button("Resume")).to_have_count(0)
	manager.snap("08-backfill-done")
