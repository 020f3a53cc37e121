import frappe
from frappe.model.document import Document
from frappe.utils import get_url

from shopee_bridge.constants import (
	DEFAULT_MAX_ATTEMPTS,
	ENVIRONMENT_HOSTS,
	LOCAL_SANDBOX_URL,
	OAUTH_CALLBACK_METHOD,
	WEBHOOK_LIVE_METHOD,
)


class ShopeeSettings(Document):
	def validate(self):
		self.set_api_base_url()
		self.oauth_redirect_url = get_url(f"/api/method/{OAUTH_CALLBACK_METHOD}")
		if not self.webhook_callback_url:
			self.webhook_callback_url = get_url(f"/api/method/{WEBHOOK_LIVE_METHOD}")
		if not self.webhook_max_attempts or self.webhook_max_attempts < 1:
			self.webhook_max_attempts = DEFAULT_MAX_ATTEMPTS
		if self.enabled and not (self.partner_id and self.get_password("partner_key", raise_exception=False)):
			frappe.throw(frappe._("Set the Partner ID and Partner Key before enabling Shopee Bridge."))
		self.validate_sku_item_field()

	def set_api_base_url(self):
		if self.environment in ENVIRONMENT_HOSTS:
			self.api_base_url = ENVIRONMENT_HOSTS[self.environment]
		elif not self.api_base_url:
			self.api_base_url = LOCAL_SANDBOX_URL
		self.api_base_url = self.api_base_url.rstrip("/")

	def validate_sku_item_field(self):
		"""Matching by an Item field needs a text field of Item that exists."""
		if self.get("sku_match_field") != "Item Field":
			return
		field = frappe.get_meta("Item").get_field(self.sku_item_field or "")
		if self.sku_item_field not in ("item_code", "item_name") and (
			not field or field.fieldtype not in ("Data", "Link", "Barcode", "Read Only")
		):
			frappe.throw(frappe._("Item has no text field {0} to match SKUs by.").format(self.sku_item_field))
