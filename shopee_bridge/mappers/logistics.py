"""Shipping choices, ship_order requests, package states and label keys (no frappe).

get_shipping_parameter says which modes an order's channel offers (`info_needed`: pickup, dropoff,
non_integrated, each naming the fields ship_order then requires; Shopee writes "tracking_no" there
and "tracking_number" in ship_order). ship_order is sent with exactly one mode.
"""

import hashlib
from datetime import datetime, timedelta, timezone

MODES = ("pickup", "dropoff", "non_integrated")
READY_STATUSES = frozenset({"LOGISTICS_READY", "LOGISTICS_PICKUP_RETRY"})
# a shipment was arranged for the package (ship_order applied, or done in Seller Center)
ARRANGED_STATUSES = frozenset(
	{
		"LOGISTICS_REQUEST_CREATED",
		"LOGISTICS_PICKUP_DONE",
		"LOGISTICS_DELIVERY_DONE",
		"LOGISTICS_DELIVERY_FAILED",
		"LOGISTICS_LOST",
		"LOGISTICS_COD_REJECTED",
	}
)
PDF_MAGIC = b"%PDF-"
SHOPEE_TIME = timezone(timedelta(hours=8))  # pickup slot dates are shown in Shopee's time
OPTIONAL_FIELDS = {
	"pickup": ("tracking_number",),
	"dropoff": ("branch_id", "sender_real_name", "tracking_number"),
	"non_integrated": ("tracking_number",),
}


class ShipChoiceError(ValueError):
	"""The choice made for ship_order is not one the order's channel accepts."""


def label_key(content: bytes) -> str:
	"""The idempotency key of a shipping label: the SHA-1 of its bytes (the same label is attached once)."""
	if not content.startswith(PDF_MAGIC):
		raise ValueError("a shipping label must be a PDF document")
	return hashlib.sha1(content).hexdigest()


def label_file_name(order_sn: str, version: int) -> str:
	"""File name of a label attached to a Delivery Note: one name per version."""
	return f"shopee-label-{order_sn}-v{int(version)}.pdf"


def shipping_options(parameter: dict) -> dict:
	"""get_shipping_parameter as the Ship dialog's options: modes, addresses with slots, branches."""
	needed = {
		mode: list(fields or [])
		for mode, fields in (parameter.get("info_needed") or {}).items()
		if mode in MODES
	}
	options = {"modes": [mode for mode in MODES if mode in needed], "needs": needed}
	if "pickup" in needed:
		addresses = (parameter.get("pickup") or {}).get("address_list") or []
		options["addresses"] = [_address_option(address) for address in addresses]
	if "dropoff" in needed:
		branches = (parameter.get("dropoff") or {}).get("branch_list") or []
		options["branches"] = [
			{"branch_id": str(b["branch_id"]), "label": _place(b)} for b in branches if b.get("branch_id")
		]
	return options


def _address_option(address: dict) -> dict:
	flags = address.get("address_flag") or []
	return {
		"address_id": str(address["address_id"]),
		"label": _place(address),
		"pickup_address": "pickup_address" in flags,
		"default_address": "default_address" in flags,
		"slots": [
			{
				"pickup_time_id": str(slot["pickup_time_id"]),
				"label": slot_label(slot),
				"recommended": "recommended" in (slot.get("flags") or []),
			}
			for slot in address.get("time_slot_list") or []
			if slot.get("pickup_time_id")
		],
	}


def _place(place: dict) -> str:
	parts = [place.get("address"), place.get("district"), place.get("city"), place.get("zipcode")]
	return ", ".join(str(part) for part in parts if part)


def slot_label(slot: dict) -> str:
	"""A pickup slot as the seller reads it: its date (Shopee's time, UTC+8) and time text."""
	date = datetime.fromtimestamp(int(slot.get("date") or 0), tz=SHOPEE_TIME).strftime("%a %d %b")
	return f"{date} {slot.get('time_text') or ''}".strip()


def ship_request(mode: str, choice: dict, needs: dict) -> dict:
	"""ship_order's keyword arguments for the chosen mode, with the fields info_needed requires."""
	if mode not in needs:
		raise ShipChoiceError(
			f"this order cannot be shipped by {mode}; it offers {', '.join(needs) or 'nothing'}"
		)
	fields = {}
	for name in needs[mode]:
		key = "tracking_number" if name == "tracking_no" else name
		value = str(choice.get(key) or "").strip()
		if not value:
			raise ShipChoiceError(f"{mode} needs {key.replace('_', ' ')}")
		fields[key] = int(value) if key in ("address_id", "branch_id") else value
	for key in OPTIONAL_FIELDS[mode]:
		value = str(choice.get(key) or "").strip()
		if value and key not in fields:
			fields[key] = int(value) if key == "branch_id" else value
	return {mode: fields}


def default_choice(options: dict, mode: str, sender_name: str = "") -> dict:
	"""What a bulk shipment picks: the pickup address and the recommended (else first) slot, or a branch."""
	if mode not in options.get("needs", {}):
		offered = ", ".join(options.get("needs", {})) or "nothing"
		raise ShipChoiceError(f"this order cannot be shipped by {mode}; it offers {offered}")
	if mode == "pickup":
		addresses = options.get("addresses") or []
		address = next((a for a in addresses if a["pickup_address"]), None) or next(
			(a for a in addresses if a["default_address"]), addresses[0] if addresses else None
		)
		if not address or not address["slots"]:
			raise ShipChoiceError("Shopee offers no pickup address with a time slot for this order")
		slot = next((s for s in address["slots"] if s["recommended"]), address["slots"][0])
		return {"address_id": address["address_id"], "pickup_time_id": slot["pickup_time_id"]}
	if mode == "dropoff":
		branches = options.get("branches") or []
		choice = {"sender_real_name": sender_name} if sender_name else {}
		if "branch_id" in (options.get("needs") or {}).get("dropoff", []):
			if not branches:
				raise ShipChoiceError("Shopee offers no drop-off branch for this order")
			choice["branch_id"] = branches[0]["branch_id"]
		return choice
	raise ShipChoiceError("a non-integrated shipment needs its own tracking number: ship it on its own")


def package_of(order: dict, package_number: str | None = None) -> dict:
	"""The order's package (the given one of a split order, else the first), or {}."""
	packages = order.get("package_list") or []
	if package_number:
		return next((p for p in packages if p.get("package_number") == package_number), {})
	return packages[0] if packages else {}


def shipment_state(package: dict) -> str | None:
	""" "arranged", "ready" (still to ship) or None (neither, e.g. cancelled) from a package's status."""
	status = package.get("logistics_status") or ""
	if status in ARRANGED_STATUSES:
		return "arranged"
	if status in READY_STATUSES:
		return "ready"
	return None
