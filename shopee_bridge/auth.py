"""Shopee Open Platform v2 signing, authorization links and push verification.

Pure functions: no frappe import, so the Frappe-free tests and the local sandbox use the same code
as the app.
"""

import hashlib
import hmac
import secrets
import time
from urllib.parse import urlencode

PUSH_MAX_DRIFT_SECONDS = 300
AUTH_PARTNER_PATH = "/api/v2/shop/auth_partner"

# Calls signed without a shop: the base string is partner_id + path + timestamp.
PUBLIC_PATH_PREFIXES = (
	"/api/v2/shop/auth_partner",
	"/api/v2/shop/cancel_auth_partner",
	"/api/v2/auth/",
	"/api/v2/public/",
	"/api/v2/push/",
	"/api/v2/media_space/",  # image upload is signed by the partner alone
)


def is_public_path(path: str) -> bool:
	return path.startswith(PUBLIC_PATH_PREFIXES)


def base_string(
	partner_id: int | str,
	path: str,
	timestamp: int | str,
	access_token: str | None = None,
	shop_id: int | str | None = None,
) -> str:
	"""Shopee's base string: partner_id + path + timestamp [+ access_token + shop_id]."""
	parts = [str(partner_id), path, str(timestamp)]
	if access_token is not None and shop_id is not None:
		parts += [access_token, str(shop_id)]
	return "".join(parts)


def hmac_sha256_hex(key: str | bytes, message: str | bytes) -> str:
	key = key.encode() if isinstance(key, str) else key
	message = message.encode() if isinstance(message, str) else message
	return hmac.new(key, message, hashlib.sha256).hexdigest()


def sign(
	partner_key: str,
	partner_id: int | str,
	path: str,
	timestamp: int | str,
	access_token: str | None = None,
	shop_id: int | str | None = None,
) -> str:
	"""Lower-case hex HMAC-SHA256 of the base string (public when no token/shop is given)."""
	return hmac_sha256_hex(partner_key, base_string(partner_id, path, timestamp, access_token, shop_id))


def signed_query(
	partner_key: str,
	partner_id: int | str,
	path: str,
	access_token: str | None = None,
	shop_id: int | str | None = None,
	timestamp: int | None = None,
) -> dict:
	"""The common query parameters of a call: partner_id, timestamp, sign (+ access_token, shop_id)."""
	timestamp = int(time.time()) if timestamp is None else int(timestamp)
	query = {
		"partner_id": int(partner_id),
		"timestamp": timestamp,
		"sign": sign(partner_key, partner_id, path, timestamp, access_token, shop_id),
	}
	if access_token is not None and shop_id is not None:
		query["access_token"] = access_token
		query["shop_id"] = int(shop_id)
	return query


def authorization_url(
	base_url: str, partner_id: int | str, partner_key: str, redirect: str, timestamp: int | None = None
) -> str:
	"""The shop authorization link (valid 5 minutes on Shopee's side, so build it on demand)."""
	query = signed_query(partner_key, partner_id, AUTH_PARTNER_PATH, timestamp=timestamp)
	query["redirect"] = redirect
	return f"{base_url.rstrip('/')}{AUTH_PARTNER_PATH}?{urlencode(query)}"


def new_state() -> str:
	"""An unguessable OAuth state value."""
	return secrets.token_hex(20)


def push_signature(push_key: str, callback_url: str, raw_body: bytes) -> str:
	"""Shopee's push Authorization header: HMAC-SHA256(key, callback_url + "|" + raw body)."""
	return hmac_sha256_hex(push_key, callback_url.encode() + b"|" + raw_body)


class PushVerificationError(Exception):
	"""The push is not from Shopee (bad signature) or is too old/new to trust."""


def verify_push(
	push_key: str,
	callback_url: str,
	raw_body: bytes,
	authorization: str | None,
	push_timestamp: int | None,
	now: float | None = None,
	max_drift: int = PUSH_MAX_DRIFT_SECONDS,
) -> None:
	"""Raise PushVerificationError unless the signature matches and the timestamp is within the drift."""
	if not authorization or not push_key:
		raise PushVerificationError("missing signature")
	expected = push_signature(push_key, callback_url, raw_body)
	if not hmac.compare_digest(expected.encode(), authorization.strip().lower().encode("utf-8", "replace")):
		raise PushVerificationError("signature mismatch")
	if push_timestamp is None:
		raise PushVerificationError("missing timestamp")
	now = time.time() if now is None else now
	if abs(now - int(push_timestamp)) > max_drift:
		raise PushVerificationError("timestamp outside the allowed drift")
