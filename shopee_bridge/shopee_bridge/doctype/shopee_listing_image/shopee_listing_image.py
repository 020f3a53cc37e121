from frappe.model.document import Document


class ShopeeListingImage(Document):
	pass
