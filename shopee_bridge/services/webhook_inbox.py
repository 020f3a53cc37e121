"""Push intake: verify, store one Shopee Webhook Inbox row per event, enqueue its processing."""

import json

import frappe
from frappe.utils import get_url, now_datetime
from werkzeug.wrappers import Response

from shopee_bridge import auth
from shopee_bridge.constants import INBOX, MAX_PUSH_BYTES, WEBHOOK_LIVE_METHOD, WEBHOOK_TEST_METHOD
from shopee_bridge.shop_client import get_settings
from shopee_bridge.utils import log_error, truncate
from shopee_bridge.webhooks import MalformedPush, canonical_body_sha1, idempotency_key, parse_push

PUSH_AUTH_ENVIRON_KEY = "shopee_bridge.push_authorization"
WEBHOOK_PATHS = (f"/api/method/{WEBHOOK_LIVE_METHOD}", f"/api/method/{WEBHOOK_TEST_METHOD}")
REPLAY_CACHE_PREFIX = "shopee_bridge:push:"


def stash_push_authorization():
	"""before_request: move a push's Authorization header aside so Frappe never treats it as a login."""
	request = getattr(frappe.local, "request", None)
	if request is None or request.path not in WEBHOOK_PATHS:
		return
	header = request.environ.pop("HTTP_AUTHORIZATION", None)
	if header is not None:
		request.environ[PUSH_AUTH_ENVIRON_KEY] = header


def receive(request, method: str) -> Response:
	"""A push at webhook_live / webhook_test: size, signature and freshness first, then one inbox row."""
	frappe.local.flags.shopee_push_answered = True
	if (request.content_length or 0) > MAX_PUSH_BYTES:
		return _refuse(method, 413, f"push body over {MAX_PUSH_BYTES} bytes")
	raw_body = request.get_data(cache=True) or b""
	if len(raw_body) > MAX_PUSH_BYTES:
		return _refuse(method, 413, f"push body over {MAX_PUSH_BYTES} bytes")
	try:
		verify(raw_body, method)
	except auth.PushVerificationError as e:
		return _refuse(method, 401, str(e))
	ingest(raw_body)
	return Response(b"", status=200)


def _refuse(method: str, status: int, reason: str) -> Response:
	frappe.logger("shopee_bridge").warning(f"Rejected Shopee push on {method}: {reason}")
	return Response(f"invalid push: {reason}", status=status, mimetype="text/plain")


def answer_unhandled_push(response=None, request=None) -> None:
	"""after_request: a push Frappe failed on before our endpoint ran (say, a body that is not JSON).

	Frappe parses JSON bodies itself before any app code, and would answer such a push with a 500 and
	its traceback. Here it gets the endpoint's treatment instead: 401 when unsigned, else a Dead inbox
	row and 200. Any other server error on these paths loses its body, so no traceback leaves.
	"""
	if request is None or response is None or request.path not in WEBHOOK_PATHS:
		return
	if frappe.local.flags.get("shopee_push_answered"):
		if response.status_code >= 500:
			response.set_data(b"push not processed")
			response.mimetype = "text/plain"
		return
	method = WEBHOOK_TEST_METHOD if request.path.endswith(WEBHOOK_TEST_METHOD) else WEBHOOK_LIVE_METHOD
	try:
		answer = receive(request, method)
		frappe.db.commit()  # nosemgrep: Frappe rolled back before after_request; the row must persist
	except Exception:
		frappe.db.rollback()
		log_error("Shopee push could not be stored")
		answer = Response(b"push not processed", status=503, mimetype="text/plain")
	response.status_code = answer.status_code
	response.set_data(answer.get_data())
	response.mimetype = answer.mimetype


def push_authorization() -> str | None:
	environ = frappe.request.environ
	return environ.get(PUSH_AUTH_ENVIRON_KEY) or environ.get("HTTP_AUTHORIZATION")


def callback_url(settings, method: str = WEBHOOK_LIVE_METHOD) -> str:
	"""The URL Shopee signs: as configured in settings, or this site's endpoint URL."""
	configured = settings.webhook_callback_url
	live_url = configured or get_url(f"/api/method/{WEBHOOK_LIVE_METHOD}")
	return live_url.replace(WEBHOOK_LIVE_METHOD, method)


# (site, Shopee Settings modified) -> the key pushes are signed with; saved settings get a new entry
_push_keys: dict[tuple[str, str], str] = {}


def push_key(settings) -> str:
	"""The push key, decrypted once per saved version of the settings (it is read on every push)."""
	cache_key = (frappe.local.site, str(settings.modified))
	if cache_key not in _push_keys:
		_push_keys.clear()  # one site and one version at a time is all a worker needs
		_push_keys[cache_key] = settings.get_password(
			"push_partner_key", raise_exception=False
		) or settings.get_password("partner_key", raise_exception=False)
	return _push_keys[cache_key]


def verify(raw_body: bytes, method: str) -> None:
	"""Raise auth.PushVerificationError unless the push is signed by Shopee and fresh."""
	settings = get_settings()
	timestamp = _timestamp_of(raw_body)
	auth.verify_push(
		push_key(settings), callback_url(settings, method), raw_body, push_authorization(), timestamp
	)


def _timestamp_of(raw_body: bytes) -> int | None:
	try:
		return int(json.loads(raw_body).get("timestamp"))
	except (ValueError, TypeError, AttributeError, UnicodeDecodeError):
		return None


def ingest(raw_body: bytes) -> str | None:
	"""Store a verified push once; returns the new inbox row name, or None for a duplicate."""
	try:
		push = parse_push(raw_body)
	except MalformedPush as e:
		return _store_malformed(raw_body, str(e))
	key = idempotency_key(push, raw_body)
	if frappe.cache.get_value(REPLAY_CACHE_PREFIX + key):
		return None
	row = frappe.get_doc(
		{
			"doctype": INBOX,
			"idempotency_key": key,
			"status": "Queued",
			"attempts": 0,
			"push_code": push.code,
			"event": push.event,
			"shop_id": push.shop_id,
			"order_sn": push.order_sn,
			"push_timestamp": push.timestamp,
			"received_at": now_datetime(),
			"payload": raw_body.decode("utf-8", "replace"),
		}
	)
	if not _insert_once(row):
		_remember(key)
		return None
	frappe.db.after_commit.add(lambda: _remember(key))
	enqueue_processing(row.name, fresh=True)
	return row.name


def _insert_once(row) -> bool:
	"""Insert, letting the unique index on idempotency_key decide between concurrent duplicates.

	A bare db_insert: this runs on every push, and an inbox row has no validation or hooks to run.
	"""
	row.set_new_name()
	row.set("creation", now_datetime())
	row.set("modified", row.creation)
	row.set("owner", frappe.session.user)
	row.set("modified_by", frappe.session.user)
	try:
		row.db_insert()
		return True
	except (frappe.UniqueValidationError, frappe.DuplicateEntryError):
		frappe.db.rollback()
		frappe.local.message_log = []
		return False


def _store_malformed(raw_body: bytes, reason: str) -> str | None:
	"""A signed body that is not a push is kept (as Dead) so nobody loses it; it is never processed."""
	key = "malformed:" + canonical_body_sha1(raw_body)
	row = frappe.get_doc(
		{
			"doctype": INBOX,
			"idempotency_key": key,
			"status": "Dead",
			"attempts": 0,
			"event": "malformed_push",
			"received_at": now_datetime(),
			"last_error": truncate(reason, 1000),
			"payload": json.dumps({"raw": raw_body.decode("utf-8", "replace")}),
		}
	)
	if not _insert_once(row):
		return None
	log_error("Shopee push is not valid JSON", reason, reference_doctype=INBOX, reference_name=row.name)
	return row.name


def _remember(key: str) -> None:
	ttl = get_settings().webhook_replay_ttl or 600
	frappe.cache.set_value(REPLAY_CACHE_PREFIX + key, 1, expires_in_sec=ttl)


def enqueue_processing(inbox_name: str, fresh: bool = False) -> None:
	"""Queue the dispatcher once per row, after the row is committed.

	A fresh row cannot have a job yet, so its enqueue skips the duplicate check (a Redis round trip).
	"""
	frappe.enqueue(
		"shopee_bridge.jobs.process_webhook.run",
		queue="short",
		job_id=f"shopee_inbox::{inbox_name}",
		deduplicate=not fresh,
		enqueue_after_commit=True,
		inbox_name=inbox_name,
	)
