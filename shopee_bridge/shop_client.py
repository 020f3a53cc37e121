"""Build a ShopeeClient for the app's settings and a Shopee Shop, with tokens kept in Password fields."""

import json

import frappe
from frappe.utils import now_datetime
from frappe.utils.synchronization import filelock

from shopee_bridge.clients import CallRecord, ShopeeClient, Tokens
from shopee_bridge.constants import SETTINGS, SHOP
from shopee_bridge.utils import datetime_to_epoch, epoch_to_datetime

SETTINGS_CACHE_KEY = "shopee_bridge:settings"


class ShopTokenStore:
	"""TokenStore over Shopee Shop: tokens in Password fields (encrypted), expiries as Datetimes.

	Inside ShopLock the reads are locking reads, which see the latest committed pair even when the
	caller's transaction snapshot predates another worker's refresh (REPEATABLE READ).
	"""

	def __init__(self):
		self.fresh_reads = False

	def load(self, shop_id) -> Tokens | None:
		name = str(shop_id)
		access = self._password(name, "access_token")
		refresh = self._password(name, "refresh_token")
		if not (access and refresh):
			return None
		expires = frappe.db.sql(
			f"""select access_token_expires_at, refresh_token_expires_at from `tabShopee Shop`
			where name=%s {self._lock_clause()}""",
			name,
			as_dict=True,
		)[0]
		return Tokens(
			access_token=access,
			refresh_token=refresh,
			access_expires_at=datetime_to_epoch(expires.access_token_expires_at),
			refresh_expires_at=datetime_to_epoch(expires.refresh_token_expires_at) or None,
		)

	def _lock_clause(self) -> str:
		return "lock in share mode" if self.fresh_reads else ""

	def _password(self, name: str, field: str) -> str | None:
		from frappe.utils.password import decrypt

		rows = frappe.db.sql(
			f"""select `password` from `__Auth` where doctype=%s and name=%s and fieldname=%s and encrypted=1
			{self._lock_clause()}""",
			(SHOP, name, field),
		)
		return decrypt(rows[0][0], key=f"{SHOP}.{name}.{field}") if rows and rows[0][0] else None

	def save(self, shop_id, tokens: Tokens) -> None:
		"""Persist a rotated pair at once: Shopee refresh tokens are single-use, losing one loses the shop."""
		name = str(shop_id)
		from frappe.utils.password import set_encrypted_password

		set_encrypted_password(SHOP, name, tokens.access_token, "access_token")
		set_encrypted_password(SHOP, name, tokens.refresh_token, "refresh_token")
		frappe.db.set_value(
			SHOP,
			name,
			{
				"access_token": "*" * 8,
				"refresh_token": "*" * 8,
				"access_token_expires_at": epoch_to_datetime(tokens.access_expires_at),
				"refresh_token_expires_at": epoch_to_datetime(tokens.refresh_expires_at),
				"last_token_refresh": now_datetime(),
				"status": "Connected",
				"status_message": "",
			},
		)
		frappe.db.commit()  # nosemgrep: the old refresh token is already dead at Shopee; never roll this back


class ShopLock:
	"""Cross-process lock around a shop's token refresh (the refresh token is single-use)."""

	def __init__(self, shop_id, store: ShopTokenStore):
		self.name = f"shopee_token_{shop_id}"
		self.store = store
		self._cm = None

	def __enter__(self):
		self._cm = filelock(self.name, timeout=60)
		self._cm.__enter__()
		self.store.fresh_reads = True
		return self

	def __exit__(self, *exc):
		self.store.fresh_reads = False
		return self._cm.__exit__(*exc)


def get_settings():
	"""Shopee Settings as last saved; read-only, do not mutate it.

	Cached under the row's `modified`, which every call checks (one small query). Frappe's document
	cache is not used: a job whose transaction began before a save reads the old values and would put
	them back there, for every process, until the next save. Here the next reader replaces them.
	"""
	modified = frappe.db.sql("select value from tabSingles where doctype=%s and field='modified'", SETTINGS)
	modified = modified[0][0] if modified else None
	cached = frappe.cache.get_value(SETTINGS_CACHE_KEY)
	if cached and cached[0] == modified:
		return cached[1]
	settings = frappe.get_single(SETTINGS)
	frappe.cache.set_value(SETTINGS_CACHE_KEY, (modified, settings))
	return settings


def make_client(shop_id=None, on_call=None, settings=None) -> ShopeeClient:
	"""A client for one shop (or partner-level calls when shop_id is None) per Shopee Settings."""
	settings = settings or get_settings()
	if not (settings.partner_id and settings.get_password("partner_key", raise_exception=False)):
		frappe.throw(frappe._("Set the Partner ID and Partner Key in Shopee Settings first."))
	store = ShopTokenStore() if shop_id else None
	return ShopeeClient(
		settings.api_base_url,
		int(settings.partner_id),
		settings.get_password("partner_key"),
		shop_id=int(shop_id) if shop_id else None,
		token_store=store,
		lock=ShopLock(shop_id, store) if shop_id else None,
		on_call=_with_failure_log(on_call),
	)


def _with_failure_log(on_call):
	def record_call(record: CallRecord) -> None:
		log_failed_call(record)
		if on_call:
			on_call(record)

	return record_call


FAILED_CALLS = "shopee_bridge:failed_calls"  # Redis list of Integration Request values, oldest first
CALL_LOG_BATCH = 500


def log_failed_call(record: CallRecord) -> None:
	"""Keep failed Shopee calls as Integration Requests (params are already redacted by the client).

	The values wait in a Redis list, so they survive when the caller's own work is rolled back (a
	failing call usually ends in a rollback); one deduplicated job writes them in batches, so a Shopee
	outage does not flood the queue the pushes share.
	"""
	if not record.error and (record.http_status or 0) < 400:
		return
	values = {
		"doctype": "Integration Request",
		"integration_request_service": "Shopee",
		"request_description": f"{record.method} {record.path}"[:140],
		"status": "Failed",
		"url": record.path,
		"data": frappe.as_json(record.params),
		"error": f"HTTP {record.http_status}: {record.error} (attempt {record.attempt})",
		"request_id": (record.request_id or "")[:140] or None,
	}
	try:
		frappe.cache.rpush(FAILED_CALLS, frappe.as_json(values))
		frappe.enqueue(
			"shopee_bridge.shop_client.flush_call_logs",
			queue="short",
			job_id="shopee_call_log_flush",
			deduplicate=True,
		)
	except Exception:  # the call's own error still reaches the caller; losing its log must not hide it
		frappe.logger("shopee_bridge").warning(f"could not keep the log of a failed Shopee call: {values}")


def flush_call_logs() -> int:
	"""Write the queued failed calls as Integration Requests, a batch per commit; returns how many.

	A batch leaves Redis only after its commit, so a crash writes it again rather than losing it.
	"""
	written = 0
	while True:
		batch = frappe.cache.lrange(FAILED_CALLS, 0, CALL_LOG_BATCH - 1)
		if not batch:
			return written
		for raw in batch:
			frappe.get_doc(json.loads(raw)).insert(ignore_permissions=True)  # Redis gives bytes
		frappe.db.commit()  # nosemgrep: the batch is written before it leaves the list
		frappe.cache.ltrim(FAILED_CALLS, len(batch), -1)
		written += len(batch)
