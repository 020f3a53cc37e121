"""Sandbox logistics endpoints: shipping parameters, ship_order, tracking numbers and air waybills.

What ship_order and the air waybill calls change lives in `dataset.shipments` (order index -> state),
under `dataset.lock`: the mode and choice shipped with, the tracking number and how many more polls
answer without it (Shopee assigns it a while after ship_order), and the waybill task and version.
Like Shopee: exactly one mode per ship_order, the fields `info_needed` names are required, a package
is shipped once (`logistics.package_already_shipped`), waybills only while the order is PROCESSED
and its tracking number exists, and a download is a raw PDF (errors stay JSON).
"""

from decimal import Decimal

from shopee_bridge.sandbox.calls import Call, Reply, _int, _missing, _order_index
from shopee_bridge.sandbox.catalogue import mix
from shopee_bridge.sandbox.errors import ApiError, success_envelope
from shopee_bridge.sandbox.labels import label_pdf

DAY = 86400
UTC8 = 8 * 3600
MAX_DOCUMENTS = 50
TRACKING_DELAY_POLLS = 2  # get_tracking_number answers "" this many times after ship_order
LABEL_PROCESSING_POLLS = 1  # get_shipping_document_result answers PROCESSING this many times
SHIPPABLE = ("READY_TO_SHIP",)
PRINTABLE = ("PROCESSED",)
DOCUMENT_TYPES = ("NORMAL_AIR_WAYBILL", "THERMAL_AIR_WAYBILL")
SUGGESTED_DOCUMENT = "THERMAL_AIR_WAYBILL"
# what each channel asks for (get_shipping_parameter's info_needed; note "tracking_no" there)
CHANNEL_MODES = {
	18025: {"pickup": ["address_id", "pickup_time_id"], "dropoff": ["branch_id"]},  # SPX: either
	18028: {"pickup": ["address_id", "pickup_time_id"]},  # Ninja Van: pickup only
	18036: {"dropoff": ["branch_id", "sender_real_name"]},  # J&T: drop-off with the sender's name
}
NON_INTEGRATED = {"non_integrated": ["tracking_no"]}
BRANCHES = (
	(501, "1 Depot Road, Sandbox Mall #01-01", "109679"),
	(502, "20 Tampines Central, Sandbox Point", "529536"),
	(503, "3 Jurong West Street 64, Sandbox Hub", "640003"),
)
SLOTS = (("AM", 9, "09:00-12:00"), ("PM", 14, "14:00-18:00"))


def modes_of(dataset, index: int) -> dict:
	"""info_needed of an order: its channel's modes, and on some orders a non-integrated option."""
	modes = dict(CHANNEL_MODES[dataset.facts(index)["channel_id"]])
	if mix(dataset.seed, index, 0x5A1) % 6 == 0:
		modes.update(NON_INTEGRATED)
	return modes


def pickup_addresses(dataset, shop_id: int, now: int) -> list[dict]:
	"""The shop's addresses, each with its time slots on the next three days (Shopee's local midnight)."""
	shop_no = next(n for n, shop in enumerate(dataset.shops) if shop["shop_id"] == int(shop_id))
	today = (now + UTC8) // DAY * DAY - UTC8
	slots = [
		{
			"date": today + day * DAY + hour * 3600,
			"time_text": text,
			"pickup_time_id": f"{today + day * DAY}{code}",
			"flags": ["recommended"] if (day, code) == (1, "AM") else [],
		}
		for day in (1, 2, 3)
		for code, hour, text in SLOTS
	]
	flags = (["default_address", "pickup_address"], ["return_address"])
	return [
		{
			"address_id": 1_000_000 + shop_no * 10 + number,
			"region": dataset.shops[shop_no]["region"],
			"state": "Central",
			"city": "Sandbox City",
			"district": "",
			"town": "",
			"address": f"{number} Sandbox Warehouse Road",
			"zipcode": f"0{number}8000",
			"address_flag": flags[number - 1],
			"time_slot_list": slots,
		}
		for number in (1, 2)
	]


def _branches(region: str) -> list[dict]:
	return [
		{"branch_id": branch_id, "region": region, "state": "", "city": "Sandbox City", "address": address}
		| {"zipcode": zipcode, "district": "", "town": ""}
		for branch_id, address, zipcode in BRANCHES
	]


def _check_package(dataset, index: int, params: dict) -> None:
	package = params.get("package_number")
	if package not in (None, "") and str(package) != dataset.facts(index)["package_number"]:
		raise ApiError("logistics.package_number_not_found", f"The package_number {package} is not exist.")


def _check_shippable(dataset, index: int) -> None:
	status = dataset.state(index)[0]
	if status in SHIPPABLE:
		return
	if status in ("PROCESSED", "SHIPPED", "TO_CONFIRM_RECEIVE", "COMPLETED", "TO_RETURN"):
		raise ApiError(
			"logistics.package_already_shipped",
			"This package has already been arranged shipment and you can't call this API again.",
		)
	raise ApiError("logistics.order_status_error", f"Order status {status} does not support shipment.")


def get_shipping_parameter(sandbox, call: Call) -> Reply:
	"""logistics/get_shipping_parameter: the modes the order's channel offers, with addresses and branches."""
	dataset = sandbox.dataset
	index = _order_index(sandbox, call, call.query)
	_check_package(dataset, index, call.query)
	_check_shippable(dataset, index)
	modes = modes_of(dataset, index)
	response = {"info_needed": modes}
	if "pickup" in modes:
		response["pickup"] = {"address_list": pickup_addresses(dataset, call.shop_id, int(sandbox.clock()))}
	if "dropoff" in modes:
		region = dataset.shop(call.shop_id)["region"]
		response["dropoff"] = {"branch_list": _branches(region), "slug_list": []}
	return Reply(200, success_envelope(response))


def _chosen_mode(body: dict, modes: dict) -> tuple[str, dict]:
	given = [mode for mode in ("pickup", "dropoff", "non_integrated") if body.get(mode) is not None]
	if len(given) != 1:
		raise ApiError("error_param", "Please choose exactly one of pickup, dropoff and non_integrated.")
	mode = given[0]
	if mode not in modes:
		raise ApiError("logistics.error_param", f"This order's channel does not support {mode}.")
	choice = body[mode]
	if not isinstance(choice, dict):
		raise ApiError("error_param", f"{mode} should be an object.")
	for name in modes[mode]:
		key = "tracking_number" if name == "tracking_no" else name
		if choice.get(key) in (None, ""):
			raise ApiError("error_param", f"{mode}.{key} is required for this order.")
	return mode, choice


def _check_choice(sandbox, call: Call, mode: str, choice: dict) -> None:
	if mode == "pickup":
		addresses = pickup_addresses(sandbox.dataset, call.shop_id, int(sandbox.clock()))
		address = next((a for a in addresses if str(a["address_id"]) == str(choice["address_id"])), None)
		if address is None:
			raise ApiError("logistics.address_not_found", "Address is not found.")
		if str(choice["pickup_time_id"]) not in {
			slot["pickup_time_id"] for slot in address["time_slot_list"]
		}:
			raise ApiError(
				"logistics.error_cutoff_time", "Pickup time is not invalid. Please check the pickup time."
			)
	elif mode == "dropoff" and choice.get("branch_id") not in (None, ""):
		if _int(choice, "branch_id") not in {branch[0] for branch in BRANCHES}:
			raise ApiError("logistics.error_param", "The branch_id is invalid.")


def ship_order(sandbox, call: Call) -> Reply:
	"""logistics/ship_order: arrange the shipment once; READY_TO_SHIP -> PROCESSED (non-integrated: SHIPPED)."""
	dataset, body = sandbox.dataset, call.body
	index = _order_index(sandbox, call, body)
	_check_package(dataset, index, body)
	mode, choice = _chosen_mode(body, modes_of(dataset, index))
	_check_choice(sandbox, call, mode, choice)
	with dataset.lock:
		_check_shippable(dataset, index)
		own_tracking = str(choice.get("tracking_number") or "")
		dataset.shipments[index] = {
			"mode": mode,
			"choice": dict(choice),
			"tracking": own_tracking or dataset.facts(index)["tracking_number"],
			"polls_left": 0 if own_tracking else TRACKING_DELAY_POLLS,
			"label": None,
			"label_version": 1,
		}
		dataset.set_status(
			dataset.entry(index).order_sn, "SHIPPED" if mode == "non_integrated" else "PROCESSED"
		)
	return Reply(200, success_envelope({}))


def _shipment(dataset, index: int) -> dict:
	"""The order's logistics state; orders shipped outside the API have their tracking number already."""
	with dataset.lock:
		return dataset.shipments.setdefault(
			index,
			{
				"mode": None,
				"choice": {},
				"tracking": dataset.facts(index)["tracking_number"],
				"polls_left": 0,
				"label": None,
				"label_version": 1,
			},
		)


def issued_tracking(dataset, index: int, poll: bool = False) -> str:
	"""The tracking number Shopee shows now ("" until assigned); a poll counts down the delay."""
	status = dataset.state(index)[0]
	shipment = dataset.shipments.get(index)
	if shipment is None:
		return dataset.tracking_number(index)
	if status in ("UNPAID", "READY_TO_SHIP", "IN_CANCEL", "CANCELLED"):
		return ""
	with dataset.lock:
		if shipment["polls_left"] > 0:
			if poll:
				shipment["polls_left"] -= 1
			return ""
		return shipment["tracking"]


def get_tracking_number(sandbox, call: Call) -> Reply:
	"""logistics/get_tracking_number: empty for the first polls after ship_order, as on Shopee."""
	index = _order_index(sandbox, call, call.query)
	_check_package(sandbox.dataset, index, call.query)
	tracking = issued_tracking(sandbox.dataset, index, poll=True)
	response = {"tracking_number": tracking}
	if not tracking:
		response["hint"] = "The tracking number is not yet available."
	return Reply(200, success_envelope(response))


# -- air waybills ----------------------------------------------------------------------------


def _order_list(body: dict) -> list[dict]:
	entries = body.get("order_list")
	if not isinstance(entries, list) or not 1 <= len(entries) <= MAX_DOCUMENTS:
		raise ApiError("error_param", "order_list should contain 1 to 50 orders.")
	if not all(isinstance(entry, dict) and entry.get("order_sn") for entry in entries):
		raise ApiError("error_param", "Each entry of order_list needs an order_sn.")
	return entries


def _document_target(sandbox, call: Call, entry: dict) -> tuple[int | None, dict]:
	"""(order index, result row) of one order_list entry; index None when it failed."""
	row = {"order_sn": entry["order_sn"], "package_number": entry.get("package_number") or ""}
	index = sandbox.dataset.index_of(str(entry["order_sn"]), call.shop_id)
	if index is None:
		return None, {**row, "fail_error": "logistics.order_not_exist", "fail_message": "Order not found."}
	row["package_number"] = sandbox.dataset.facts(index)["package_number"]
	if sandbox.dataset.state(index)[0] not in PRINTABLE:
		message = "Order status does not support awb printing."
		return None, {**row, "fail_error": "logistics.order_status_error", "fail_message": message}
	return index, row


def get_shipping_document_parameter(sandbox, call: Call) -> Reply:
	"""logistics/get_shipping_document_parameter: suggested and selectable waybill types per order."""
	results = []
	for entry in _order_list(call.body):
		index, row = _document_target(sandbox, call, entry)
		if index is not None:
			row.update(
				suggest_shipping_document_type=SUGGESTED_DOCUMENT,
				selectable_shipping_document_type=list(DOCUMENT_TYPES),
			)
		results.append(row)
	return Reply(200, success_envelope({"result_list": results}))


def _start_document(dataset, index: int, entry: dict, row: dict) -> dict:
	document_type = entry.get("shipping_document_type") or SUGGESTED_DOCUMENT
	if document_type not in DOCUMENT_TYPES:
		return {
			**row,
			"fail_error": "logistics.shipping_document_type_invalid",
			"fail_message": "Invalid type.",
		}
	tracking = issued_tracking(dataset, index)
	if not tracking or str(entry.get("tracking_number") or "") != tracking:
		message = "The tracking number is invalid. Please check the tracking number."
		return {**row, "fail_error": "logistics.tracking_number_invalid", "fail_message": message}
	shipment = _shipment(dataset, index)
	with dataset.lock:
		shipment["label"] = {"status": "PROCESSING", "polls": LABEL_PROCESSING_POLLS, "type": document_type}
	return row


def create_shipping_document(sandbox, call: Call) -> Reply:
	"""logistics/create_shipping_document: start a waybill task per order (PROCESSED, tracking number known)."""
	results = []
	for entry in _order_list(call.body):
		index, row = _document_target(sandbox, call, entry)
		results.append(row if index is None else _start_document(sandbox.dataset, index, entry, row))
	failed = [row for row in results if row.get("fail_error")]
	if len(failed) == len(results):
		raise ApiError("common.batch_api_all_failed", f"Failed: {failed[0]['fail_message']}")
	return Reply(200, success_envelope({"result_list": results}))


def _document_status(dataset, index: int) -> str | None:
	shipment = dataset.shipments.get(index) or {}
	with dataset.lock:
		label = shipment.get("label")
		if label is None:
			return None
		if label["status"] == "PROCESSING":
			if label["polls"] > 0:
				label["polls"] -= 1
			else:
				label["status"] = "READY"
		return label["status"]


def get_shipping_document_result(sandbox, call: Call) -> Reply:
	"""logistics/get_shipping_document_result: PROCESSING for a poll, then READY."""
	results = []
	for entry in _order_list(call.body):
		index, row = _document_target(sandbox, call, entry)
		status = None if index is None else _document_status(sandbox.dataset, index)
		if index is not None and status is None:
			message = "The package can not print now, please create shipping document first."
			row.update(fail_error="logistics.shipping_document_should_print_first", fail_message=message)
		results.append({**row, "status": status or "FAILED"})
	return Reply(200, success_envelope({"result_list": results}))


def download_shipping_document(sandbox, call: Call) -> Reply:
	"""logistics/download_shipping_document: one PDF for the orders (raw bytes), or a JSON error."""
	dataset, pages = sandbox.dataset, []
	for entry in _order_list(call.body):
		index = dataset.index_of(str(entry["order_sn"]), call.shop_id)
		if index is None:
			raise ApiError("logistics.order_not_exist", f"The order_sn {entry['order_sn']} is not exist.")
		label = (dataset.shipments.get(index) or {}).get("label") or {}
		if label.get("status") != "READY":
			raise ApiError(
				"logistics.shipping_document_should_print_first",
				"The package can not print now, please create shipping document first.",
			)
		pages.append(_label_lines(dataset, index, label["type"]))
	return Reply(200, label_pdf(pages), {"Content-Type": "application/pdf"})


def _label_lines(dataset, index: int, document_type: str) -> list[str]:
	facts, shipment = dataset.facts(index), dataset.shipments[index]
	return [
		"SHOPEE SANDBOX AIR WAYBILL",
		document_type,
		f"Order {facts['entry'].order_sn}",
		f"Package {facts['package_number']}",
		f"Tracking {shipment['tracking']}",
		f"Carrier {facts['carrier']}",
		f"To {facts['buyer']['name']}, {facts['buyer']['city']}",
		f"Items {sum(line['quantity'] for line in facts['lines'])}",
		f"Label version {shipment['label_version']}",
	]


# -- controls --------------------------------------------------------------------------------


def _control_index(sandbox, body: dict) -> int:
	order_sn = body.get("order_sn") or _missing("order_sn is required.")
	index = sandbox.dataset.index_of(str(order_sn))
	if index is None:
		raise KeyError(order_sn)
	return index


def control_issue_tracking(sandbox, query: dict, body: dict) -> dict:
	"""The carrier assigns the tracking number now (no more empty polls)."""
	index = _control_index(sandbox, body)
	shipment = _shipment(sandbox.dataset, index)
	with sandbox.dataset.lock:
		shipment["polls_left"] = 0
	return {"tracking_number": issued_tracking(sandbox.dataset, index)}


def control_relabel(sandbox, query: dict, body: dict) -> dict:
	"""The carrier re-issues the order's waybill: the next download has other bytes."""
	shipment = _shipment(sandbox.dataset, _control_index(sandbox, body))
	with sandbox.dataset.lock:
		shipment["label_version"] += 1
		return {"label_version": shipment["label_version"]}


def control_shipment(sandbox, query: dict, body: dict) -> dict:
	"""What ship_order recorded for an order (mode, choice, tracking), for tests and demos."""
	shipment = sandbox.dataset.shipments.get(_control_index(sandbox, body)) or {}
	return {key: value for key, value in shipment.items() if not isinstance(value, Decimal)}


ROUTES = {
	"/api/v2/logistics/get_shipping_parameter": ("GET", get_shipping_parameter),
	"/api/v2/logistics/ship_order": ("POST", ship_order),
	"/api/v2/logistics/get_tracking_number": ("GET", get_tracking_number),
	"/api/v2/logistics/get_shipping_document_parameter": ("POST", get_shipping_document_parameter),
	"/api/v2/logistics/create_shipping_document": ("POST", create_shipping_document),
	"/api/v2/logistics/get_shipping_document_result": ("POST", get_shipping_document_result),
	"/api/v2/logistics/download_shipping_document": ("POST", download_shipping_document),
}

CONTROL_ROUTES = {
	("POST", "logistics/issue_tracking"): control_issue_tracking,
	("POST", "logistics/relabel"): control_relabel,
	("POST", "logistics/shipment"): control_shipment,
}
