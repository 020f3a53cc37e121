"""The seller answers a Shopee return from its Desk form: accept, offer, accept the buyer's offer, dispute.

Each test opens a new return in the sandbox (the buyer's side) on a synced order, syncs returns from
the shop form, answers in Desk, and checks the form, the Shopee Return and the call Shopee received.
"""

import re
import time

from conftest import Desk
from playwright.sync_api import expect

COUNTS = re.compile(r"fetched (\d+), created (\d+), updated (\d+), skipped (\d+), failed (\d+)")
# returns_api.offer's answer to a refund above what the return can refund
OUT_OF_RANGE = "proposed_adjusted_refund_amount is out of range."
SYNC_ATTEMPTS = 3


# -- the sandbox: the buyer's side and the calls Shopee received ------------------------------------


def calls_for(desk: Desk, path: str, return_sn: str) -> list[dict]:
	"""The app's calls of a returns endpoint about one return."""
	return [
		call
		for call in desk.sandbox_calls()
		if call["path"] == f"/api/v2/returns/{path}"
		and str((call.get("body") or {}).get("return_sn") or call["query"].get("return_sn")) == return_sn
	]


def the_call(desk: Desk, path: str, return_sn: str) -> dict:
	calls = calls_for(desk, path, return_sn)
	assert len(calls) == 1, f"{len(calls)} calls of returns/{path} for {return_sn}"
	return calls[0]


def open_return_on_a_synced_order(desk: Desk, shop: str, **options) -> str:
	"""The buyer opens a return on one of the shop's Sales Orders that has none yet.

	Newest orders first: a site synced from an earlier sandbox seed keeps orders this one never made.
	"""
	taken = {row["order_sn"] for row in desk.get_list("Shopee Return", {"shop": shop}, fields=("order_sn",))}
	orders = desk.get_list(
		"Sales Order",
		{"shopee_shop": shop, "docstatus": 1},
		fields=("shopee_order_sn",),
		order_by="creation desc",
	)
	for order_sn in [row["shopee_order_sn"] for row in orders if row["shopee_order_sn"] not in taken]:
		response = desk.sandbox_post("returns/open", {"order_sn": order_sn, **options})
		if response.ok:
			return response.json()["return_sn"]
		assert re.search(r"already has return|KeyError", response.text()), response.text()[:300]
	raise AssertionError(f"every synced order of shop {shop} has a return already")


def sync_returns_until_stored(desk: Desk, shop: str, return_sn: str) -> None:
	"""Sync Returns on the shop form; again if a sync already running started before the return."""
	desk.open_form("Shopee Shop", shop)
	for _attempt in range(SYNC_ATTEMPTS):
		time.sleep(1)  # the sandbox stamps the return with this second: let the sync's window pass it
		desk.click_button("Sync Returns")
		expect(desk.alert("Returns sync queued")).to_be_visible()
		result = desk.page.locator(".modal.show .msgprint").filter(has_text=COUNTS)
		expect(result).to_be_visible(timeout=180_000)
		desk.close_dialog()
		if desk.count("Shopee Return", {"name": return_sn}):
			return
	raise AssertionError(f"return {return_sn} not stored after {SYNC_ATTEMPTS} syncs")


def new_return_on_its_form(desk: Desk, shop: str, **options) -> str:
	return_sn = open_return_on_a_synced_order(desk, shop, **options)
	sync_returns_until_stored(desk, shop, return_sn)
	desk.open_form("Shopee Return", return_sn)
	expect(desk.shown_value("status")).to_have_text("REQUESTED")
	return return_sn


# -- the form --------------------------------------------------------------------------------------


def answer_menu_items(desk: Desk) -> list[str]:
	desk.button("Answer on Shopee").click()
	menu = desk.page.locator(".page-head:visible .dropdown-menu.show")
	items = [text.strip() for text in menu.locator(".dropdown-item").all_inner_texts()]
	desk.page.keyboard.press("Escape")
	return items


def confirm(desk: Desk, question: str) -> None:
	dialog = desk.dialog()
	expect(dialog).to_contain_text(question)
	dialog.get_by_role("button", name="Yes").click()


def offer_from_the_form(desk: Desk, solution: str, amount: float) -> None:
	desk.menu("Answer on Shopee", "Offer a Partial Refund")
	dialog = desk.dialog()
	expect(dialog).to_contain_text("Offer a refund to the buyer")
	dialog.locator(".frappe-control[data-fieldname='solution'] select").select_option(solution)
	refund = dialog.locator(".frappe-control[data-fieldname='amount'] input")
	refund.fill(f"{amount:.2f}")
	refund.press("Tab")
	dialog.get_by_role("button", name="Send Offer").click()


def money(value) -> float:
	return round(float(value), 2)


def expect_no_answers_left(desk: Desk) -> None:
	expect(desk.button("Answer on Shopee")).to_have_count(0)


# -- the tests -------------------------------------------------------------------------------------


def test_accept_the_return(manager: Desk, shops):
	return_sn = new_return_on_its_form(manager, shops[0])
	manager.menu("Answer on Shopee", "Accept")
	confirm(manager, "Accept the return and refund")
	expect(manager.alert("Accepted the return")).to_be_visible(timeout=60_000)
	expect(manager.shown_value("status")).to_have_text("ACCEPTED")
	expect_no_answers_left(manager)
	assert manager.value("Shopee Return", return_sn, "status") == "ACCEPTED"
	assert the_call(manager, "confirm", return_sn)["status"] == 200
	manager.snap("04-return-accepted")


def test_offer_a_partial_refund(manager: Desk, shops):
	return_sn = new_return_on_its_form(manager, shops[0])
	half = money(manager.value("Shopee Return", return_sn, "refund_amount") / 2)
	offer_from_the_form(manager, "REFUND", half)
	expect(manager.alert("Offered REFUND with a refund of")).to_be_visible(timeout=60_000)
	expect(manager.shown_value("negotiation_status")).to_have_text("PENDING_BUYER_RESPOND")
	expect(manager.shown_value("latest_offer_creator")).to_have_text("seller")
	expect(manager.shown_value("latest_solution")).to_have_text("REFUND")
	assert "Offer a Partial Refund" not in answer_menu_items(manager)
	doc = manager.get_doc("Shopee Return", return_sn)
	assert (doc["status"], doc["negotiation_status"], doc["latest_offer_creator"]) == (
		"REQUESTED",
		"PENDING_BUYER_RESPOND",
		"seller",
	), doc
	assert money(doc["latest_offer_amount"]) == half
	body = the_call(manager, "offer", return_sn)["body"]
	assert body["proposed_solution"] == "REFUND"
	assert money(body["proposed_adjusted_refund_amount"]) == half
	manager.snap("04-return-offer-sent")


def test_accept_the_buyers_offer(manager: Desk, shops):
	return_sn = new_return_on_its_form(manager, shops[0])
	refund = manager.value("Shopee Return", return_sn, "refund_amount")
	offer_from_the_form(manager, "REFUND", money(refund / 2))
	expect(manager.alert("Offered REFUND")).to_be_visible(timeout=60_000)
	# the buyer turns the offer down: their own request stands as the offer to answer
	manager.sandbox_control("returns/buyer_respond", {"return_sn": return_sn, "accept": False})
	manager.click_button("Refresh from Shopee")
	expect(manager.shown_value("latest_offer_creator")).to_have_text("buyer", timeout=60_000)
	expect(manager.shown_value("negotiation_status")).to_have_text("PENDING_RESPOND")
	buyers = manager.get_doc("Shopee Return", return_sn)
	manager.menu("Answer on Shopee", "Accept the Buyer's Offer")
	confirm(manager, f"Accept the buyer's offer: {buyers['latest_solution']}")
	expect(manager.alert("Accepted the buyer's offer")).to_be_visible(timeout=60_000)
	expect(manager.shown_value("status")).to_have_text("ACCEPTED")
	expect_no_answers_left(manager)
	doc = manager.get_doc("Shopee Return", return_sn)
	assert doc["status"] == "ACCEPTED", doc
	assert money(doc["refund_amount"]) == money(buyers["latest_offer_amount"])
	assert the_call(manager, "accept_offer", return_sn)["status"] == 200
	manager.snap("04-return-buyers-offer-accepted")


def test_dispute_the_return(manager: Desk, shops):
	return_sn = new_return_on_its_form(manager, shops[0])
	reasons = manager.call("shopee_bridge.api.return_dispute_reasons", http="GET", name=return_sn)
	reason = next(r for r in reasons if any(not m["is_required"] for m in r["evidence_module_list"]))
	manager.menu("Answer on Shopee", "Dispute")
	dialog = manager.dialog()
	expect(dialog).to_contain_text("Dispute the return")
	choice = dialog.locator(".frappe-control[data-fieldname='reason_id'] select")
	offered = choice.locator("option").evaluate_all(
		"(options) => options.map((o) => o.value).filter(Boolean)"
	)
	assert offered == [str(r["dispute_reason"]) for r in reasons]
	choice.select_option(str(reason["dispute_reason"]))
	expect(dialog.locator(".frappe-control[data-fieldname='email'] input")).to_have_value(manager.user["usr"])
	explanation = f"Parcel {return_sn} came back with another item"
	dialog.locator(".frappe-control[data-fieldname='text'] textarea").fill(explanation)
	dialog.get_by_role("button", name="Next").click()
	images = attach_evidence(manager, reason)
	expect(manager.alert(f"Disputed (reason {reason['dispute_reason']})")).to_be_visible(timeout=60_000)
	expect(manager.shown_value("status")).to_have_text("JUDGING")
	expect(manager.shown_value("dispute_text_reason")).to_contain_text(explanation)
	expect_no_answers_left(manager)
	doc = manager.get_doc("Shopee Return", return_sn)
	assert doc["status"] == "JUDGING" and str(reason["dispute_reason"]) in doc["dispute_reason"], doc
	body = the_call(manager, "dispute", return_sn)["body"]
	assert (body["dispute_reason_id"], body["email"], body["dispute_text_reason"]) == (
		reason["dispute_reason"],
		manager.user["usr"],
		explanation,
	)
	assert {entry["module_index"]: entry["image_url"] for entry in body["image_list"]} == images
	manager.snap("04-return-disputed")


def attach_evidence(desk: Desk, reason: dict) -> dict[int, list[str]]:
	"""The evidence dialog: image links for the modules Shopee requires, the optional ones left empty."""
	dialog = desk.dialog()
	expect(dialog).to_contain_text("Evidence for Shopee")
	images = {}
	for module in reason["evidence_module_list"]:
		if module["is_required"]:
			images[module["module_index"]] = [f"https://img.example.test/proof-{module['module_index']}.jpg"]
			field = dialog.locator(
				f".frappe-control[data-fieldname='module_{module['module_index']}'] textarea"
			)
			field.fill("\n".join(images[module["module_index"]]))
	dialog.get_by_role("button", name="Dispute").click()
	return images


def test_refused_offer_shows_shopees_message_and_changes_nothing(manager: Desk, shops):
	return_sn = new_return_on_its_form(manager, shops[0])
	fields = ("status", "negotiation_status", "latest_offer_creator", "latest_offer_amount", "modified")
	before = manager.get_doc("Shopee Return", return_sn)
	offer_from_the_form(manager, "REFUND", money(before["refund_amount"] * 2))
	text = manager.msgprint_text()
	assert f"refused by Shopee: {OUT_OF_RANGE}" in text, text
	call = the_call(manager, "offer", return_sn)
	assert (call["status"], call["error"]) == (400, "error_param"), call
	manager.snap("04-return-offer-refused")
	manager.close_dialog()
	after = manager.get_doc("Shopee Return", return_sn)
	assert {f: after[f] for f in fields} == {f: before[f] for f in fields}
	expect(manager.shown_value("status")).to_have_text("REQUESTED")
	expect(manager.shown_value("negotiation_status")).to_have_text("PENDING_RESPOND")
