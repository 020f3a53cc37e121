"""An order brought up to date from its Sales Order, and pushes that failed retried from the Shopee
Webhook Inbox (its form and its list).

Each test moves a booked order on in the sandbox (Shopee), as a buyer or carrier would. For the inbox,
Shopee answers the order's detail with server errors until the app gives up and the push is left Failed;
once Shopee answers again, Retry now books what the push said.
"""

import re

from conftest import Desk, wait_until
from playwright.sync_api import expect

ORDER_DETAIL = "/api/v2/order/get_order_detail"
ORDER_STATUS_PUSH = 3
# a booked order moves on to its next status, as it does on Shopee (shipped outside this app, delivered,
# received); orders this app ships (test_03) or that have a return (test_04) are left alone
NEXT_STATUS = {
	"READY_TO_SHIP": "SHIPPED",
	"PROCESSED": "SHIPPED",
	"SHIPPED": "TO_CONFIRM_RECEIVE",
	"TO_CONFIRM_RECEIVE": "COMPLETED",
}


def detail_calls(desk: Desk, order_sn: str) -> int:
	return sum(
		1
		for call in desk.sandbox_calls()
		if call["path"] == ORDER_DETAIL and order_sn in str(call["query"].get("order_sn_list", ""))
	)


def orders_moved_on(desk: Desk, shops: list[str], count: int) -> list[dict]:
	"""`count` booked orders of the shops, each moved to its next status in the sandbox.

	Newest first: a site synced from an earlier sandbox seed keeps orders this one never made (the
	sandbox refuses to move those).
	"""
	with_returns = {row["order_sn"] for row in desk.get_list("Shopee Return", fields=("order_sn",))}
	rows = desk.get_list(
		"Sales Order",
		{
			"shopee_shop": ["in", shops],
			"docstatus": 1,
			"shopee_order_status": ["in", list(NEXT_STATUS)],
			"shopee_shipment_state": ["is", "not set"],
		},
		fields=("name", "shopee_shop", "shopee_order_sn", "shopee_order_status"),
		order_by="creation desc",
	)
	moved = []
	for row in rows:
		if len(moved) == count:
			break
		if row["shopee_order_sn"] in with_returns:
			continue
		status = NEXT_STATUS[row["shopee_order_status"]]
		response = desk.sandbox_post("orders/status", {"order_sn": row["shopee_order_sn"], "status": status})
		if response.ok:
			moved.append({**row, "status": status, "update_time": response.json()["update_time"]})
	assert len(moved) == count, f"the shops have {len(moved)} booked orders that can move on in this sandbox"
	return moved


def push_status(desk: Desk, order: dict) -> None:
	"""Shopee pushes the order's new status (code 3) to the site's webhook, signed."""
	data = {
		"ordersn": order["shopee_order_sn"],
		"status": order["status"],
		"update_time": order["update_time"],
	}
	desk.shopee_push(ORDER_STATUS_PUSH, order["shopee_shop"], data)


def inbox_row(desk: Desk, order_sn: str) -> dict | None:
	rows = desk.get_list(
		"Shopee Webhook Inbox",
		{"order_sn": order_sn, "push_code": ORDER_STATUS_PUSH},
		fields=("name", "status", "attempts", "last_error", "reference_name", "next_retry_at"),
		order_by="creation desc",
		limit=1,
	)
	return rows[0] if rows else None


def row_in(desk: Desk, order_sn: str, statuses: tuple[str, ...]) -> dict | None:
	row = inbox_row(desk, order_sn)
	return row if row and row["status"] in statuses else None


def expect_booked(desk: Desk, row: dict, order: dict) -> None:
	"""The row is Done on its second attempt and its Sales Order shows the pushed status."""
	assert (row["status"], row["attempts"], row["reference_name"]) == ("Done", 2, order["name"]), row
	assert desk.value("Sales Order", order["name"], "shopee_order_status") == order["status"]


def test_resync_from_shopee_brings_the_sales_order_up_to_date(manager: Desk, shops):
	[order] = orders_moved_on(manager, shops, 1)
	order_sn = order["shopee_order_sn"]
	calls_before = detail_calls(manager, order_sn)
	manager.open_form("Sales Order", order["name"])
	manager.menu("Shopee", "Re-sync from Shopee")
	expect(manager.alert(f"{order_sn}: {order['status']}")).to_be_visible(timeout=60_000)
	assert detail_calls(manager, order_sn) > calls_before
	assert manager.value("Sales Order", order["name"], "shopee_order_status") == order["status"]
	manager.page.wait_for_function(
		"(status) => cur_frm.doc.shopee_order_status === status", arg=order["status"]
	)
	expect(manager.shown_value("shopee_order_status")).to_have_text(order["status"])
	manager.snap("09-resynced-order")


def test_failed_pushes_are_retried_from_the_inbox_form_and_list(manager: Desk, shops):
	first, second = orders_moved_on(manager, shops, 2)
	# Shopee fails every detail call until told otherwise: the app retries each push, then gives up
	manager.sandbox_control("faults", {"path": ORDER_DETAIL, "kind": "server_error", "count": 100})
	try:
		for order in (first, second):
			push_status(manager, order)
		failed = [
			wait_until(
				lambda sn=order["shopee_order_sn"]: row_in(manager, sn, ("Failed", "Dead")),
				f"the push of {order['shopee_order_sn']} to fail",
			)
			for order in (first, second)
		]
	finally:
		manager.sandbox_control("storm", {"rate": 0})  # Shopee answers again
	for row, order in zip(failed, (first, second), strict=True):
		assert (row["status"], row["attempts"]) == ("Failed", 1), row
		assert re.search(r"server|error", row["last_error"] or "", re.IGNORECASE), row
		assert row["next_retry_at"], row
		assert manager.value("Sales Order", order["name"], "shopee_order_status") != order["status"]

	# the form's Retry now
	manager.open_form("Shopee Webhook Inbox", failed[0]["name"])
	expect(manager.shown_value("last_error")).to_contain_text(failed[0]["last_error"].splitlines()[0][:40])
	manager.click_button("Retry now")
	done = wait_until(lambda: row_in(manager, first["shopee_order_sn"], ("Done",)), "the form's retry")
	expect_booked(manager, done, first)
	manager.open_form("Shopee Webhook Inbox", failed[0]["name"])
	expect(manager.shown_value("status")).to_have_text("Done")
	expect(manager.button("Retry now")).to_have_count(0)
	manager.snap("09-inbox-row-retried")

	# the list's Actions → Retry now
	page = manager.goto("/app/shopee-webhook-inbox?status=Failed")
	page.locator(f".list-row-checkbox[data-name='{failed[1]['name']}']").check()
	manager.menu("Actions", "Retry now")
	done = wait_until(lambda: row_in(manager, second["shopee_order_sn"], ("Done",)), "the list's retry")
	expect_booked(manager, done, second)
	manager.goto("/app/shopee-webhook-inbox?status=Failed")
	expect(manager.page.locator(f".list-row-checkbox[data-name='{failed[1]['name']}']")).to_have_count(0)
	manager.snap("09-inbox-list-retried")
