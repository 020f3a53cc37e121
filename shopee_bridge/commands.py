"""bench --site SITE shopee ...: the syncs, backfills and reports, from a terminal, with a progress bar."""

import click
from frappe.commands import get_site, pass_context


@click.group("shopee")
def shopee():
	"""Shopee Bridge: syncs, backfills and reports for operators and scripts."""


def _connect(context) -> None:
	import frappe

	frappe.init(site=get_site(context))
	frappe.connect()
	frappe.set_user("Administrator")


def _shops(names: tuple[str, ...]) -> list[str]:
	import frappe

	from shopee_bridge.constants import SHOP

	if names:
		return list(names)
	return frappe.get_all(SHOP, filters={"enabled": 1, "status": "Connected"}, pluck="name")


def _print_log(log_name: str) -> None:
	import frappe

	log = frappe.get_doc("Shopee Sync Log", log_name)
	click.echo(
		f"{log.shop}: {log.status}; fetched {log.fetched}, created {log.created_count}, updated {log.updated}, "
		f"failed {log.failed}, Shopee calls {log.api_calls} ({log.name})"
	)


@shopee.command("sync-orders")
@click.option("--shop", "shops", multiple=True, help="Shop id (repeatable); default every connected shop")
@pass_context
def sync_orders(context, shops):
	"""Pull the orders changed since each shop's checkpoint."""
	from shopee_bridge.services.orders import sync_incremental_orders

	_connect(context)
	for shop in _shops(shops):
		with click.progressbar(length=100, label=f"orders of {shop}") as bar:
			log = sync_incremental_orders(shop, progress=lambda percent: bar.update(percent - bar.pos))
		_print_log(log)


@shopee.command("backfill")
@click.option("--shop", "shops", multiple=True, help="Shop id (repeatable); default every connected shop")
@click.option("--from", "date_from", required=True, help="First day, YYYY-MM-DD")
@click.option("--to", "date_to", required=True, help="Last day, YYYY-MM-DD")
@click.option("--what", default="", help="Comma-separated kinds (default all)")
@pass_context
def backfill(context, shops, date_from, date_to, what):
	"""Backfill a date range in Shopee-sized windows; resumable (see Shopee Backfill in Desk)."""
	from shopee_bridge.services import fiscal

	_connect(context)
	kinds = [kind for kind in what.split(",") if kind] or None
	for shop in _shops(shops):
		name = fiscal.backfill(shop, date_from, date_to, kinds, inline=True)
		_run_backfill_with_bar(name, shop)


@shopee.command("fiscal-year-sync")
@click.option("--shop", "shops", multiple=True, help="Shop id (repeatable); default every connected shop")
@click.option("--fiscal-year", required=True, help="ERPNext Fiscal Year name")
@pass_context
def fiscal_year_sync(context, shops, fiscal_year):
	"""Backfill everything of a Fiscal Year."""
	import frappe

	from shopee_bridge.services import fiscal

	_connect(context)
	start, end = frappe.db.get_value("Fiscal Year", fiscal_year, ["year_start_date", "year_end_date"])
	for shop in _shops(shops):
		name = fiscal.backfill(shop, start, end, fiscal_year=fiscal_year, inline=True)
		_run_backfill_with_bar(name, shop)


def _run_per_shop(label: str, shops: list[str], run) -> None:
	"""Run `run(shop)` (returning a Sync Log name) for each shop, a bar over the shops."""
	logs = []
	with click.progressbar(shops, label=label, item_show_func=lambda shop: shop) as bar:
		for shop in bar:
			logs.append(run(shop))
	for log in logs:
		_print_log(log)


@shopee.command("sync-returns")
@click.option("--shop", "shops", multiple=True, help="Shop id (repeatable); default every connected shop")
@pass_context
def sync_returns(context, shops):
	"""Pull the returns changed since each shop's checkpoint and make their credit notes and return notes."""
	from shopee_bridge.services.returns import sync_incremental_returns

	_connect(context)
	_run_per_shop(
		"returns", _shops(shops), lambda shop: sync_incremental_returns(shop, triggered_by="Administrator")
	)


@shopee.command("sync-finance")
@click.option("--shop", "shops", multiple=True, help="Shop id (repeatable); default every connected shop")
@pass_context
def sync_finance(context, shops):
	"""Wallet, escrow settlements, payments, withdrawals and bank reconciliation of each shop."""
	from shopee_bridge.services.finance import sync_finance as run

	_connect(context)
	_run_per_shop("finance", _shops(shops), lambda shop: run(shop, triggered_by="Administrator"))


@shopee.command("integrity-report")
@click.option("--shop", "shops", multiple=True, help="Shop id (repeatable); default every connected shop")
@click.option("--from", "date_from", default=None, help="First day, YYYY-MM-DD (default: 30 days ago)")
@click.option("--to", "date_to", default=None, help="Last day, YYYY-MM-DD (default: yesterday)")
@pass_context
def integrity_report(context, shops, date_from, date_to):
	"""Compare Shopee with ERPNext; saves a Shopee Integrity Report with its files and SHA-256 digests."""
	import frappe

	from shopee_bridge.constants import INTEGRITY_REPORT
	from shopee_bridge.services.integrity import report_job

	_connect(context)
	names = []
	with click.progressbar(_shops(shops), label="integrity", item_show_func=lambda shop: shop) as bar:
		for shop in bar:
			names.append(report_job(shop, date_from=date_from, date_to=date_to))
	for name in names:
		report = frappe.get_doc(INTEGRITY_REPORT, name)
		click.echo(
			f"{report.shop}: {report.status}, {report.mismatch_count} mismatches: {report.summary} ({name})"
		)
	if any(frappe.db.get_value(INTEGRITY_REPORT, name, "mismatch_count") for name in names):
		raise SystemExit(1)


def _run_backfill_with_bar(name: str, shop: str) -> None:
	import frappe

	from shopee_bridge.constants import BACKFILL
	from shopee_bridge.services import fiscal

	total = frappe.db.get_value(BACKFILL, name, "windows_total")
	with click.progressbar(length=total, label=f"backfill {name} of {shop}") as bar:
		status = fiscal.run_backfill(name, progress=lambda done, _total, _records: bar.update(done - bar.pos))
	records = frappe.db.get_value(BACKFILL, name, "records_done")
	click.echo(f"{shop}: backfill {name} {status}, {records} records")


commands = [shopee]
