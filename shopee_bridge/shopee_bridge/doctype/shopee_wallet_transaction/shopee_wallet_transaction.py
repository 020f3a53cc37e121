from frappe.model.document import Document


class ShopeeWalletTransaction(Document):
	pass
