from frappe.model.document import Document


class ShopeeEscrowSettlementTerm(Document):
	pass
