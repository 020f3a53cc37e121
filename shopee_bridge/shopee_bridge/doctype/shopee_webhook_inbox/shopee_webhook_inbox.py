import frappe
from frappe.model.document import Document


class ShopeeWebhookInbox(Document):
	pass


def on_doctype_update():
	frappe.db.add_index("Shopee Webhook Inbox", ["status", "next_retry_at"])
