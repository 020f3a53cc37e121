from frappe.model.document import Document


class ShopeeWaitingOrder(Document):
	pass
