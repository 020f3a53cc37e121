from frappe.model.document import Document


class ShopeeOrderIncomeComponent(Document):
	pass
