"""Sandbox return actions: confirm, offer, accept_offer, dispute, and what they need to ask first.

Each action checks the return's state like Shopee, then changes it under `dataset.lock`: the return
entry itself (status, agreed refund, solution; `Dataset.update_return` moves its update_time on, so
an incremental sync sees it) and `dataset.return_states[return_sn]` (negotiation, dispute, the
reverse parcel). An ACCEPTED return refunds the buyer through escrow (finance.accepted_refund), so
escrow and wallet follow the agreed amount. The buyer's and Shopee's side (the buyer answering an
offer, Shopee judging a dispute, the parcel coming back) are sandbox controls.
"""

from decimal import Decimal, InvalidOperation

from shopee_bridge.sandbox.calls import Call, Reply, _int, _missing
from shopee_bridge.sandbox.catalogue import to_money
from shopee_bridge.sandbox.errors import ApiError, success_envelope
from shopee_bridge.sandbox.finance import NEGOTIABLE_STATES

MAX_IMAGES_PER_MODULE = 3
SOLUTIONS = {"RETURN_REFUND": 0, "REFUND": 1}
REVERSE_STATUSES = (
	"LOGISTICS_PENDING_ARRANGE",
	"LOGISTICS_REQUEST_CREATED",
	"LOGISTICS_PICKUP_DONE",
	"LOGISTICS_DELIVERY_DONE",
	"LOGISTICS_DELIVERY_FAILED",
	"LOGISTICS_LOST",
)
UNBOXING = "Photo(s) or Video of unboxing the returned parcel with the consignment note (Airway Bill)."
RETURNED_ITEMS = "Photo(s) or Video of all returned item(s)."
PACKING = "Photo(s) or Video while packing the parcel with the consignment note (Airway Bill)."
DISPUTE_REASONS = (
	(48, "Buyer returned the wrong or a used item", ((1, UNBOXING, True), (2, RETURNED_ITEMS, True))),
	(49, "The item was sent complete and as described", ((1, PACKING, True), (2, RETURNED_ITEMS, False))),
	(50, "No parcel or an empty parcel came back", ((1, UNBOXING, True),)),
)
ILLEGAL = "return.status.illegal"


def _return(sandbox, call: Call, params: dict):
	return_sn = params.get("return_sn") or _missing("return_sn is required.")
	entry = sandbox.dataset.find_return(str(return_sn), call.shop_id)
	if entry is None:
		raise ApiError("error_not_found", f"Return {return_sn} not found.", 404)
	return entry


def _negotiation(dataset, entry) -> dict:
	return dataset.return_view(entry, detail=True)["negotiation"]


def _state(dataset, return_sn: str) -> dict:
	return dataset.return_states.setdefault(return_sn, {})


def _accept(dataset, entry, refund: Decimal | None, solution: int | None) -> None:
	"""ACCEPTED with the agreed refund; a parcel that must come back is now on its way."""
	view = dataset.return_view(entry._replace(solution=solution) if solution is not None else entry)
	state = _state(dataset, entry.return_sn)
	state["negotiation"] = {"negotiation_status": "TERMINATED"}
	if view["needs_logistics"]:
		state["reverse_logistics_status"] = "LOGISTICS_REQUEST_CREATED"
	else:
		state.pop("reverse_logistics_status", None)
	changes = {"status": "ACCEPTED"}
	if refund is not None:
		changes["refund"] = refund
	if solution is not None:
		changes["solution"] = solution
	dataset.update_return(entry.return_sn, **changes)


def _check_open(entry) -> None:
	if entry.status not in NEGOTIABLE_STATES:
		raise ApiError(ILLEGAL, f"Return status {entry.status} does not allow this action.")


def confirm(sandbox, call: Call) -> Reply:
	"""returns/confirm: the seller agrees to the buyer's request as it stands."""
	dataset = sandbox.dataset
	with dataset.lock:
		entry = _return(sandbox, call, call.body)
		_check_open(entry)
		if _negotiation(dataset, entry)["latest_offer_creator"] == "seller":
			raise ApiError("err_data", "Cannot accept your own offer.")
		_accept(dataset, entry, None, None)
	return Reply(200, success_envelope({"return_sn": entry.return_sn}))


def available_solutions(dataset, entry) -> dict:
	"""get_available_solutions' answer: both solutions, any refund up to the full one."""
	view = dataset.return_view(entry._replace(refund=None))
	decimals = dataset.facts(entry.order_index)["decimals"]
	adjustable = {
		"refund_amount_adjustable": True,
		"max_refund_amount": view["refund_amount"],
		"min_refund_amount": Decimal(1).scaleb(-decimals),
	}
	return {
		"return_sn": entry.return_sn,
		"offer_return_refund": {"eligibility": bool(view["needs_logistics"]), **adjustable},
		"offer_refund": {"eligibility": True, **adjustable},
	}


def get_available_solutions(sandbox, call: Call) -> Reply:
	"""returns/get_available_solutions."""
	entry = _return(sandbox, call, call.query)
	return Reply(200, success_envelope(available_solutions(sandbox.dataset, entry)))


def _amount(body: dict, key: str) -> Decimal | None:
	value = body.get(key)
	if value in (None, ""):
		return None
	try:
		return Decimal(str(value))
	except InvalidOperation:
		raise ApiError("error_param", f"Invalid {key}.")


def offer(sandbox, call: Call) -> Reply:
	"""returns/offer: the seller proposes a solution and refund; the buyer answers (a control)."""
	dataset, body = sandbox.dataset, call.body
	with dataset.lock:
		entry = _return(sandbox, call, body)
		_check_open(entry)
		negotiation = _negotiation(dataset, entry)
		if negotiation["negotiation_status"] != "PENDING_RESPOND" or negotiation["counter_limit"] <= 0:
			raise ApiError(ILLEGAL, "The return cannot be negotiated now.")
		solution = body.get("proposed_solution")
		if solution not in SOLUTIONS:
			raise ApiError("error_param", "proposed_solution should be RETURN_REFUND or REFUND.")
		option = available_solutions(dataset, entry)[
			"offer_return_refund" if solution == "RETURN_REFUND" else "offer_refund"
		]
		if not option["eligibility"]:
			raise ApiError(ILLEGAL, f"{solution} is not available for this return.")
		amount = _amount(body, "proposed_adjusted_refund_amount") or option["max_refund_amount"]
		decimals = dataset.facts(entry.order_index)["decimals"]
		if (
			to_money(amount, decimals) != amount
			or not option["min_refund_amount"] <= amount <= option["max_refund_amount"]
		):
			raise ApiError("error_param", "proposed_adjusted_refund_amount is out of range.")
		_state(dataset, entry.return_sn)["negotiation"] = {
			"negotiation_status": "PENDING_BUYER_RESPOND",
			"latest_solution": solution,
			"latest_offer_amount": amount,
			"latest_offer_creator": "seller",
			"counter_limit": negotiation["counter_limit"] - 1,
		}
		dataset.update_return(entry.return_sn)
	return Reply(200, success_envelope({"return_sn": entry.return_sn}))


def accept_offer(sandbox, call: Call) -> Reply:
	"""returns/accept_offer: the seller takes the buyer's latest proposal (solution and amount)."""
	dataset = sandbox.dataset
	with dataset.lock:
		entry = _return(sandbox, call, call.body)
		_check_open(entry)
		negotiation = _negotiation(dataset, entry)
		if negotiation["latest_offer_creator"] == "seller":
			raise ApiError("err_data", "Cannot accept your own offer.")
		if negotiation["negotiation_status"] != "PENDING_RESPOND":
			raise ApiError(ILLEGAL, "There is no offer to accept.")
		solution = SOLUTIONS[negotiation["latest_solution"]]
		_accept(dataset, entry, negotiation["latest_offer_amount"], solution)
	return Reply(200, success_envelope({"return_sn": entry.return_sn}))


def dispute_reasons() -> list[dict]:
	"""get_return_dispute_reason's dispute_reason_list (the same for every return in the sandbox)."""
	return [
		{
			"dispute_reason": reason_id,
			"dispute_requirement": f"{text}. Regarding your refund request, Shopee needs the following:",
			"sample_evidence": [],
			"evidence_module_list": [
				{"module_index": index, "requirement": requirement, "is_required": required}
				for index, requirement, required in modules
			],
		}
		for reason_id, text, modules in DISPUTE_REASONS
	]


def get_return_dispute_reason(sandbox, call: Call) -> Reply:
	"""returns/get_return_dispute_reason."""
	_return(sandbox, call, call.query)
	return Reply(200, success_envelope({"dispute_reason_list": dispute_reasons()}))


def _check_evidence(reason: dict, image_list) -> list[dict]:
	if not isinstance(image_list, list):
		raise ApiError("dispute.request.param.error", "image_list should be a list.")
	modules = {module["module_index"]: module for module in reason["evidence_module_list"]}
	given = {}
	for entry in image_list:
		index = _int(entry, "module_index") if isinstance(entry, dict) else None
		module = modules.get(index)
		if module is None or entry.get("requirement") != module["requirement"]:
			raise ApiError(
				"dispute.request.param.error",
				"can't raise dispute because the requirement and dispute reason ID does not match",
			)
		urls = entry.get("image_url") or []
		if not isinstance(urls, list) or len(urls) > MAX_IMAGES_PER_MODULE:
			raise ApiError("dispute.request.param.error", "Invalid images, images max size is 3 per module")
		given[index] = urls
	if any(module["is_required"] and not given.get(index) for index, module in modules.items()):
		raise ApiError(
			"dispute.request.param.error", "can't raise dispute because mandatory evidence is missing"
		)
	return image_list


def dispute(sandbox, call: Call) -> Reply:
	"""returns/dispute: the seller disputes with a reason and evidence; the return goes to JUDGING."""
	dataset, body = sandbox.dataset, call.body
	with dataset.lock:
		entry = _return(sandbox, call, body)
		if entry.status not in NEGOTIABLE_STATES:
			raise ApiError("returnsn.illegal", "Return status does not allow initiating a dispute case")
		if "@" not in str(body.get("email") or ""):
			raise ApiError("dispute.request.param.error", f"Input invalid email=[{body.get('email') or ''}]")
		reason_id = _int(body, "dispute_reason_id")
		reason = next((r for r in dispute_reasons() if r["dispute_reason"] == reason_id), None)
		if reason is None:
			raise ApiError(
				"dispute.request.param.error",
				"Can't raise dispute because the return_sn and dispute_reason_id does not match.",
			)
		evidence = _check_evidence(reason, body.get("image_list") or [])
		_state(dataset, entry.return_sn).update(
			negotiation={"negotiation_status": "TERMINATED"},
			dispute_reason=[str(reason_id)],
			dispute_text_reason=[str(body.get("dispute_text_reason") or "")],
			seller_proof_status="UPLOADED",
			evidence=evidence,
		)
		dataset.update_return(entry.return_sn, status="JUDGING")
	return Reply(200, success_envelope({"return_sn": entry.return_sn, "msg": "success"}))


# -- controls: the buyer, Shopee's judges and the reverse parcel ----------------------------------


def _control_return(sandbox, body: dict):
	return_sn = body.get("return_sn") or _missing("return_sn is required.")
	entry = sandbox.dataset.find_return(str(return_sn))
	if entry is None:
		raise KeyError(return_sn)
	return entry


def control_open(sandbox, query: dict, body: dict) -> dict:
	"""The buyer opens a return on an order (REQUESTED): a unit or all (full), with goods back or not.

	partial_ask: the buyer asks for half the refund only, keeping the goods (accept_offer takes it).
	"""
	dataset = sandbox.dataset
	solution = body.get("solution")
	with dataset.lock:
		entry = dataset.open_return(
			str(body.get("order_sn") or _missing("order_sn is required.")),
			full=bool(body.get("full")),
			solution=None if solution is None else int(solution),
		)
		view = dataset.return_view(entry)
		if body.get("partial_ask"):
			decimals = dataset.facts(entry.order_index)["decimals"]
			_state(dataset, entry.return_sn)["negotiation"] = {
				"latest_solution": "REFUND",
				"latest_offer_amount": to_money(view["refund_amount"] / 2, decimals),
			}
	return {"return_sn": entry.return_sn, "refund_amount": str(view["refund_amount"])}


def control_buyer_respond(sandbox, query: dict, body: dict) -> dict:
	"""The buyer accepts the seller's offer (ACCEPTED at that amount) or rejects it (back to theirs)."""
	dataset = sandbox.dataset
	with dataset.lock:
		entry = _control_return(sandbox, body)
		negotiation = _negotiation(dataset, entry)
		if negotiation["negotiation_status"] != "PENDING_BUYER_RESPOND":
			raise ValueError(f"return {entry.return_sn} has no seller offer to answer")
		if body.get("accept"):
			solution = SOLUTIONS[negotiation["latest_solution"]]
			_accept(dataset, entry, negotiation["latest_offer_amount"], solution)
		else:
			_state(dataset, entry.return_sn).pop("negotiation", None)
			dataset.update_return(entry.return_sn)
		return {"status": dataset.find_return(entry.return_sn).status}


def control_judge(sandbox, query: dict, body: dict) -> dict:
	"""Shopee decides a dispute: for the buyer (ACCEPTED, full or given refund) or the seller (CLOSED)."""
	dataset = sandbox.dataset
	with dataset.lock:
		entry = _control_return(sandbox, body)
		if entry.status != "JUDGING":
			raise ValueError(f"return {entry.return_sn} is {entry.status}, not JUDGING")
		if body.get("winner") == "buyer":
			_accept(dataset, entry, _amount(body, "refund_amount"), None)
		elif body.get("winner") == "seller":
			_state(dataset, entry.return_sn).pop("reverse_logistics_status", None)
			dataset.update_return(entry.return_sn, status="CLOSED")
		else:
			raise ValueError("winner should be buyer or seller")
		return {"status": dataset.find_return(entry.return_sn).status}


def control_reverse_logistics(sandbox, query: dict, body: dict) -> dict:
	"""The parcel coming back moves on (e.g. LOGISTICS_DELIVERY_DONE: the seller has the goods)."""
	status = body.get("status")
	if status not in REVERSE_STATUSES:
		raise ValueError(f"status should be one of {', '.join(REVERSE_STATUSES)}")
	dataset = sandbox.dataset
	with dataset.lock:
		entry = _control_return(sandbox, body)
		_state(dataset, entry.return_sn)["reverse_logistics_status"] = status
		dataset.update_return(entry.return_sn)
	return {"ok": True}


ROUTES = {
	"/api/v2/returns/confirm": ("POST", confirm),
	"/api/v2/returns/offer": ("POST", offer),
	"/api/v2/returns/accept_offer": ("POST", accept_offer),
	"/api/v2/returns/dispute": ("POST", dispute),
	"/api/v2/returns/get_available_solutions": ("GET", get_available_solutions),
	"/api/v2/returns/get_return_dispute_reason": ("GET", get_return_dispute_reason),
}

CONTROL_ROUTES = {
	("POST", "returns/open"): control_open,
	("POST", "returns/buyer_respond"): control_buyer_respond,
	("POST", "returns/judge"): control_judge,
	("POST", "returns/reverse_logistics"): control_reverse_logistics,
}
