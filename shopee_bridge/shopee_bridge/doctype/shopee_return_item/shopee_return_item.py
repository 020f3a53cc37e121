from frappe.model.document import Document


class ShopeeReturnItem(Document):
	pass
