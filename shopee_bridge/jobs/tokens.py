"""Scheduled token refresh for every connected shop."""

import frappe

from shopee_bridge.services.shops import refresh_shop_tokens, shops_due_for_refresh
from shopee_bridge.utils import log_error


def refresh_expiring_tokens() -> dict:
	"""Refresh every shop whose access token expires within the hour; one failing shop stops no other."""
	results = {}
	for shop in shops_due_for_refresh():
		try:
			results[shop] = refresh_shop_tokens(shop)
		except Exception:
			frappe.db.rollback()
			log_error(f"Shopee token refresh crashed for shop {shop}")
			results[shop] = False
	return results
