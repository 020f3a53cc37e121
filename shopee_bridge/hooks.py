app_name = "shopee_bridge"
app_title = "Shopee Bridge"
app_publisher = "Shopee Bridge developers"
app_description = "Run a Shopee seller's back office inside ERPNext"
app_email = "dev@shopee-bridge.invalid"
app_license = "mit"

# org/repo form: a bare "erpnext" makes install-app look the org up online
required_apps = ["frappe/erpnext"]

before_install = "shopee_bridge.install.before_install"
after_install = "shopee_bridge.install.after_install"
after_migrate = "shopee_bridge.install.after_migrate"
before_tests = "shopee_bridge.install.before_tests"

# Shopee signs pushes with a bare hex Authorization header; keep it away from Frappe's API-key login.
before_request = ["shopee_bridge.services.webhook_inbox.stash_push_authorization"]
# Frappe parses JSON bodies before any app code: a push it fails on still gets the endpoint's answer.
after_request = ["shopee_bridge.services.webhook_inbox.answer_unhandled_push"]


scheduler_events = {
	"cron": {
		"*/2 * * * *": [
			"shopee_bridge.jobs.process_webhook.retry_due",
			"shopee_bridge.shop_client.flush_call_logs",  # failed-call logs a lost job left in Redis
		],
		"*/30 * * * *": ["shopee_bridge.jobs.tokens.refresh_expiring_tokens"],
		"*/5 * * * *": ["shopee_bridge.jobs.schedule.orders"],
		"30 1 * * *": ["shopee_bridge.jobs.schedule.integrity"],
		"*/10 * * * *": [
			"shopee_bridge.services.fiscal.resume_stalled",
			"shopee_bridge.jobs.schedule.tracking",
		],
		"* * * * *": ["shopee_bridge.jobs.schedule.stock_push"],
		"*/15 * * * *": ["shopee_bridge.jobs.schedule.returns"],
		"47 * * * *": ["shopee_bridge.jobs.listings.refresh_listing_states"],
		"17 * * * *": [
			"shopee_bridge.jobs.schedule.shipped_orders",
			"shopee_bridge.jobs.schedule.finance",
			"shopee_bridge.jobs.schedule.stock_reconcile",
		],
	},
}

default_log_clearing_doctypes = {"Shopee Sync Log": 60, "Shopee OAuth State": 7}

doctype_js = {
	"Sales Order": ["public/js/sales_order.js", "public/js/shopee_shipment.js"],
	"Delivery Note": "public/js/shopee_shipment.js",
	"Item": "public/js/item_listing.js",
}
doctype_list_js = {
	"Sales Order": "public/js/shopee_shipment_list.js",
	"Delivery Note": "public/js/shopee_shipment_list.js",
	"Item": "public/js/item_listing_list.js",
}

# A cancelled finance entry releases its Shopee key, so the next finance sync can book the event again;
# stock changes mark Shopee Item Map rows for the stock push (ERPNext writes Bin without doc_events).
doc_events = {
	"Journal Entry": {"on_cancel": "shopee_bridge.services.finance_cancellations.release_entry_key"},
	"Payment Entry": {"on_cancel": "shopee_bridge.services.finance_cancellations.release_entry_key"},
	"Stock Ledger Entry": {"on_submit": "shopee_bridge.services.stock_changes.on_stock_ledger_entry"},
	"Sales Order": {"on_change": "shopee_bridge.services.stock_changes.on_sales_order_change"},
	"Item Price": {
		"on_update": "shopee_bridge.services.stock_changes.on_item_price_change",
		"on_trash": "shopee_bridge.services.stock_changes.on_item_price_change",
	},
	"Shopee Shop": {"on_update": "shopee_bridge.services.stock_changes.on_shop_update"},
	"Item": {"on_update": "shopee_bridge.jobs.listings.on_item_update"},
	"File": {
		"after_insert": "shopee_bridge.jobs.listings.on_item_file_change",
		"on_trash": "shopee_bridge.jobs.listings.on_item_file_change",
	},
}
