"""Is a shop ready for its finance run? One check for the shop form, its banner and every finance run.

Each gap says what is missing and what to do: {field, label, message, fix_route, can_create}. `field` is
the Shopee Shop field to fix, `fix_route` the Desk page that fixes it (the shop, or a new Bank Account),
`can_create` whether Set Up Finance Accounts (services/finance_accounts.py) fills it. The booking code
raises the same messages, so a record that waits for the setup says exactly what the check says.
"""

from urllib.parse import urlencode

import frappe
from frappe import _
from frappe.utils import get_absolute_url

from shopee_bridge.constants import SHOP
from shopee_bridge.mappers import finance as terms
from shopee_bridge.services.order_errors import ShopSetupError

SET_UP = "Set Up Finance Accounts"


def finance_gaps(shop) -> list[dict]:
	"""What the shop lacks for finance (empty when ready); `shop` is a name or a Shopee Shop doc."""
	shop = frappe.get_doc(SHOP, shop) if isinstance(shop, str) else shop
	gaps = [wallet_gap(shop), *fee_gaps(shop), payout_bank_gap(shop), difference_gap(shop)]
	return [gap for gap in gaps if gap]


def wallet_gap(shop) -> dict | None:
	if not shop.wallet_account:
		return _shop_gap(
			shop,
			"wallet_account",
			_(
				"No Shopee Wallet Account on shop {0}: press {1} (Finance menu) to create one in {2},"
				" or set one on the shop (Finance section)"
			).format(shop.name, _(SET_UP), wallet_currency(shop)),
			can_create=True,
		)
	problem = account_problem(shop.wallet_account, shop.company, {shop.currency or company_currency(shop)})
	if problem:
		return _shop_gap(
			shop,
			"wallet_account",
			_(
				"The Shopee Wallet Account {1} of shop {0} {2}: set an account of {3} in {4} (Finance section)"
			).format(shop.name, shop.wallet_account, problem, shop.company, shop.currency),
		)
	return None


def fee_gaps(shop) -> list[dict]:
	"""One gap for the fee types without an account, one per fee account that cannot be booked on."""
	accounts = {row.fee_type: row.account for row in shop.fee_accounts if row.account}
	missing = [fee_type for fee_type in terms.FEE_TYPES if fee_type not in accounts]
	gaps = [missing_fees_gap(shop, missing)] if missing else []
	currencies = {company_currency(shop), shop.currency or company_currency(shop)}
	for fee_type, account in accounts.items():
		problem = account_problem(account, shop.company, currencies)
		if problem:
			message = _(
				"The {1} fee account {2} of shop {0} {3}: choose an account of {4} in {5} in its Fee Accounts"
			).format(shop.name, _(fee_type), account, problem, shop.company, " / ".join(sorted(currencies)))
			gaps.append(_shop_gap(shop, "fee_accounts", message, label=_(fee_type)))
	return gaps


def missing_fees_gap(shop, fee_types: list[str]) -> dict:
	message = _(
		"No fee account for {1} on shop {0}: press {2} (Finance menu) to create them, or add the rows"
		" to its Fee Accounts"
	).format(shop.name, ", ".join(_(fee_type) for fee_type in fee_types), _(SET_UP))
	return _shop_gap(shop, "fee_accounts", message, can_create=True)


def payout_bank_gap(shop) -> dict | None:
	"""The Payout Bank Account: set, with a company (GL) account in the wallet's currency."""
	currency = wallet_currency(shop)
	if not shop.bank_account:
		return missing_bank_gap(shop, currency)
	gl_account = frappe.db.get_value("Bank Account", shop.bank_account, "account")
	if not gl_account:
		message = _(
			"Bank Account {1}, the Payout Bank Account of shop {0}, has no Company Account (GL): set one in {2}"
			" on the Bank Account"
		).format(shop.name, shop.bank_account, currency)
		return _gap("bank_account", shop, message, get_absolute_url("Bank Account", shop.bank_account))
	gl_currency = frappe.get_cached_value("Account", gl_account, "account_currency")
	if gl_currency != currency:
		message = _(
			"The Payout Bank Account {1} of shop {0} books on {2}, in {3}, but withdrawals leave the wallet"
			" in {4}: set a Bank Account whose account is in {4} on the shop (Accounts section)"
		).format(shop.name, shop.bank_account, gl_account, gl_currency, currency)
		return _shop_gap(shop, "bank_account", message)
	return None


def missing_bank_gap(shop, currency: str) -> dict:
	"""Point at a company Bank Account in the right currency when one exists, else at a new one."""
	candidates = bank_accounts_in(shop.company, currency)
	if candidates:
		message = _(
			"No Payout Bank Account on shop {0}: set one on the shop (Accounts section), e.g. {1}"
		).format(shop.name, ", ".join(candidates[:3]))
		return _shop_gap(shop, "bank_account", message)
	message = _(
		"No Payout Bank Account on shop {0}: create a company Bank Account whose account is in {1},"
		" then set it on the shop (Accounts section)"
	).format(shop.name, currency)
	query = urlencode({"is_company_account": 1, "company": shop.company or ""})
	return _gap("bank_account", shop, message, f"{get_absolute_url('Bank Account', 'new')}?{query}")


def difference_gap(shop) -> dict | None:
	if not shop.shopee_difference_account:
		message = _(
			"No Shopee Difference Account on shop {0}: press {1} (Finance menu) to create one, or set one on"
			" the shop (Accounts section)"
		).format(shop.name, _(SET_UP))
		return _shop_gap(shop, "shopee_difference_account", message, can_create=True)
	currencies = {company_currency(shop), shop.currency or company_currency(shop)}
	problem = account_problem(shop.shopee_difference_account, shop.company, currencies)
	if problem:
		message = _(
			"The Shopee Difference Account {1} of shop {0} {2}: set another one (Accounts section)"
		).format(shop.name, shop.shopee_difference_account, problem)
		return _shop_gap(shop, "shopee_difference_account", message)
	return None


def account_problem(account: str, company: str | None, currencies: set) -> str | None:
	"""Why an account cannot take the shop's entries, or None."""
	row = frappe.db.get_value(
		"Account", account, ["company", "is_group", "disabled", "account_currency"], as_dict=True
	)
	if not row:
		return _("does not exist")
	if row.is_group or row.disabled:
		return _("is a group or disabled account")
	if company and row.company != company:
		return _("belongs to {0}").format(row.company)
	if row.account_currency not in currencies:
		return _("is in {0}").format(row.account_currency)
	return None


def bank_accounts_in(company: str | None, currency: str) -> list[str]:
	"""The company's Bank Accounts whose GL account is in `currency`."""
	names = frappe.get_all(
		"Bank Account",
		filters={"is_company_account": 1, "company": company, "disabled": 0, "account": ["is", "set"]},
		fields=["name", "account"],
	)
	return [
		row.name
		for row in names
		if frappe.get_cached_value("Account", row.account, "account_currency") == currency
	]


def wallet_currency(shop) -> str:
	"""The wallet's currency: its account's, else the shop's (Set Up Finance Accounts creates it so)."""
	if shop.wallet_account:
		currency = frappe.get_cached_value("Account", shop.wallet_account, "account_currency")
		if currency:
			return currency
	return shop.currency or company_currency(shop)


def company_currency(shop) -> str | None:
	return frappe.get_cached_value("Company", shop.company, "default_currency") if shop.company else None


def _shop_gap(shop, field: str, message: str, can_create: bool = False, label: str | None = None) -> dict:
	# the form scrolls to the field named in the address's hash
	return _gap(field, shop, message, f"{get_absolute_url(SHOP, shop.name)}#{field}", can_create, label)


def _gap(field: str, shop, message: str, fix_route: str, can_create: bool = False, label=None) -> dict:
	return {
		"field": field,
		"label": label or _(shop.meta.get_label(field)),
		"message": message,
		"fix_route": fix_route,
		"can_create": can_create,
	}


def raise_gap(gap: dict | None) -> None:
	"""Refuse to book while a gap stands, with the check's own words."""
	if gap:
		frappe.throw(gap["message"], ShopSetupError)
