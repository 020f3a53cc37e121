from frappe.model.document import Document


class ShopeeBackfillWindow(Document):
	pass
