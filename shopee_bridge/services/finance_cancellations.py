"""When a user cancels a Journal or Payment Entry the finance sync booked, the next run can book it again.

The entry's unique Shopee key is released (a cancelled entry keeps its field values), and the record
that pointed at it goes back to waiting: the wallet row of a payment, the withdrawal of a transfer, the
settlement of an order (whose booked terms are read back from the submitted entries anyway).
"""

import frappe
from frappe import _

from shopee_bridge.constants import (
	ENTRY_KEY_FIELD,
	ORDER_SN_FIELD,
	SETTLEMENT,
	WALLET_TRANSACTION,
	WITHDRAWAL,
)


def release_entry_key(doc, method=None) -> None:
	"""doc_events on_cancel of Journal Entry and Payment Entry."""
	key = doc.get(ENTRY_KEY_FIELD)
	if not key:
		return
	doc.db_set(ENTRY_KEY_FIELD, None, update_modified=False)
	kind, _sep, ref = key.partition(":")
	message = _("{0} {1} was cancelled; the next finance sync books it again").format(doc.doctype, doc.name)
	if kind == "wallet" and frappe.db.exists(WALLET_TRANSACTION, ref):
		frappe.db.set_value(
			WALLET_TRANSACTION,
			ref,
			{
				"booking_status": "Pending",
				"reference_doctype": None,
				"reference_name": None,
				"booking_message": message,
			},
		)
	elif kind == "withdrawal" and frappe.db.get_value(WITHDRAWAL, ref, "status") != "Cancelled":
		frappe.db.set_value(
			WITHDRAWAL,
			ref,
			{
				"transfer": None,
				"reconciliation": "Not Due",
				"reconciliation_message": message,
				"waiting_for": message,
			},
		)
	elif kind == "settle" and frappe.db.exists(SETTLEMENT, doc.get(ORDER_SN_FIELD)):
		frappe.db.set_value(SETTLEMENT, doc.get(ORDER_SN_FIELD), {"status": "Waiting", "message": message})
