import frappe
from frappe.model.document import Document

from shopee_bridge.constants import WAITING_ORDER
from shopee_bridge.services.finance_readiness import finance_gaps


class ShopeeShop(Document):
	def onload(self):
		"""The form's finance banner: what the shop lacks for its finance run."""
		if not self.is_new():
			self.set_onload("finance_gaps", finance_gaps(self))

	def on_trash(self):
		"""The shop's waiting orders mean nothing without it; its Item Map rows are kept for a reconnect."""
		for name in frappe.get_all(WAITING_ORDER, filters={"shop": self.name}, pluck="name"):
			frappe.delete_doc(WAITING_ORDER, name, ignore_permissions=True, force=True)
