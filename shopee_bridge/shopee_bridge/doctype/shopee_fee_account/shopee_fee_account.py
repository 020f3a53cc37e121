from frappe.model.document import Document


class ShopeeFeeAccount(Document):
	pass
