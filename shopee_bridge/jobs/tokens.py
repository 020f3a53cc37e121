"""Scheduled token refresh for every connected shop."""

import frappe

from shopee_bridge.services.shops import refresh_shop_tokens, shops_due_for_refresh
from shopee_bridge.services.sync_log import SyncRun
from shopee_bridge.utils import log_error


def refresh_expiring_tokens() -> dict:
	"""Refresh every shop whose access token expires within the hour; one failing shop stops no other."""
	shops = shops_due_for_refresh()
	if not shops:
		return {}
	run, results = SyncRun("refresh_expiring_tokens"), {}
	run.add("fetched", len(shops))
	for shop in shops:
		try:
			results[shop] = refresh_shop_tokens(shop)
		except Exception:
			frappe.db.rollback()
			log_error(f"Shopee token refresh crashed for shop {shop}")
			results[shop] = False
		if results[shop]:
			run.add("updated")
		else:
			run.add_error(
				shop, frappe.db.get_value("Shopee Shop", shop, "status_message") or "refresh failed"
			)
	run.finish()
	return results
