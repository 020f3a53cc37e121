"""Shipping choices, ship_order requests and the shipping label key."""

import hashlib

import pytest

from shopee_bridge.mappers.logistics import (
	ShipChoiceError,
	default_choice,
	label_file_name,
	label_key,
	package_of,
	ship_request,
	shipment_state,
	shipping_options,
)
from shopee_bridge.sandbox.labels import label_pdf

PARAMETER = {
	"info_needed": {"pickup": ["address_id", "pickup_time_id"], "dropoff": ["branch_id", "sender_real_name"]},
	"pickup": {
		"address_list": [
			{
				"address_id": 11,
				"address": "2 Return Road",
				"city": "Sandbox City",
				"address_flag": ["return_address"],
				"time_slot_list": [{"date": 1704153600, "time_text": "09:00-12:00", "pickup_time_id": "s1"}],
			},
			{
				"address_id": 12,
				"address": "1 Pickup Road",
				"zipcode": "018000",
				"address_flag": ["default_address", "pickup_address"],
				"time_slot_list": [
					{"date": 1704153600, "time_text": "09:00-12:00", "pickup_time_id": "s2"},
					{
						"date": 1704171600,
						"time_text": "14:00-18:00",
						"pickup_time_id": "s3",
						"flags": ["recommended"],
					},
				],
			},
		]
	},
	"dropoff": {
		"branch_list": [{"branch_id": 501, "address": "1 Depot Road"}, {"branch_id": 502, "address": "Hub"}]
	},
}


def test_label_key_is_the_sha1_of_the_bytes_and_only_of_them():
	first = label_pdf([["Order A", "Tracking 1"]])
	again = label_pdf([["Order A", "Tracking 1"]])
	changed = label_pdf([["Order A", "Tracking 2"]])
	assert label_key(first) == label_key(again) == hashlib.sha1(first).hexdigest()
	assert len(label_key(first)) == 40 and label_key(changed) != label_key(first)
	with pytest.raises(ValueError):
		label_key(b'{"error": "logistics.download_later"}')  # a JSON error is never stored as a label


def test_label_file_names_are_per_version():
	assert label_file_name("240101ABC", 1) == "shopee-label-240101ABC-v1.pdf"
	assert label_file_name("240101ABC", 2) != label_file_name("240101ABC", 1)


def test_shipping_options_for_the_dialog():
	options = shipping_options(PARAMETER)
	assert options["modes"] == ["pickup", "dropoff"]
	assert [a["address_id"] for a in options["addresses"]] == ["11", "12"]
	assert options["addresses"][1]["label"] == "1 Pickup Road, 018000"
	assert options["addresses"][1]["slots"][0] == {
		"pickup_time_id": "s2",
		"label": "Tue 02 Jan 09:00-12:00",  # 1704153600 is 2024-01-02 08:00 in UTC+8
		"recommended": False,
	}
	assert options["branches"] == [
		{"branch_id": "501", "label": "1 Depot Road"},
		{"branch_id": "502", "label": "Hub"},
	]


def test_ship_request_has_exactly_the_chosen_mode_and_its_fields():
	needs = shipping_options(PARAMETER)["needs"]
	assert ship_request("pickup", {"address_id": "12", "pickup_time_id": "s3"}, needs) == {
		"pickup": {"address_id": 12, "pickup_time_id": "s3"}
	}
	assert ship_request(
		"dropoff", {"branch_id": "501", "sender_real_name": "Ann", "address_id": "9"}, needs
	) == {"dropoff": {"branch_id": 501, "sender_real_name": "Ann"}}
	with pytest.raises(ShipChoiceError, match="sender real name"):
		ship_request("dropoff", {"branch_id": "501"}, needs)
	with pytest.raises(ShipChoiceError, match="cannot be shipped by non_integrated"):
		ship_request("non_integrated", {"tracking_number": "X"}, needs)
	assert ship_request(
		"non_integrated", {"tracking_number": " OWN1 "}, {"non_integrated": ["tracking_no"]}
	) == {"non_integrated": {"tracking_number": "OWN1"}}
	assert ship_request("dropoff", {}, {"dropoff": []}) == {
		"dropoff": {}
	}  # an empty info_needed still sends {}


def test_default_choice_takes_the_pickup_address_and_recommended_slot():
	options = shipping_options(PARAMETER)
	assert default_choice(options, "pickup") == {"address_id": "12", "pickup_time_id": "s3"}
	assert default_choice(options, "dropoff", "Ann") == {"sender_real_name": "Ann", "branch_id": "501"}
	with pytest.raises(ShipChoiceError, match="cannot be shipped by non_integrated"):
		default_choice(options, "non_integrated")
	with pytest.raises(ShipChoiceError, match="needs its own tracking number"):
		default_choice({"needs": {"non_integrated": ["tracking_no"]}}, "non_integrated")
	with pytest.raises(ShipChoiceError, match="no pickup address"):
		default_choice({"addresses": [], "needs": {"pickup": []}}, "pickup")


def test_package_state():
	order = {
		"package_list": [
			{"package_number": "P1", "logistics_status": "LOGISTICS_READY"},
			{"package_number": "P2", "logistics_status": "LOGISTICS_REQUEST_CREATED"},
		]
	}
	assert shipment_state(package_of(order)) == "ready"
	assert shipment_state(package_of(order, "P2")) == "arranged"
	assert package_of(order, "P9") == {} and shipment_state({}) is None
	assert shipment_state({"logistics_status": "LOGISTICS_REQUEST_CANCELED"}) is None
