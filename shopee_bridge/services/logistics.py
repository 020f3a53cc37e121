"""Shipping Shopee orders from Desk, their tracking numbers, and moving shipped orders on.

Where a shipment lives: Shopee ships at READY_TO_SHIP, while the order sync submits the Delivery Note
only when Shopee reports the pickup (SHIPPED). So arranging the shipment records it on the Sales Order
(package, carrier, mode, tracking number: custom fields) and prepares the order's Delivery Note as a
draft that carries the same fields and the label; the order sync submits that very draft at pickup.
A Delivery Note made by hand from the Sales Order before shipping is used the same way.

ship_order is a write that is never resent when it may have been applied (a lost answer): the order
is re-read instead, and until that re-read succeeds the shipment stays "Unconfirmed" (the tracking
poll re-reads it).
"""

from dataclasses import dataclass

import frappe
from frappe import _
from frappe.utils import now_datetime

from shopee_bridge.clients import ShopeeError, ShopeeServerError
from shopee_bridge.constants import (
	CARRIER_FIELD,
	LOGISTICS_STATUS_FIELD,
	ORDER_SN_FIELD,
	ORDER_STATUS_FIELD,
	PACKAGE_FIELD,
	SHIPMENT_STATE_FIELD,
	SHIPPED_AT_FIELD,
	SHIPPING_MODE_FIELD,
	SHOP_FIELD,
	TRACKING_FIELD,
)
from shopee_bridge.mappers import logistics as mapper
from shopee_bridge.services import order_documents as docs
from shopee_bridge.shop_client import make_client

MODE_LABELS = {"pickup": "Pickup", "dropoff": "Drop-off", "non_integrated": "Non-integrated"}
ARRANGED, UNCONFIRMED = "Arranged", "Unconfirmed"
# after a successful ship_order (Shopee's package status; a non-integrated parcel is with the carrier)
STATUS_AFTER_SHIPPING = {"non_integrated": "LOGISTICS_PICKUP_DONE"}
ORDER_FIELDS = ("package_list", "shipping_carrier", "split_up")
SHIPMENT_FIELDS = (
	PACKAGE_FIELD,
	TRACKING_FIELD,
	CARRIER_FIELD,
	SHIPPING_MODE_FIELD,
	LOGISTICS_STATUS_FIELD,
	SHIPMENT_STATE_FIELD,
	SHIPPED_AT_FIELD,
)


class ShipmentError(frappe.ValidationError):
	"""The shipment cannot be arranged as asked; the message says why."""


@dataclass
class Shipment:
	"""The Shopee order behind a Sales Order or Delivery Note."""

	shop: str
	order_sn: str
	sales_order: str


def shipment_for(doctype: str, name: str) -> Shipment:
	"""The Shopee order of a Sales Order, or of a Delivery Note (also one made by hand from the order)."""
	if doctype not in ("Sales Order", "Delivery Note"):
		frappe.throw(_("Only Sales Orders and Delivery Notes ship on Shopee"))
	doc = frappe.get_doc(doctype, name)
	so_name = name if doctype == "Sales Order" else _order_of_note(doc)
	order_sn, shop, docstatus = frappe.db.get_value(
		"Sales Order", so_name, [ORDER_SN_FIELD, SHOP_FIELD, "docstatus"]
	) or (None, None, None)
	if not (order_sn and shop):
		frappe.throw(_("{0} {1} did not come from Shopee").format(_(doctype), name), ShipmentError)
	if docstatus != 1:
		frappe.throw(_("Sales Order {0} is not submitted").format(so_name), ShipmentError)
	return Shipment(shop, order_sn, so_name)


def _order_of_note(dn) -> str | None:
	if dn.get(ORDER_SN_FIELD):
		return docs.find_sales_order(dn.get(ORDER_SN_FIELD))
	return next((row.against_sales_order for row in dn.items if row.against_sales_order), None)


def shipping_options(doctype: str, name: str) -> dict:
	"""What the Ship dialog offers: the modes Shopee accepts for the order, its addresses, slots, branches."""
	target = shipment_for(doctype, name)
	try:
		parameter = make_client(target.shop).get_shipping_parameter(target.order_sn)
	except ShopeeError as e:
		_explain_refusal(target, e)
		raise
	options = mapper.shipping_options(parameter)
	company = frappe.db.get_value("Sales Order", target.sales_order, "company")
	return {**options, "order_sn": target.order_sn, "sales_order": target.sales_order, "sender_name": company}


def error_code(error: ShopeeError) -> str:
	"""Shopee's error code without its module prefix."""
	return (error.code or "").rsplit(".", 1)[-1]


def _explain_refusal(target: Shipment, error: ShopeeError) -> None:
	if error_code(error) == "package_already_shipped":
		frappe.throw(_("Order {0} is already shipped on Shopee").format(target.order_sn), ShipmentError)
	if error_code(error) == "package_number_not_exist":
		frappe.throw(
			_("Order {0} is split into several packages on Shopee: ship them in Seller Center").format(
				target.order_sn
			),
			ShipmentError,
		)


def ship(doctype: str, name: str, mode: str, choice: dict) -> dict:
	"""Arrange the shipment on Shopee (once) and record it; returns {state, message, delivery_note}."""
	target = shipment_for(doctype, name)
	_lock_order(target.sales_order)
	client = make_client(target.shop)
	if frappe.db.get_value("Sales Order", target.sales_order, SHIPMENT_STATE_FIELD) in (
		ARRANGED,
		UNCONFIRMED,
	):
		return confirm_shipment(target, client, mode)  # never send it again: ask Shopee what happened
	try:
		parameter = client.get_shipping_parameter(target.order_sn)
	except ShopeeError as e:
		return _refused(target, client, mode, e)
	try:
		request = mapper.ship_request(mode, choice, mapper.shipping_options(parameter)["needs"])
	except mapper.ShipChoiceError as e:
		frappe.throw(str(e), ShipmentError)
	return _send_ship_order(target, client, mode, request)


def _refused(target: Shipment, client, mode: str, error: ShopeeError) -> dict:
	"""Shopee said no: an already shipped package is recorded; anything else is reported and raised."""
	if error_code(error) == "package_already_shipped":
		return confirm_shipment(target, client, mode)
	_explain_refusal(target, error)
	_comment(target, _("Shipment on Shopee failed: {0}").format(error))
	frappe.db.commit()  # nosemgrep: the failed attempt stays in the timeline; the error goes to the user
	raise error


def _send_ship_order(target: Shipment, client, mode: str, request: dict) -> dict:
	try:
		client.ship_order(target.order_sn, **request)
	except ShopeeServerError as e:
		if e.may_repeat(False):  # Shopee answered, or the request never left: not applied
			return _refused(target, client, mode, e)
		_set_shipment(target, {SHIPMENT_STATE_FIELD: UNCONFIRMED, SHIPPING_MODE_FIELD: MODE_LABELS[mode]})
		_comment(
			target,
			_("Shopee's answer to the shipment request was lost ({0}); re-reading the order.").format(e),
		)
		frappe.db.commit()  # nosemgrep: the shipment may exist at Shopee: keep that on record whatever follows
		return confirm_shipment(target, client, mode)
	except ShopeeError as e:
		return _refused(target, client, mode, e)
	dn = _record_after_shipping(target, client, mode, request[mode].get("tracking_number"))
	_comment(
		target,
		_("Shipment arranged on Shopee: {0} ({1})").format(MODE_LABELS[mode], _describe(request[mode])),
	)
	return {
		"state": ARRANGED,
		"message": _("Shipment arranged ({0})").format(MODE_LABELS[mode]),
		"delivery_note": dn,
	}


def _record_after_shipping(target: Shipment, client, mode: str, tracking_number: str | None) -> str:
	"""Record the shipment with the package, carrier and status Shopee now shows (assumed if unreadable)."""
	try:
		order = (client.get_order_detail([target.order_sn], ORDER_FIELDS).get("order_list") or [{}])[0]
	except ShopeeError:
		order = {}
	package = mapper.package_of(order)
	status = package.get("logistics_status") or STATUS_AFTER_SHIPPING.get(mode, "LOGISTICS_REQUEST_CREATED")
	return record_shipment(
		target,
		mode,
		status,
		carrier=_carrier(order, package),
		package_number=package.get("package_number"),
		tracking_number=tracking_number,
	)


def _describe(fields: dict) -> str:
	return ", ".join(f"{key.replace('_', ' ')} {value}" for key, value in fields.items())


def confirm_shipment(target: Shipment, client=None, mode: str | None = None) -> dict:
	"""Re-read the order to learn whether its shipment exists at Shopee, and record what it says."""
	client = client or make_client(target.shop)
	try:
		detail = client.get_order_detail([target.order_sn], ORDER_FIELDS).get("order_list") or []
	except ShopeeError as e:
		message = _("Shopee could not be asked whether the shipment exists ({0}); it is checked again later.")
		return {"state": UNCONFIRMED, "message": message.format(e), "delivery_note": None}
	package = mapper.package_of(detail[0] if detail else {})
	state = mapper.shipment_state(package)
	if state == "arranged":
		dn = record_shipment(
			target,
			mode or _recorded_mode(target),
			package["logistics_status"],
			carrier=_carrier(detail[0], package),
			package_number=package.get("package_number"),
		)
		_comment(target, _("Shopee shows the shipment arranged ({0}).").format(package["logistics_status"]))
		return {"state": ARRANGED, "message": _("The shipment exists on Shopee"), "delivery_note": dn}
	_set_shipment(target, {SHIPMENT_STATE_FIELD: "", SHIPPING_MODE_FIELD: ""})
	_comment(
		target,
		_("Shopee shows no shipment for the order ({0}).").format(package.get("logistics_status") or "?"),
	)
	frappe.db.commit()  # nosemgrep: the order is known not to be shipped; the user may try again
	frappe.throw(_("Shopee did not arrange the shipment: try again."), ShipmentError)


def _recorded_mode(target: Shipment) -> str | None:
	label = frappe.db.get_value("Sales Order", target.sales_order, SHIPPING_MODE_FIELD)
	return next((mode for mode, text in MODE_LABELS.items() if text == label), None)


def _carrier(order: dict, package: dict) -> str:
	return package.get("shipping_carrier") or order.get("shipping_carrier") or ""


def record_shipment(target: Shipment, mode: str | None, logistics_status: str, **extra) -> str:
	"""The arranged shipment on the Sales Order and its (draft) Delivery Note; returns the note."""
	values = {
		SHIPMENT_STATE_FIELD: ARRANGED,
		LOGISTICS_STATUS_FIELD: logistics_status,
		SHIPPED_AT_FIELD: frappe.db.get_value("Sales Order", target.sales_order, SHIPPED_AT_FIELD)
		or now_datetime(),
	}
	if mode:
		values[SHIPPING_MODE_FIELD] = MODE_LABELS.get(mode, mode)
	for field, key in (
		(CARRIER_FIELD, "carrier"),
		(PACKAGE_FIELD, "package_number"),
		(TRACKING_FIELD, "tracking_number"),
	):
		if extra.get(key):
			values[field] = extra[key]
	_set_shipment(target, values)
	dn = ensure_shipment_note(target.sales_order)
	frappe.db.commit()  # nosemgrep: the shipment exists at Shopee; its record is one unit of work
	return dn


def _set_shipment(target: Shipment, values: dict) -> None:
	frappe.db.set_value("Sales Order", target.sales_order, values, update_modified=False)
	for dn in shipment_notes(target.order_sn):
		frappe.db.set_value("Delivery Note", dn, values, update_modified=False)


def _lock_order(so_name: str) -> None:
	"""Serialise shipments of one order (a double click, a bulk run): a row lock until the commit."""
	frappe.db.sql("select name from `tabSales Order` where name=%s for update", so_name)


def shipment_notes(order_sn: str) -> list[str]:
	"""The order's Delivery Notes that carry its shipment (not cancelled, not returns), newest read."""
	return [
		row[0]
		for row in frappe.db.sql(
			"""select name from `tabDelivery Note` where shopee_order_sn=%s and docstatus<2 and is_return=0
			order by docstatus desc, creation asc for update""",
			order_sn,
		)
	]


def ensure_shipment_note(so_name: str) -> str:
	"""The order's Delivery Note for its shipment: the existing one, or a new draft mapped from the order."""
	_lock_order(so_name)
	order_sn, shop = frappe.db.get_value("Sales Order", so_name, [ORDER_SN_FIELD, SHOP_FIELD])
	existing = shipment_notes(order_sn) or _hand_made_notes(so_name)
	if existing:
		values = {ORDER_SN_FIELD: order_sn, SHOP_FIELD: shop, **_shipment_values(so_name)}
		frappe.db.set_value("Delivery Note", existing[0], values, update_modified=False)
		return existing[0]
	from erpnext.selling.doctype.sales_order.sales_order import make_delivery_note

	dn = make_delivery_note(so_name)
	dn.set(ORDER_SN_FIELD, order_sn)
	dn.set(SHOP_FIELD, shop)
	dn.update(_shipment_values(so_name))
	dn.insert(ignore_permissions=True)
	dn.add_comment(
		"Info",
		_("Draft made when the Shopee shipment was arranged; submitted when Shopee reports the pickup."),
	)
	return dn.name


def _hand_made_notes(so_name: str) -> list[str]:
	"""Draft Delivery Notes made by hand from the order (before it shipped), oldest first."""
	return [
		row[0]
		for row in frappe.db.sql(
			"""select distinct dn.name from `tabDelivery Note` dn join `tabDelivery Note Item` item
			on item.parent=dn.name where item.against_sales_order=%s and dn.docstatus=0 and dn.is_return=0
			order by dn.creation for update""",
			so_name,
		)
	]


def _shipment_values(so_name: str) -> dict:
	values = frappe.db.get_value("Sales Order", so_name, list(SHIPMENT_FIELDS), as_dict=True) or {}
	return {key: value for key, value in values.items() if value}


def _comment(target: Shipment, text: str) -> None:
	frappe.get_doc("Sales Order", target.sales_order).add_comment("Info", text)


# -- tracking numbers ------------------------------------------------------------------------------


def record_tracking(shop: str, order_sn: str, tracking_number: str, source: str) -> str | None:
	"""Put a tracking number on the order and its Delivery Notes; returns the Sales Order (None if not booked)."""
	so_name = docs.find_sales_order(order_sn)
	if not so_name or not tracking_number:
		return so_name
	current = frappe.db.get_value("Sales Order", so_name, TRACKING_FIELD)
	if current == tracking_number and _notes_have(order_sn, tracking_number):
		return so_name
	target = Shipment(shop, order_sn, so_name)
	values = {TRACKING_FIELD: tracking_number}
	if not frappe.db.get_value("Sales Order", so_name, SHIPMENT_STATE_FIELD):
		values[SHIPMENT_STATE_FIELD] = ARRANGED  # shipped outside this app (Seller Center)
	_set_shipment(target, values)
	for dn in shipment_notes(order_sn):
		frappe.db.set_value("Delivery Note", dn, "lr_no", tracking_number, update_modified=False)
	text = _("Tracking number {0} (from {1})").format(tracking_number, source)
	if current and current != tracking_number:
		text += " " + _("replaces {0}").format(current)
	_comment(target, text)
	return so_name


def _notes_have(order_sn: str, tracking_number: str) -> bool:
	return all(
		frappe.db.get_value("Delivery Note", dn, TRACKING_FIELD) == tracking_number
		for dn in shipment_notes(order_sn)
	)


def poll_candidates(shop: str, limit: int = 200) -> list[dict]:
	"""Booked orders shipped (by this app or on Shopee) whose tracking number is not known yet."""
	return frappe.db.sql(
		f"""select name, {ORDER_SN_FIELD} as order_sn, {SHIPMENT_STATE_FIELD} as state from `tabSales Order`
		where {SHOP_FIELD}=%(shop)s and docstatus=1 and status not in ('Closed', 'Completed')
		and ifnull({TRACKING_FIELD}, '')=''
		and ({SHIPMENT_STATE_FIELD} in (%(arranged)s, %(unconfirmed)s)
			or {ORDER_STATUS_FIELD} in ('PROCESSED', 'SHIPPED', 'TO_CONFIRM_RECEIVE'))
		order by modified asc limit %(limit)s""",
		{"shop": shop, "arranged": ARRANGED, "unconfirmed": UNCONFIRMED, "limit": limit},
		as_dict=True,
	)


def poll_tracking_numbers(shop: str, run=None) -> dict:
	"""Ask Shopee for the tracking number of every shipped, untracked order; counts what it found."""
	client = make_client(shop, on_call=run.count_call if run else None)
	counts = {"checked": 0, "filled": 0, "failed": 0}
	for row in poll_candidates(shop):
		counts["checked"] += 1
		try:
			target = Shipment(shop, row.order_sn, row.name)
			if row.state == UNCONFIRMED:
				confirm_shipment(target, client)
			tracking = client.get_tracking_number(row.order_sn).get("tracking_number") or ""
			if tracking:
				record_tracking(shop, row.order_sn, tracking, _("polling Shopee"))
				counts["filled"] += 1
			frappe.db.commit()  # nosemgrep: one order per unit of work
		except Exception as e:
			frappe.db.rollback()
			frappe.clear_messages()
			counts["failed"] += 1
			if run:
				run.add_error(row.order_sn, e)
	return counts


def shipped_order_sns(shop: str) -> list[str]:
	"""Booked orders in transit (Shopee said so, or their shipment was arranged here): to move on."""
	return frappe.get_all(
		"Sales Order",
		filters={SHOP_FIELD: shop, "docstatus": 1, "status": ["not in", ("Closed", "Completed")]},
		or_filters={
			ORDER_STATUS_FIELD: ["in", ("PROCESSED", "SHIPPED", "TO_CONFIRM_RECEIVE", "RETRY_SHIP")],
			SHIPMENT_STATE_FIELD: ["in", (ARRANGED, UNCONFIRMED)],
		},
		pluck=ORDER_SN_FIELD,
		order_by="modified asc",
	)
