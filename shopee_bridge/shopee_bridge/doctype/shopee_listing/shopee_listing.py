import frappe
from frappe.model.document import Document


class ShopeeListing(Document):
	pass


def on_doctype_update():
	frappe.db.add_unique("Shopee Listing", ["shop", "item_code"], constraint_name="shopee_listing_per_item")
