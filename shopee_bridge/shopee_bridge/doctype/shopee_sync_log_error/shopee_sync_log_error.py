from frappe.model.document import Document


class ShopeeSyncLogError(Document):
	pass
