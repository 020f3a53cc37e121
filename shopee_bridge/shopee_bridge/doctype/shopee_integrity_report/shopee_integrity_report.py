from frappe.model.document import Document


class ShopeeIntegrityReport(Document):
	pass
