"""The sandbox's return actions: Shopee's state checks, and escrow following the agreed refund."""

from decimal import Decimal

import pytest
import requests
from sandbox_shop import HTTP, SHOP_ID, control, orders_in

from shopee_bridge.clients import ShopeeError, ShopeeServerError
from shopee_bridge.sandbox import Dataset
from shopee_bridge.sandbox.returns_api import DISPUTE_REASONS

CONFIRM = "/api/v2/returns/confirm"


def open_return(srv, **options) -> dict:
	"""A new return request (REQUESTED) on a COMPLETED order without one."""
	dataset = srv.dataset
	taken = {entry.order_index for entry in dataset.list_returns(SHOP_ID)}
	order_sn = next(sn for sn in orders_in(srv, "COMPLETED") if dataset.index_of(sn) not in taken)
	opened = control(srv, "returns/open", {"order_sn": order_sn, **options})
	return {"order_sn": order_sn, **opened}


def escrow(srv, order_sn: str) -> dict:
	return srv.dataset.escrow_detail(srv.dataset.index_of(order_sn))["order_income"]


def test_open_return_is_listed_by_update_time_and_detailed(sandbox, client):
	opened = open_return(sandbox, solution=0)
	detail = client.get_return_detail(opened["return_sn"])
	assert (detail["status"], detail["needs_logistics"], detail["return_solution"]) == ("REQUESTED", True, 0)
	assert detail["negotiation"]["negotiation_status"] == "PENDING_RESPOND"
	assert detail["reverse_logistics_status"] == "LOGISTICS_PENDING_ARRANGE" and detail["image"]
	window = {"update_time_from": detail["update_time"] - 60, "update_time_to": detail["update_time"]}
	assert opened["return_sn"] in [row["return_sn"] for row in client.iter_returns(**window)]
	assert escrow(sandbox, opened["order_sn"])["seller_return_refund"] == 0  # nothing refunded yet
	with pytest.raises(requests.HTTPError):
		HTTP.post(
			f"{sandbox.url}/_sandbox/returns/open", json={"order_sn": opened["order_sn"]}, timeout=5
		).raise_for_status()


def test_confirm_accepts_the_full_refund_and_escrow_takes_it_back(sandbox, client):
	opened = open_return(sandbox, solution=1)
	before = client.get_return_detail(opened["return_sn"])
	client.confirm_return(opened["return_sn"])
	after = client.get_return_detail(opened["return_sn"])
	assert after["status"] == "ACCEPTED" and after["update_time"] > before["update_time"]
	assert after["refund_amount"] == before["refund_amount"] and after["reverse_logistics_status"] == ""
	income = escrow(sandbox, opened["order_sn"])
	assert Decimal(str(income["seller_return_refund"])) == -Decimal(str(after["refund_amount"]))
	with pytest.raises(ShopeeError) as error:
		client.confirm_return(opened["return_sn"])
	assert error.value.code == "return.status.illegal"


def test_confirmed_return_with_goods_waits_for_the_parcel(sandbox, client):
	opened = open_return(sandbox, solution=0)
	client.confirm_return(opened["return_sn"])
	assert (
		client.get_return_detail(opened["return_sn"])["reverse_logistics_status"]
		== "LOGISTICS_REQUEST_CREATED"
	)
	control(
		sandbox,
		"returns/reverse_logistics",
		{"return_sn": opened["return_sn"], "status": "LOGISTICS_DELIVERY_DONE"},
	)
	assert (
		client.get_return_detail(opened["return_sn"])["reverse_logistics_status"] == "LOGISTICS_DELIVERY_DONE"
	)


def test_seller_offer_accepted_by_the_buyer_is_a_partial_refund(sandbox, client):
	opened = open_return(sandbox, solution=0, full=True)
	solutions = client.get_available_solutions(opened["return_sn"])
	full = Decimal(str(solutions["offer_refund"]["max_refund_amount"]))
	with pytest.raises(ShopeeError) as error:
		client.offer_return_solution(opened["return_sn"], "REFUND", full + 1)
	assert error.value.code == "error_param"
	partial = (full / 3).quantize(Decimal("0.01"))
	client.offer_return_solution(opened["return_sn"], "REFUND", partial)
	negotiation = client.get_return_detail(opened["return_sn"])["negotiation"]
	assert negotiation["negotiation_status"] == "PENDING_BUYER_RESPOND"
	assert (negotiation["latest_offer_creator"], Decimal(str(negotiation["latest_offer_amount"]))) == (
		"seller",
		partial,
	)
	with pytest.raises(ShopeeError) as error:  # the seller cannot take their own offer
		client.accept_return_offer(opened["return_sn"])
	assert error.value.code == "err_data"
	control(sandbox, "returns/buyer_respond", {"return_sn": opened["return_sn"], "accept": True})
	detail = client.get_return_detail(opened["return_sn"])
	assert (detail["status"], detail["needs_logistics"]) == ("ACCEPTED", False)
	assert Decimal(str(detail["refund_amount"])) == partial
	assert sum(Decimal(str(item["refund_amount"])) for item in detail["item"]) == partial
	income = escrow(sandbox, opened["order_sn"])
	assert income["seller_return_refund"] == -partial
	assert (
		income["original_shopee_discount"] - income["shopee_discount"] <= income["original_shopee_discount"]
	)


def test_accept_offer_takes_the_buyers_partial_ask(sandbox, client):
	opened = open_return(sandbox, solution=0, partial_ask=True)
	ask = Decimal(str(client.get_return_detail(opened["return_sn"])["negotiation"]["latest_offer_amount"]))
	assert ask == (Decimal(opened["refund_amount"]) / 2).quantize(Decimal("0.01"), "ROUND_HALF_UP")
	client.accept_return_offer(opened["return_sn"])
	detail = client.get_return_detail(opened["return_sn"])
	assert (detail["status"], Decimal(str(detail["refund_amount"])), detail["return_solution"]) == (
		"ACCEPTED",
		ask,
		1,
	)
	assert escrow(sandbox, opened["order_sn"])["seller_return_refund"] == -ask


def evidence(reason_id: int, drop_required: bool = False, images: int = 1) -> list[dict]:
	modules = next(modules for rid, _text, modules in DISPUTE_REASONS if rid == reason_id)
	return [
		{
			"module_index": index,
			"requirement": text,
			"image_url": [f"https://img.invalid/{index}/{n}.jpg" for n in range(images)],
		}
		for index, text, required in modules
		if not (drop_required and required)
	]


@pytest.mark.parametrize(
	"change, code",
	[
		({"email": "nobody"}, "dispute.request.param.error"),
		({"dispute_reason_id": 7}, "dispute.request.param.error"),
		({"image_list": evidence(48, drop_required=True)}, "dispute.request.param.error"),
		({"image_list": evidence(48, images=4)}, "dispute.request.param.error"),
	],
)
def test_dispute_refuses_bad_requests(sandbox, client, change, code):
	opened = open_return(sandbox)
	body = {"return_sn": opened["return_sn"], "email": "seller@example.com", "dispute_reason_id": 48}
	body["image_list"] = evidence(48)
	with pytest.raises(ShopeeError) as error:
		client.request("POST", "/api/v2/returns/dispute", body={**body, **change}, idempotent=False)
	assert error.value.code == code
	assert client.get_return_detail(opened["return_sn"])["status"] == "REQUESTED"


@pytest.mark.parametrize("winner, status", [("seller", "CLOSED"), ("buyer", "ACCEPTED")])
def test_dispute_is_judged(sandbox, client, winner, status):
	opened = open_return(sandbox, solution=0)
	reasons = client.get_return_dispute_reason(opened["return_sn"])
	assert [r["dispute_reason"] for r in reasons] == [48, 49, 50]
	client.dispute_return(opened["return_sn"], "seller@example.com", 48, "Wrong item came back", evidence(48))
	detail = client.get_return_detail(opened["return_sn"])
	assert (detail["status"], detail["dispute_reason"], detail["seller_proof"]["seller_proof_status"]) == (
		"JUDGING",
		["48"],
		"UPLOADED",
	)
	control(sandbox, "returns/judge", {"return_sn": opened["return_sn"], "winner": winner})
	assert client.get_return_detail(opened["return_sn"])["status"] == status
	refunded = escrow(sandbox, opened["order_sn"])["seller_return_refund"]
	assert (refunded != 0) == (winner == "buyer")


def test_a_lost_confirm_answer_was_applied(sandbox, client):
	opened = open_return(sandbox)
	sandbox.inject_fault(CONFIRM, "drop_after_apply")
	with pytest.raises(ShopeeServerError):
		client.confirm_return(opened["return_sn"])
	assert client.get_return_detail(opened["return_sn"])["status"] == "ACCEPTED"


def test_negotiated_refunds_keep_the_money_identities():
	dataset = Dataset(seed=5, orders=120, anchor=1_700_006_400)
	order_sn = next(
		sn
		for sn in dataset.order_sns()
		if dataset.state(dataset.index_of(sn))[0] == "COMPLETED"
		and dataset.index_of(sn) not in {e.order_index for e in dataset.list_returns(SHOP_ID)}
	)
	entry = dataset.open_return(order_sn, full=True)
	full = dataset.return_view(entry)["refund_amount"]
	entry = dataset.update_return(entry.return_sn, status="ACCEPTED", refund=full - Decimal("0.07"))
	income = dataset.escrow_detail(entry.order_index)["order_income"]
	assert income["seller_return_refund"] == -(full - Decimal("0.07"))
	view = dataset.return_view(entry, detail=True)
	assert (
		sum(item["refund_amount"] for item in view["item"]) == view["refund_amount"] == full - Decimal("0.07")
	)
