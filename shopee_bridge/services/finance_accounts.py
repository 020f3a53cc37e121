"""The shop's finance accounts: the Shopee Wallet account and the account of each fee type.

"Set Up Finance Accounts" (and the first finance sync) fills what is missing with sensible defaults:
the shop's Marketplace Fees Account for the marketplace's own fees when it is set, otherwise one
ledger per fee type under the company's indirect expenses, a "Shopee Difference" ledger there for
escrow remainders, and a Cash-type wallet account in the shop's currency. Rows a user changed are
never touched. What it cannot make (the Payout Bank Account) services/finance_readiness.py names.
"""

import frappe
from frappe import _

from shopee_bridge.constants import SHOP
from shopee_bridge.mappers import finance as terms
from shopee_bridge.services import finance_readiness as readiness
from shopee_bridge.services.order_errors import ShopSetupError

# fee type -> default ledger name (under the company's indirect expenses)
DEFAULT_ACCOUNTS = {
	terms.COMMISSION: "Shopee Commission",
	terms.SERVICE_FEE: "Shopee Service Fees",
	terms.TRANSACTION_FEE: "Shopee Transaction Fees",
	terms.CAMPAIGN_AMS: "Shopee Campaign and Affiliate Fees",
	terms.ORDER_PROCESSING: "Shopee Order Processing Fees",
	terms.SHIPPING: "Shopee Shipping Costs",
	terms.COIN_CASH_BACK: "Shopee Seller Coin Cash Back",
	terms.REBATE_TAKEN_BACK: "Shopee Rebates Taken Back",
	terms.TAXES: "Shopee Taxes Withheld",
	terms.OTHER_FEES: "Shopee Other Fees",
	terms.REFUNDS: "Shopee Refunds",
	terms.ADJUSTMENTS: "Shopee Order Adjustments",
	terms.WITHDRAWAL_FEES: "Shopee Withdrawal Fees",
}
DIFFERENCE_ACCOUNT = "Shopee Difference"
MARKETPLACE_FEE_TYPES = (
	terms.COMMISSION,
	terms.SERVICE_FEE,
	terms.TRANSACTION_FEE,
	terms.CAMPAIGN_AMS,
	terms.ORDER_PROCESSING,
	terms.OTHER_FEES,
)


def setup_finance_accounts(shop_name: str) -> dict:
	"""Create or select what the shop lacks of its wallet, fee and difference accounts; returns what was set."""
	shop = frappe.get_doc(SHOP, shop_name)
	if not shop.company:
		frappe.throw(_("Set the Company on Shopee Shop {0} first").format(shop.name), ShopSetupError)
	changed = {}
	if not shop.wallet_account:
		shop.wallet_account = changed["wallet_account"] = ensure_wallet_account(shop.company, shop.currency)
	present = {row.fee_type for row in shop.fee_accounts if row.account}
	for fee_type in terms.FEE_TYPES:
		if fee_type not in present:
			account = default_fee_account(shop, fee_type)
			shop.append("fee_accounts", {"fee_type": fee_type, "account": account})
			changed[fee_type] = account
	if not shop.shopee_difference_account:
		shop.shopee_difference_account = changed["shopee_difference_account"] = ensure_ledger(
			shop.company, DIFFERENCE_ACCOUNT, _expense_group(shop.company)
		)
	if changed:
		shop.save(ignore_permissions=True)
	return changed


def default_fee_account(shop, fee_type: str) -> str:
	if fee_type in MARKETPLACE_FEE_TYPES and shop.marketplace_fee_account:
		return shop.marketplace_fee_account
	return ensure_ledger(shop.company, DEFAULT_ACCOUNTS[fee_type], _expense_group(shop.company))


def ensure_wallet_account(company: str, currency: str | None) -> str:
	"""A Cash-type ledger "Shopee Wallet <currency>" under the company's cash (or bank) accounts.

	Cash, not Bank: ERPNext clears a voucher only when every Bank-type account it touches is matched
	to a Bank Transaction, and nothing but the payout bank has a statement.
	"""
	currency = currency or frappe.get_cached_value("Company", company, "default_currency")
	parent = next(
		filter(
			None,
			(
				frappe.db.get_value("Account", {"company": company, "is_group": 1, **filters}, "name")
				for filters in ({"account_type": "Cash"}, {"account_type": "Bank"}, {"root_type": "Asset"})
			),
		)
	)
	return ensure_ledger(
		company, f"Shopee Wallet {currency}", parent, account_type="Cash", account_currency=currency
	)


def ensure_ledger(company: str, account_name: str, parent: str, **fields) -> str:
	"""The company's ledger named account_name, created under parent when missing."""
	name = frappe.db.get_value("Account", {"company": company, "account_name": account_name}, "name")
	if name:
		return name
	doc = frappe.get_doc(
		{
			"doctype": "Account",
			"account_name": account_name,
			"company": company,
			"parent_account": parent,
			"is_group": 0,
			**fields,
		}
	)
	doc.insert(ignore_permissions=True)
	return doc.name


def _expense_group(company: str) -> str:
	return frappe.db.get_value(
		"Account", {"company": company, "is_group": 1, "account_name": "Indirect Expenses"}, "name"
	) or frappe.db.get_value("Account", {"company": company, "is_group": 1, "root_type": "Expense"}, "name")


def fee_account(shop, fee_type: str) -> str:
	"""The account a fee type is booked on; the remainder goes to the Shopee Difference Account."""
	if fee_type == terms.DIFFERENCE:
		if not shop.shopee_difference_account:
			readiness.raise_gap(readiness.difference_gap(shop))
		return shop.shopee_difference_account
	account = next((row.account for row in shop.fee_accounts if row.fee_type == fee_type), None)
	if not account:
		readiness.raise_gap(readiness.missing_fees_gap(shop, [fee_type]))
	return account


def wallet_account(shop) -> str:
	if not shop.wallet_account:
		readiness.raise_gap(readiness.wallet_gap(shop))
	return shop.wallet_account


def payout_bank(shop) -> tuple[str, str]:
	"""(Bank Account, its GL account) the withdrawals go to; it must be in the wallet's currency."""
	wallet_account(shop)
	readiness.raise_gap(readiness.payout_bank_gap(shop))
	return shop.bank_account, frappe.db.get_value("Bank Account", shop.bank_account, "account")
