import hashlib
import hmac
import secrets
from urllib.parse import parse_qs, urlparse

import pytest

from shopee_bridge import auth


def test_base_string_matches_shopee_worked_example():
	# shopee-api.md §3: partner 2001887, get_shop_info, ts 1655714431
	token = "59777174636562737266615546704c6d"
	assert (
		auth.base_string(2001887, "/api/v2/shop/get_shop_info", 1655714431, token, 14701711)
		== "2001887/api/v2/shop/get_shop_info165571443159777174636562737266615546704c6d14701711"
	)


def test_sign_is_hmac_sha256_hex_of_base_string():
	key = secrets.token_hex(16)
	expected = hmac.new(key.encode(), b"1/api/v2/auth/token/get100", hashlib.sha256).hexdigest()
	assert auth.sign(key, 1, "/api/v2/auth/token/get", 100) == expected


def test_shop_signing_differs_from_public_signing():
	key = secrets.token_hex(16)
	public = auth.sign(key, 1, "/p", 100)
	shop = auth.sign(key, 1, "/p", 100, "tok", 5)
	assert public != shop


def test_signed_query_has_shop_params_only_for_shop_calls():
	key = secrets.token_hex(16)
	public = auth.signed_query(key, 7, "/api/v2/auth/token/get", timestamp=10)
	assert set(public) == {"partner_id", "timestamp", "sign"}
	shop = auth.signed_query(key, 7, "/api/v2/order/get_order_list", "tok", 99, timestamp=10)
	assert shop["shop_id"] == 99 and shop["access_token"] == "tok"
	assert shop["sign"] == auth.sign(key, 7, "/api/v2/order/get_order_list", 10, "tok", 99)


@pytest.mark.parametrize(
	"path, public",
	[
		("/api/v2/shop/auth_partner", True),
		("/api/v2/auth/access_token/get", True),
		("/api/v2/public/get_shops_by_partner", True),
		("/api/v2/push/get_lost_push_message", True),
		("/api/v2/shop/get_shop_info", False),
		("/api/v2/order/get_order_detail", False),
	],
)
def test_public_paths(path, public):
	assert auth.is_public_path(path) is public


def test_authorization_url_is_publicly_signed_with_redirect():
	key = secrets.token_hex(16)
	url = auth.authorization_url(
		"http://127.0.0.1:8899/", 42, key, "https://erp.example/cb?state=s", timestamp=1000
	)
	parsed = urlparse(url)
	query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
	assert parsed.path == auth.AUTH_PARTNER_PATH
	assert query["redirect"] == "https://erp.example/cb?state=s"
	assert query["sign"] == auth.sign(key, 42, auth.AUTH_PARTNER_PATH, 1000)


def test_new_state_is_random_and_long():
	states = {auth.new_state() for _ in range(50)}
	assert len(states) == 50 and all(len(s) == 40 for s in states)


class TestVerifyPush:
	url = "https://erp.example/api/method/shopee_bridge.api.webhook_live"
	body = b'{"shop_id":1,"code":3,"timestamp":1000,"data":{"ordersn":"A"}}'

	def setup_method(self):
		self.key = secrets.token_hex(16)
		self.signature = auth.push_signature(self.key, self.url, self.body)

	def test_signature_is_over_url_pipe_body(self):
		expected = hmac.new(
			self.key.encode(), self.url.encode() + b"|" + self.body, hashlib.sha256
		).hexdigest()
		assert self.signature == expected

	def test_valid_push_passes(self):
		auth.verify_push(self.key, self.url, self.body, self.signature, 1000, now=1100)

	def test_uppercase_signature_passes(self):
		auth.verify_push(self.key, self.url, self.body, self.signature.upper(), 1000, now=1000)

	@pytest.mark.parametrize("header", [None, "", "deadbeef", "Bearer abc", "é" * 64])
	def test_bad_or_missing_signature_fails(self, header):
		with pytest.raises(auth.PushVerificationError):
			auth.verify_push(self.key, self.url, self.body, header, 1000, now=1000)

	def test_signature_over_another_url_fails(self):
		with pytest.raises(auth.PushVerificationError, match="mismatch"):
			auth.verify_push(self.key, self.url + "x", self.body, self.signature, 1000, now=1000)

	def test_tampered_body_fails(self):
		with pytest.raises(auth.PushVerificationError):
			auth.verify_push(
				self.key, self.url, self.body.replace(b'"A"', b'"B"'), self.signature, 1000, now=1000
			)

	@pytest.mark.parametrize("now", [1301, 699])
	def test_timestamp_outside_drift_fails(self, now):
		with pytest.raises(auth.PushVerificationError, match="drift"):
			auth.verify_push(self.key, self.url, self.body, self.signature, 1000, now=now)

	@pytest.mark.parametrize("now", [1300, 700])
	def test_timestamp_at_drift_edge_passes(self, now):
		auth.verify_push(self.key, self.url, self.body, self.signature, 1000, now=now)

	def test_missing_timestamp_fails(self):
		with pytest.raises(auth.PushVerificationError, match="timestamp"):
			auth.verify_push(self.key, self.url, self.body, self.signature, None, now=1000)

	def test_empty_key_fails(self):
		with pytest.raises(auth.PushVerificationError):
			auth.verify_push("", self.url, self.body, self.signature, 1000, now=1000)
