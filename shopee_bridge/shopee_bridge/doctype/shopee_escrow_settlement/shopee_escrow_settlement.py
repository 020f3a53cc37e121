from frappe.model.document import Document


class ShopeeEscrowSettlement(Document):
	pass
