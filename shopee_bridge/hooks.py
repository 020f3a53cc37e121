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


scheduler_events = {
	"cron": {
		"*/2 * * * *": ["shopee_bridge.jobs.process_webhook.retry_due"],
		"*/30 * * * *": ["shopee_bridge.jobs.tokens.refresh_expiring_tokens"],
		"*/5 * * * *": ["shopee_bridge.jobs.orders.schedule_incremental_sync"],
		"* * * * *": ["shopee_bridge.jobs.stock.schedule_stock_push"],
		"17 * * * *": ["shopee_bridge.jobs.stock.schedule_stock_reconcile"],
	},
}

default_log_clearing_doctypes = {"Shopee Sync Log": 60, "Shopee OAuth State": 7}

doctype_js = {"Sales Order": "public/js/sales_order.js"}

# Stock changes mark Shopee Item Map rows for the stock push (ERPNext writes Bin without doc_events).
doc_events = {
	"Stock Ledger Entry": {"on_submit": "shopee_bridge.services.stock_changes.on_stock_ledger_entry"},
	"Sales Order": {"on_change": "shopee_bridge.services.stock_changes.on_sales_order_change"},
	"Item Price": {
		"on_update": "shopee_bridge.services.stock_changes.on_item_price_change",
		"on_trash": "shopee_bridge.services.stock_changes.on_item_price_change",
	},
	"Shopee Shop": {"on_update": "shopee_bridge.services.stock_changes.on_shop_update"},
}
