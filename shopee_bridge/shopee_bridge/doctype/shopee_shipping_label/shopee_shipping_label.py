import frappe
from frappe.model.document import Document

VERSION_CONSTRAINT = "shopee_label_version_per_note"


class ShopeeShippingLabel(Document):
	pass


def on_doctype_update():
	"""One label per (Delivery Note, version): the database numbers versions, not a read-then-write."""
	if not frappe.db.sql("SHOW INDEX FROM `tabShopee Shipping Label` WHERE Key_name=%s", VERSION_CONSTRAINT):
		frappe.db.add_unique(
			"Shopee Shipping Label", ["delivery_note", "version"], constraint_name=VERSION_CONSTRAINT
		)
