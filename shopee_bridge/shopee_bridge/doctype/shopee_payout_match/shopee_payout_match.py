from frappe.model.document import Document


class ShopeePayoutMatch(Document):
	pass
