from frappe.model.document import Document


class ShopeeShop(Document):
	pass
