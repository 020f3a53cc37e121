"""The sandbox's logistics endpoints through ShopeeClient: modes, ship once, tracking delay, waybills."""

import io

import pytest
from pypdf import PdfReader
from sandbox_shop import SHOP_ID, control, make_client, orders_in, pickup_choice, ready_order

from shopee_bridge.clients import ShopeeError, ShopeeFile, ShopeeServerError
from shopee_bridge.sandbox import logistics_api

SHIP = "/api/v2/logistics/ship_order"
TRACKING = "/api/v2/logistics/get_tracking_number"


def logistics_status(client, order_sn: str) -> str:
	return client.get_order_detail([order_sn], ["package_list"])["order_list"][0]["package_list"][0][
		"logistics_status"
	]


def test_shipping_parameter_names_each_channels_modes(sandbox, client):
	for channel, modes in logistics_api.CHANNEL_MODES.items():
		order_sn = ready_order(sandbox, channel)
		parameter = client.get_shipping_parameter(order_sn)
		assert {k: v for k, v in parameter["info_needed"].items() if k != "non_integrated"} == modes
		if "pickup" in modes:
			addresses = parameter["pickup"]["address_list"]
			assert addresses[0]["address_flag"] == ["default_address", "pickup_address"]
			assert len(addresses[0]["time_slot_list"]) == 6
		if "dropoff" in modes:
			assert [branch["branch_id"] for branch in parameter["dropoff"]["branch_list"]] == [501, 502, 503]
	shipped = orders_in(sandbox, "PROCESSED")[0]
	with pytest.raises(ShopeeError) as error:
		client.get_shipping_parameter(shipped)
	assert error.value.code == "logistics.package_already_shipped"
	with pytest.raises(ShopeeError) as error:
		client.get_shipping_parameter(ready_order(sandbox), package_number="OFG0")
	assert error.value.code == "logistics.package_number_not_found"


def test_ship_order_pickup_once_then_tracking_after_a_delay(sandbox, client):
	order_sn = ready_order(sandbox, 18028)
	choice = pickup_choice(client.get_shipping_parameter(order_sn))
	assert logistics_status(client, order_sn) == "LOGISTICS_READY"
	assert client.ship_order(order_sn, pickup=choice) == {}
	assert logistics_status(client, order_sn) == "LOGISTICS_REQUEST_CREATED"
	with pytest.raises(ShopeeError) as error:
		client.ship_order(order_sn, pickup=choice)
	assert error.value.code == "logistics.package_already_shipped"
	polls = [
		client.get_tracking_number(order_sn)["tracking_number"]
		for _ in range(logistics_api.TRACKING_DELAY_POLLS + 2)
	]
	expected = sandbox.dataset.facts(sandbox.dataset.index_of(order_sn))["tracking_number"]
	assert polls == [""] * logistics_api.TRACKING_DELAY_POLLS + [expected, expected]


@pytest.mark.parametrize(
	"channel, body, code",
	[
		(18028, {}, "error_param"),  # no mode
		(18028, {"pickup": {"address_id": 1}, "dropoff": {}}, "error_param"),  # two modes
		(18028, {"dropoff": {"branch_id": 501}}, "logistics.error_param"),  # not on this channel
		(18036, {"dropoff": {"branch_id": 501}}, "error_param"),  # J&T needs the sender's name
		(18036, {"dropoff": {"branch_id": 9, "sender_real_name": "A"}}, "logistics.error_param"),
		(18028, {"pickup": {"address_id": 42, "pickup_time_id": "x"}}, "logistics.address_not_found"),
		(18028, {"pickup": {"address_id": 1000001, "pickup_time_id": "x"}}, "logistics.error_cutoff_time"),
	],
)
def test_ship_order_refuses_what_shopee_refuses(sandbox, client, channel, body, code):
	order_sn = ready_order(sandbox, channel)
	with pytest.raises(ShopeeError) as error:
		client.request("POST", SHIP, body={"order_sn": order_sn, **body}, idempotent=False)
	assert error.value.code == code
	assert logistics_status(client, order_sn) == "LOGISTICS_READY"


def test_dropoff_and_non_integrated(sandbox, client):
	order_sn = ready_order(sandbox, 18036)
	assert client.ship_order(order_sn, dropoff={"branch_id": 502, "sender_real_name": "Sandbox Seller"}) == {}
	assert control(sandbox, "logistics/shipment", {"order_sn": order_sn})["mode"] == "dropoff"
	own = next(
		sn
		for sn in sandbox.dataset.order_sns(SHOP_ID)
		if "non_integrated" in logistics_api.modes_of(sandbox.dataset, sandbox.dataset.index_of(sn))
	)
	sandbox.set_order_status(own, "READY_TO_SHIP")
	client.ship_order(own, non_integrated={"tracking_number": "OWN123"})
	assert client.get_tracking_number(own)["tracking_number"] == "OWN123"  # no delay: the seller's own number
	assert logistics_status(client, own) == "LOGISTICS_PICKUP_DONE"


@pytest.mark.parametrize("kind, http_status", [("drop_after_apply", None), ("bad_gateway_after_apply", 502)])
def test_an_applied_write_whose_answer_is_lost_is_not_resent(sandbox, client, kind, http_status):
	order_sn = ready_order(sandbox, 18028)
	choice = pickup_choice(client.get_shipping_parameter(order_sn))
	sandbox.reset_counts()
	sandbox.inject_fault(SHIP, kind)
	with pytest.raises(ShopeeServerError) as error:
		client.ship_order(order_sn, pickup=choice)
	assert (error.value.sent, error.value.answered, error.value.http_status) == (True, False, http_status)
	assert sandbox.call_counts[SHIP] == 1
	assert logistics_status(client, order_sn) == "LOGISTICS_REQUEST_CREATED"  # it happened: re-read to know


def test_a_server_error_envelope_is_not_applied_so_it_is_retried(sandbox, client):
	order_sn = ready_order(sandbox, 18028)
	choice = pickup_choice(client.get_shipping_parameter(order_sn))
	sandbox.reset_counts()
	sandbox.inject_fault(SHIP, "server_error")
	assert client.ship_order(order_sn, pickup=choice) == {}
	assert sandbox.call_counts[SHIP] == 2


def test_tracking_number_delay_can_be_ended_by_the_carrier(sandbox, client):
	order_sn = ready_order(sandbox, 18028)
	client.ship_order(order_sn, pickup=pickup_choice(client.get_shipping_parameter(order_sn)))
	issued = control(sandbox, "logistics/issue_tracking", {"order_sn": order_sn})["tracking_number"]
	assert issued and client.get_tracking_number(order_sn)["tracking_number"] == issued


def shipped_with_tracking(sandbox, client) -> tuple[str, str]:
	order_sn = ready_order(sandbox, 18028)
	client.ship_order(order_sn, pickup=pickup_choice(client.get_shipping_parameter(order_sn)))
	return order_sn, control(sandbox, "logistics/issue_tracking", {"order_sn": order_sn})["tracking_number"]


def test_waybill_needs_the_tracking_number_then_processes_then_downloads(sandbox, client):
	order_sn = ready_order(sandbox, 18028)
	client.ship_order(order_sn, pickup=pickup_choice(client.get_shipping_parameter(order_sn)))
	with pytest.raises(ShopeeError) as error:  # no tracking number yet: every entry fails
		client.create_shipping_document([{"order_sn": order_sn, "tracking_number": ""}])
	assert error.value.code == "common.batch_api_all_failed"
	tracking = control(sandbox, "logistics/issue_tracking", {"order_sn": order_sn})["tracking_number"]
	entry = {"order_sn": order_sn}
	with pytest.raises(ShopeeError) as error:
		client.download_shipping_document([entry])
	assert error.value.code == "logistics.shipping_document_should_print_first"
	parameter = client.get_shipping_document_parameter([entry])[0]
	assert parameter["suggest_shipping_document_type"] == "THERMAL_AIR_WAYBILL"
	rows = client.create_shipping_document([{**entry, "tracking_number": tracking}])
	assert rows[0]["order_sn"] == order_sn and not rows[0].get("fail_error")
	assert [client.get_shipping_document_result([entry])[0]["status"] for _ in range(2)] == [
		"PROCESSING",
		"READY",
	]
	first = client.download_shipping_document([entry], "THERMAL_AIR_WAYBILL")
	assert isinstance(first, ShopeeFile) and first.content_type == "application/pdf"
	text = PdfReader(io.BytesIO(first.content)).pages[0].extract_text()
	assert order_sn in text and tracking in text and "Label version 1" in text
	assert client.download_shipping_document([entry]).content == first.content  # same label, same bytes
	control(sandbox, "logistics/relabel", {"order_sn": order_sn})
	second = client.download_shipping_document([entry]).content
	assert (
		second != first.content and "Label version 2" in PdfReader(io.BytesIO(second)).pages[0].extract_text()
	)


def test_waybill_batches_and_per_order_failures(sandbox, client):
	shipped = [shipped_with_tracking(sandbox, client) for _ in range(2)]
	entries = [{"order_sn": sn, "tracking_number": tracking} for sn, tracking in shipped]
	unpaid = orders_in(sandbox, "UNPAID")[0]
	rows = client.create_shipping_document([*entries, {"order_sn": unpaid}])
	assert [row.get("fail_error", "") for row in rows] == ["", "", "logistics.order_status_error"]
	for _ in range(2):
		client.get_shipping_document_result([{"order_sn": sn} for sn, _ in shipped])
	pdf = client.download_shipping_document([{"order_sn": sn} for sn, _ in shipped]).content
	assert len(PdfReader(io.BytesIO(pdf)).pages) == 2
	for size in (0, 51):
		with pytest.raises(ShopeeError) as error:
			client.request(
				"POST",
				"/api/v2/logistics/get_shipping_document_result",
				body={"order_list": [{"order_sn": "X"}] * size},
			)
		assert error.value.code == "error_param"


def test_logistics_paths_are_signed_and_fault_injectable(sandbox, client):
	order_sn = ready_order(sandbox)
	sandbox.inject_fault(TRACKING, "rate_limit")
	assert client.get_tracking_number(order_sn)["tracking_number"] == ""
	bad = make_client(sandbox)
	bad._partner_key = "0" * 32
	with pytest.raises(ShopeeError) as error:
		bad.get_shipping_parameter(order_sn)
	assert error.value.code == "error_sign"
