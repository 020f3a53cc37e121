from frappe.model.document import Document


class ShopeeOAuthState(Document):
	pass
