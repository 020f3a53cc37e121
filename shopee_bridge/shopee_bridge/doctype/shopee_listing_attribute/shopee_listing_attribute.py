from frappe.model.document import Document


class ShopeeListingAttribute(Document):
	pass
