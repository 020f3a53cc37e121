"""Shipping labels: Shopee's air waybill PDF, attached to the order's Delivery Note once per distinct label.

create_shipping_document -> get_shipping_document_result (until READY) -> download_shipping_document.
A label is keyed by the SHA-1 of its bytes: Shopee Shipping Label is named by that key, so two jobs
downloading the same label make one row and one File (the database refuses the second name), and a
label whose bytes changed (re-issued by the carrier) is a new row with the next version number.
"""

import time
from io import BytesIO

import frappe
from frappe import _

from shopee_bridge.clients import ShopeeError, ShopeeServerError
from shopee_bridge.constants import ORDER_SN_FIELD, SHIPPING_LABEL, TRACKING_FIELD
from shopee_bridge.mappers.logistics import label_file_name, label_key
from shopee_bridge.services import logistics
from shopee_bridge.shop_client import make_client
from shopee_bridge.utils import savepoint

POLL_DELAYS = (0.5, 1, 2, 4, 8)  # seconds between get_shipping_document_result polls (~15 s in all)
MAX_PRINT = 100


class LabelError(frappe.ValidationError):
	"""Shopee cannot give the order's label now; the message says why."""


def fetch_label(doctype: str, name: str, create: bool = True, sleep=time.sleep) -> dict:
	"""Download the order's current label from Shopee and attach it; returns {label, version, created}.

	create=False downloads a label Shopee already reported READY (push 15) without a new print task.
	"""
	target = logistics.shipment_for(doctype, name)
	tracking = _tracking_number(target)
	client = make_client(target.shop)
	if create:
		content, document_type = download_label(client, target.order_sn, tracking, sleep)
	else:
		content, document_type = (
			client.download_shipping_document([{"order_sn": target.order_sn}]).content,
			"",
		)
	dn = logistics.ensure_shipment_note(target.sales_order)
	frappe.db.commit()  # nosemgrep: the note exists before a concurrent job looks for it
	return attach_label(dn, content, target.order_sn, target.shop, tracking, document_type)


def _tracking_number(target) -> str:
	"""Shopee prints a label only once the tracking number exists: take it as known, or ask for it now."""
	tracking = frappe.db.get_value("Sales Order", target.sales_order, TRACKING_FIELD)
	if tracking:
		return tracking
	tracking = make_client(target.shop).get_tracking_number(target.order_sn).get("tracking_number") or ""
	if not tracking:
		frappe.throw(
			_("Shopee has no tracking number for order {0} yet: print its label later").format(
				target.order_sn
			),
			LabelError,
		)
	logistics.record_tracking(target.shop, target.order_sn, tracking, _("printing the label"))
	return tracking


def download_label(client, order_sn: str, tracking: str, sleep=time.sleep) -> tuple[bytes, str]:
	"""(PDF bytes, document type) of the order's label: created, waited for, downloaded."""
	entry = {"order_sn": order_sn}
	parameter = _first(client.get_shipping_document_parameter([entry]), order_sn)
	document_type = parameter.get("suggest_shipping_document_type") or "THERMAL_AIR_WAYBILL"
	request = {**entry, "tracking_number": tracking, "shipping_document_type": document_type}
	try:
		_first(client.create_shipping_document([request]), order_sn)
	except ShopeeServerError as e:
		if e.may_repeat(False):
			raise
		# the answer was lost: the result poll below tells whether the task exists (never create twice)
	_wait_until_ready(client, {**entry, "shipping_document_type": document_type}, sleep)
	document = client.download_shipping_document([entry], document_type)
	return document.content, document_type


def _first(rows: list[dict], order_sn: str) -> dict:
	row = next((row for row in rows if row.get("order_sn") == order_sn), None) or {}
	if not row or row.get("fail_error"):
		reason = row.get("fail_message") or row.get("fail_error") or _("no answer for the order")
		frappe.throw(
			_("Shopee cannot print the label of order {0}: {1}").format(order_sn, reason), LabelError
		)
	return row


def _wait_until_ready(client, entry: dict, sleep) -> None:
	for delay in (0, *POLL_DELAYS):
		sleep(delay)
		row = (client.get_shipping_document_result([entry]) or [{}])[0]
		status = row.get("status")
		if status == "READY":
			return
		if status == "FAILED" or row.get("fail_error"):
			reason = row.get("fail_message") or row.get("fail_error") or status
			frappe.throw(
				_("Shopee failed to make the label of order {0}: {1}").format(entry["order_sn"], reason),
				LabelError,
			)
	frappe.throw(
		_("Shopee is still making the label of order {0}: try again in a minute").format(entry["order_sn"]),
		LabelError,
	)


def attach_label(
	dn: str, content: bytes, order_sn: str, shop: str, tracking: str, document_type: str
) -> dict:
	"""Attach a label to the Delivery Note unless these bytes are attached already (race-safe).

	The label row is inserted before its File: a job that loses the race on the key (the primary key)
	never writes a File. Reads before the insert take no locks, so racing jobs cannot deadlock.
	"""
	key = label_key(content)
	existing = _label(key)
	if existing:
		return {**existing, "created": False}
	for attempt in range(3):
		version = _next_version(dn, locking=attempt > 0)
		try:
			with savepoint("shopee_label"):
				label = frappe.get_doc(
					{
						"doctype": SHIPPING_LABEL,
						"label_key": key,
						"delivery_note": dn,
						"version": version,
						"order_sn": order_sn,
						"shop": shop,
						"tracking_number": tracking,
						"document_type": document_type,
					}
				).insert(ignore_permissions=True)
				label.db_set("file", _save_file(dn, order_sn, version, content), update_modified=False)
		except frappe.DuplicateEntryError:  # another job attached these very bytes first: use its File
			frappe.clear_messages()
			return {**_label(key, locking=True), "created": False}
		except frappe.UniqueValidationError:  # another label took this version number: number it again
			frappe.clear_messages()
			continue
		frappe.get_doc("Delivery Note", dn).add_comment(
			"Info",
			_("Shopee shipping label version {0} attached (tracking number {1})").format(version, tracking),
		)
		frappe.db.commit()  # nosemgrep: the label and its File are one unit of work
		return {"label": label.name, "version": version, "file": label.file, "created": True}
	frappe.throw(_("Could not number the new label of Delivery Note {0}").format(dn))


def _label(key: str, locking: bool = False) -> dict | None:
	"""The label row with this key; a locking read sees a row another job has just committed."""
	rows = frappe.db.sql(
		f"select name as label, version, file from `tab{SHIPPING_LABEL}` where name=%s"
		+ (" for update" if locking else ""),
		key,
		as_dict=True,
	)
	return dict(rows[0]) if rows else None


def _next_version(dn: str, locking: bool = False) -> int:
	rows = frappe.db.sql(
		f"select max(version) from `tab{SHIPPING_LABEL}` where delivery_note=%s"
		+ (" for update" if locking else ""),
		dn,
	)
	return int(rows[0][0] or 0) + 1


def _save_file(dn: str, order_sn: str, version: int, content: bytes) -> str:
	file = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": label_file_name(order_sn, version),
			"attached_to_doctype": "Delivery Note",
			"attached_to_name": dn,
			"is_private": 1,
			"content": content,
		}
	)
	file.insert(ignore_permissions=True)
	return file.name


def latest_label(dn: str) -> dict | None:
	"""The newest label attached to a Delivery Note."""
	rows = frappe.get_all(
		SHIPPING_LABEL,
		filters={"delivery_note": dn},
		fields=["name", "version", "file"],
		order_by="version desc",
		limit=1,
	)
	return rows[0] if rows else None


def notes_for(doctype: str, names: list[str]) -> dict[str, str | None]:
	"""Each selected Sales Order or Delivery Note with its shipment's Delivery Note (None if it has none)."""
	result = {}
	for name in names:
		if doctype == "Delivery Note":
			result[name] = name
		else:
			order_sn = frappe.db.get_value("Sales Order", name, ORDER_SN_FIELD)
			notes = logistics.shipment_notes(order_sn) if order_sn else []
			result[name] = notes[0] if notes else None
	return result


def prepare_labels(doctype: str, names: list[str]) -> dict:
	"""Fetch the labels the selection lacks; returns {ready: [Delivery Notes], failed: {name: reason}}."""
	if len(names) > MAX_PRINT:
		frappe.throw(_("Print at most {0} labels at a time").format(MAX_PRINT))
	ready, failed = [], {}
	for name, dn in notes_for(doctype, names).items():
		if dn and latest_label(dn):
			ready.append(dn)
			continue
		try:
			fetch_label(doctype, name)
			ready.append(notes_for(doctype, [name])[name])
		except (frappe.ValidationError, ShopeeError) as e:
			frappe.db.rollback()
			frappe.clear_messages()
			failed[name] = str(e)
	return {"ready": list(dict.fromkeys(ready)), "failed": failed}


def merged_labels(delivery_notes: list[str]) -> bytes:
	"""One PDF with the newest label of each Delivery Note, in the order given."""
	from pypdf import PdfReader, PdfWriter

	writer = PdfWriter()
	for dn in delivery_notes:
		label = latest_label(dn)
		if not label or not label.file:
			frappe.throw(_("Delivery Note {0} has no Shopee label yet").format(dn), LabelError)
		writer.append(PdfReader(BytesIO(label_bytes(label.file))))
	out = BytesIO()
	writer.write(out)
	return out.getvalue()


def label_bytes(file_name: str) -> bytes:
	"""A label File's bytes as stored (File.get_content decodes whatever text it can)."""
	with open(frappe.get_doc("File", file_name).get_full_path(), "rb") as stored:
		return stored.read()
