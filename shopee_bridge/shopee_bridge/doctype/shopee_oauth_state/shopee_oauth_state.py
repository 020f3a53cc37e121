import frappe
from frappe.model.document import Document


class ShopeeOAuthState(Document):
	@staticmethod
	def clear_old_logs(days=7):
		from frappe.query_builder import Interval
		from frappe.query_builder.functions import Now

		table = frappe.qb.DocType("Shopee OAuth State")
		frappe.db.delete(table, filters=(table.creation < (Now() - Interval(days=days))))
