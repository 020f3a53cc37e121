"""Names shared by the app: roles, custom field names, Shopee hosts and push codes (no frappe import)."""

MODULE = "Shopee Bridge"
MANAGER_ROLE = "Shopee Manager"
WORKSPACE = "Shopee Bridge"

ORDER_SN_FIELD = "shopee_order_sn"
SHOP_FIELD = "shopee_shop"
BUYER_USERNAME_FIELD = "buyer_username"
CUSTOMER_KEY_FIELD = "shopee_buyer_username"
LAST_PUSH_FIELD = "last_pushed_update_time"

SETTINGS = "Shopee Settings"
SHOP = "Shopee Shop"
INBOX = "Shopee Webhook Inbox"
SYNC_LOG = "Shopee Sync Log"
OAUTH_STATE = "Shopee OAuth State"
ITEM_MAP = "Shopee Item Map"
LISTING = "Shopee Listing"

PRODUCTION_HOST = "https://partner.shopeemobile.com"
SANDBOX_HOST = "https://openplatform.sandbox.test-stable.shopee.sg"
LOCAL_SANDBOX_URL = "http://127.0.0.1:8899"
ENVIRONMENT_HOSTS = {"Production": PRODUCTION_HOST, "Sandbox": SANDBOX_HOST}

WEBHOOK_LIVE_METHOD = "shopee_bridge.api.webhook_live"
WEBHOOK_TEST_METHOD = "shopee_bridge.api.webhook_test"
# Shopee pushes are a few hundred bytes; anything far larger is refused before it is parsed.
MAX_PUSH_BYTES = 64 * 1024
OAUTH_CALLBACK_METHOD = "shopee_bridge.api.oauth_callback"

OAUTH_STATE_TTL_SECONDS = 600

# Shopee push codes (shopee-api.md §5.4). The names are Shopee's.
PUSH_CODES = {
	0: "test_push",
	1: "shop_authorization_push",
	2: "shop_authorization_canceled_push",
	3: "order_status_push",
	4: "order_trackingno_push",
	5: "shopee_updates",
	6: "banned_item_push",
	7: "item_promotion_push",
	8: "reserved_stock_change_push",
	9: "promotion_update_push",
	10: "webchat_push",
	11: "video_upload_push",
	12: "open_api_authorization_expiry",
	13: "brand_register_result",
	15: "shipping_document_status_push",
	16: "violation_item_push",
	22: "item_price_update_push",
	23: "booking_status_push",
	24: "booking_trackingno_push",
	25: "booking_shipping_document_status_push",
	27: "item_scheduled_publish_failed_push",
	28: "shop_penalty_update_push",
	29: "return_updates_push",
	30: "package_fulfillment_status_push",
	37: "courier_delivery_binding_status_push",
	38: "video_upload_result_push",
	47: "package_info_push",
}

# Webhook inbox retry schedule in seconds; attempts past its end reuse the last delay.
BACKOFF_SCHEDULE = (60, 300, 900, 3600, 10800)
DEFAULT_MAX_ATTEMPTS = 8

ADDRESS_KEY_FIELD = "shopee_address_key"
BUYER_PAID_FIELD = "shopee_buyer_paid_amount"
SHOPEE_FUNDED_FIELD = "shopee_funded_amount"
BUYER_FEE_FIELD = "shopee_buyer_transaction_fee"
RESIDUAL_FIELD = "shopee_amount_residual"
WAITING_REASON_FIELD = "shopee_waiting_reason"
ORDER_STATUS_FIELD = "shopee_order_status"

WAITING_ORDER = "Shopee Waiting Order"
BACKFILL = "Shopee Backfill"
INTEGRITY_REPORT = "Shopee Integrity Report"
ORDER_INCOME = "Shopee Order Income"

# Shopee shops trade in their region's currency (get_shop_info has no currency field).
REGION_CURRENCIES = {
	"SG": "SGD",
	"MY": "MYR",
	"TH": "THB",
	"VN": "VND",
	"PH": "PHP",
	"ID": "IDR",
	"TW": "TWD",
	"BR": "BRL",
	"MX": "MXN",
	"CO": "COP",
	"CL": "CLP",
	"PL": "PLN",
}

# Logistics and returns
RETURN = "Shopee Return"
SHIPPING_LABEL = "Shopee Shipping Label"
PACKAGE_FIELD = "shopee_package_number"
TRACKING_FIELD = "shopee_tracking_number"
CARRIER_FIELD = "shopee_shipping_carrier"
SHIPPING_MODE_FIELD = "shopee_shipping_mode"
LOGISTICS_STATUS_FIELD = "shopee_logistics_status"
SHIPMENT_STATE_FIELD = "shopee_shipment_state"
SHIPPED_AT_FIELD = "shopee_shipment_arranged_at"
RETURN_SN_FIELD = "shopee_return_sn"

# Finance: settlements, wallet, withdrawals, payout matches
SETTLEMENT = "Shopee Escrow Settlement"
WALLET_TRANSACTION = "Shopee Wallet Transaction"
WITHDRAWAL = "Shopee Withdrawal"
PAYOUT_MATCH = "Shopee Payout Match"
PAYOUT_REPORT = "Shopee Payout Reconciliation"
ENTRY_KEY_FIELD = "shopee_entry_key"  # unique on Journal / Payment Entry: one document per Shopee event
COMPONENT_FIELD = "shopee_component"  # Journal Entry Account: the escrow term a row books
COMPONENT_AMOUNT_FIELD = "shopee_component_amount"  # ... and its amount in the order's currency
