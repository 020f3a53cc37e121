import frappe
from frappe.model.document import Document

from shopee_bridge.constants import WAITING_ORDER


class ShopeeShop(Document):
	def on_trash(self):
		"""The shop's waiting orders mean nothing without it; its Item Map rows are kept for a reconnect."""
		for name in frappe.get_all(WAITING_ORDER, filters={"shop": self.name}, pluck="name"):
			frappe.delete_doc(WAITING_ORDER, name, ignore_permissions=True, force=True)
