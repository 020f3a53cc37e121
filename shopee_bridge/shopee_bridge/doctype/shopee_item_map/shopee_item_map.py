import frappe
from frappe.model.document import Document


class ShopeeItemMap(Document):
	def validate(self):
		self.model_id = self.model_id or "0"

	def on_update(self):
		if self.item_code and self.has_value_changed("item_code"):
			from shopee_bridge.services.stock_changes import mark_rows_pending
			from shopee_bridge.services.waiting_orders import make_reason_due

			make_reason_due(self.shop, "Unmapped Item")
			mark_rows_pending(self.shop, [(self.item_id, self.model_id)])


def on_doctype_update():
	frappe.db.add_unique(
		"Shopee Item Map", ["shop", "item_id", "model_id"], constraint_name="shopee_item_map_per_model"
	)
