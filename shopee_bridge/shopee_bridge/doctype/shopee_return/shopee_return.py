from frappe.model.document import Document


class ShopeeReturn(Document):
	pass
