from frappe.model.document import Document


class ShopeeOrderIncome(Document):
	pass
