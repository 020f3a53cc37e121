from frappe.model.document import Document


class ShopeeShopWarehouse(Document):
	pass
