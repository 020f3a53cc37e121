from frappe.model.document import Document


class ShopeeWithdrawal(Document):
	pass
