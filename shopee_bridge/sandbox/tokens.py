"""Authorization codes and token pairs of the sandbox shops, with Shopee's lifetimes and rotation."""

import secrets
import threading
import time

from shopee_bridge.sandbox.errors import ApiError

CODE_TTL = 600
ACCESS_TTL = 14400
REFRESH_TTL = 30 * 86400
OLD_ACCESS_GRACE = 300
AUTHORIZATION_DAYS = 365


class TokenStore:
	"""Codes (single-use, 10 min), access tokens (4 h) and refresh tokens (30 days, single-use)."""

	def __init__(self, shop_ids: list[int], clock=time.time):
		self.clock = clock
		self._lock = threading.Lock()
		self._codes: dict[str, tuple[int, float]] = {}
		self._access: dict[str, tuple[int, float]] = {}
		self._refresh: dict[str, tuple[int, float]] = {}
		self._current: dict[int, dict] = {}
		self._auth_time: dict[int, int] = {}
		now = int(self.clock())
		for shop_id in shop_ids:
			self._auth_time[shop_id] = now - 30 * 86400
			self._issue(shop_id)

	def _issue(self, shop_id: int) -> dict:
		now = self.clock()
		pair = {
			"access_token": secrets.token_hex(16),
			"refresh_token": secrets.token_hex(16),
			"access_expires_at": int(now + ACCESS_TTL),
			"refresh_expires_at": int(now + REFRESH_TTL),
		}
		self._access[pair["access_token"]] = (shop_id, pair["access_expires_at"])
		self._refresh[pair["refresh_token"]] = (shop_id, pair["refresh_expires_at"])
		self._current[shop_id] = pair
		return pair

	def issue_code(self, shop_id: int) -> str:
		"""A fresh authorization code for shop_id (what the seller's approval produces)."""
		code = secrets.token_hex(16)
		with self._lock:
			self._codes[code] = (shop_id, self.clock() + CODE_TTL)
		return code

	def exchange_code(self, code: str, shop_id: int) -> dict:
		"""auth/token/get: consume the code and return the shop's new token pair."""
		with self._lock:
			owner, expires_at = self._codes.get(code, (None, 0))
			if owner is None or owner != shop_id or expires_at < self.clock():
				raise ApiError("invalid_code", "Invalid code.")
			del self._codes[code]
			self._auth_time[shop_id] = int(self.clock())
			return dict(self._issue(shop_id))

	def refresh(self, refresh_token: str, shop_id: int) -> dict:
		"""auth/access_token/get: rotate both tokens; the old access token lives 5 more minutes."""
		with self._lock:
			owner, expires_at = self._refresh.get(refresh_token, (None, 0))
			if owner is None or owner != shop_id:
				raise ApiError("error_auth", "Invalid refresh_token.")
			if expires_at < self.clock():
				raise ApiError("refresh_token_expired", "Refresh token is expired.")
			del self._refresh[refresh_token]
			old_access = self._current[shop_id]["access_token"]
			old_shop, old_expiry = self._access.get(old_access, (shop_id, 0))
			self._access[old_access] = (old_shop, min(old_expiry, self.clock() + OLD_ACCESS_GRACE))
			return dict(self._issue(shop_id))

	def is_valid_access(self, access_token: str, shop_id: int) -> bool:
		"""Whether access_token is a live token of shop_id."""
		with self._lock:
			owner, expires_at = self._access.get(access_token, (None, 0))
		return owner == shop_id and expires_at > self.clock()

	def expire_access(self, shop_id: int) -> None:
		"""Make every access token of shop_id invalid now (refresh tokens stay usable)."""
		with self._lock:
			expired = self.clock() - 1
			for token, (owner, _expires_at) in list(self._access.items()):
				if owner == shop_id:
					self._access[token] = (owner, expired)
			self._current[shop_id]["access_expires_at"] = int(expired)

	def current(self, shop_id: int) -> dict:
		"""The shop's latest {access_token, refresh_token, access_expires_at, refresh_expires_at}."""
		with self._lock:
			return dict(self._current[shop_id])

	def authorization(self, shop_id: int) -> tuple[int, int]:
		"""(auth_time, expire_time) of the shop's authorization (365 days)."""
		auth_time = self._auth_time[shop_id]
		return auth_time, auth_time + AUTHORIZATION_DAYS * 86400
