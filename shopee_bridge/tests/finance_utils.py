"""Factories for the finance tests: payout bank accounts, credit notes, a seed with every awkward case,
and a shop set up for finance the way a seller does it, through the readiness check."""

import re
import time
from decimal import Decimal

import frappe
from frappe.utils import flt

from shopee_bridge import api
from shopee_bridge.constants import SHOP
from shopee_bridge.sandbox import Dataset
from shopee_bridge.tests.utils import default_company, draw_sandbox_seed, make_account


def payout_bank_account(currency: str, company: str | None = None) -> str:
	"""A company Bank Account in `currency` whose GL account receives Shopee withdrawals (created once)."""
	company = company or default_company()
	gl = make_account(
		f"Shopee Payout Bank {currency}",
		[{"account_type": "Bank"}, {"account_name": "Bank Accounts"}],
		company,
		account_type="Bank",
		account_currency=currency,
	)
	if not frappe.db.exists("Bank", "Shopee Test Bank"):
		frappe.get_doc({"doctype": "Bank", "bank_name": "Shopee Test Bank"}).insert(ignore_permissions=True)
	name = frappe.db.get_value("Bank Account", {"account": gl}, "name")
	if not name:
		name = (
			frappe.get_doc(
				{
					"doctype": "Bank Account",
					"account_name": f"Shopee Payouts {currency}",
					"bank": "Shopee Test Bank",
					"account": gl,
					"is_company_account": 1,
					"company": company,
				}
			)
			.insert(ignore_permissions=True)
			.name
		)
	return name


def set_up_through_the_check(shop: str) -> list[dict]:
	"""Do what Check Finance Setup asks, gap by gap, until it is empty; returns every gap it named.

	Only what a seller does: Set Up Finance Accounts for the gaps it can fill, and for the Payout Bank
	Account the Bank Account the message names, or a new company one in the currency it asks for.
	"""
	named = []
	for _round in range(5):
		gaps = api.check_finance_setup(shop)
		if not gaps:
			return named
		named += gaps
		gap = next((gap for gap in gaps if gap["can_create"]), gaps[0])
		if gap["can_create"]:
			api.setup_finance_accounts(shop)
		elif gap["field"] == "bank_account":
			set_payout_bank_as_asked(shop, gap["message"])
		else:
			raise AssertionError(f"a gap with no seller's fix: {gap}")
		frappe.db.commit()  # nosemgrep: the finance runs read the shop
	raise AssertionError(f"the check still names gaps after 5 fixes: {api.check_finance_setup(shop)}")


def set_payout_bank_as_asked(shop: str, message: str) -> None:
	"""The Bank Account the gap suggests (e.g. ...), else a new one in the currency it asks for, on the shop."""
	suggested = re.search(r"e\.g\. (.+)$", message)
	if suggested:
		bank_account = suggested.group(1).split(", ")[0]
	else:
		currency = re.search(r"whose account is in (\w+)", message)
		assert currency, f"the gap names no Bank Account nor currency: {message}"
		bank_account = payout_bank_account(currency.group(1))
	doc = frappe.get_doc(SHOP, shop)
	doc.bank_account = bank_account
	doc.save()


def make_credit_note(invoice: str, refund: Decimal, own_outstanding: bool = False) -> str:
	"""A submitted credit note against the invoice whose grand total is exactly -refund.

	Made as the returns flow makes it: ERPNext's make_sales_return, the returned lines at their invoiced
	rates (enough of them to cover the refund), no shipping or residual rows, and the rest as discount.
	"""
	from erpnext.accounts.doctype.sales_invoice.sales_invoice import make_sales_return

	cn = make_sales_return(invoice)
	cn.set("taxes", [])
	kept, covered = [], Decimal(0)
	for row in cn.items:
		if covered >= refund:
			break
		units = min(int(abs(row.qty)), max(1, int((refund - covered) / Decimal(str(row.rate))) + 1))
		row.qty = -units
		kept.append(row)
		covered += Decimal(str(row.rate)) * units
	cn.set("items", kept)
	cn.update(
		{
			"apply_discount_on": "Grand Total",
			"additional_discount_percentage": 0,
			"discount_amount": float(refund - covered),
			"disable_rounded_total": 1,
			"update_outstanding_for_self": int(own_outstanding),
		}
	)
	cn.insert(ignore_permissions=True)
	assert abs(flt(cn.grand_total) + float(refund)) < 0.001, (cn.grand_total, refund)
	cn.submit()
	return cn.name


def wallet_rows(dataset: Dataset, shop_id: int) -> list[dict]:
	return dataset.wallet_transactions(shop_id, 0, int(time.time()))


def completed_orders(dataset: Dataset, shop_id: int) -> list[int]:
	"""Indexes of the shop's COMPLETED orders: their escrow is final, released to the wallet or not."""
	return [index for _moment, index in dataset.completed_between(shop_id, 0, int(time.time()))]


def awkward_cases(dataset: Dataset, shops: list[dict]) -> dict:
	"""What the finance month needs from a seed: escrows at zero and below, refunds, adjustments, splits..."""
	found = {
		"minus": 0,
		"refunds": 0,
		"adjustments": 0,
		"split": 0,
		"cancelled": 0,
		"completed": 0,
		"zero_escrow": 0,
		"return_shipping": 0,
		"over_refund": 0,
		"adjusted_below_zero": 0,
	}
	for shop in shops:
		rows = wallet_rows(dataset, shop["shop_id"])
		found["minus"] += sum(row["transaction_type"] == "ESCROW_VERIFIED_MINUS" for row in rows)
		found["adjustments"] += sum(row["transaction_type"].startswith("ADJUSTMENT_") for row in rows)
		found["cancelled"] += sum(row["transaction_type"] == "WITHDRAWAL_CANCELLED" for row in rows)
		found["completed"] += sum(row["transaction_type"] == "WITHDRAWAL_COMPLETED" for row in rows)
		roots = [row["root_withdrawal_id"] for row in rows if row["transaction_type"] == "WITHDRAWAL_CREATED"]
		found["split"] += len(roots) - len(set(roots))
		for index in completed_orders(dataset, shop["shop_id"]):
			income = dataset.escrow_detail(index)["order_income"]
			found["refunds"] += bool(income["seller_return_refund"])
			ending = dataset.escrow_ending(index)
			if ending and (ending != "zero_escrow" or not income["escrow_amount_after_adjustment"]):
				found[ending] += 1
			found["adjusted_below_zero"] += (
				income["escrow_amount"] > 0 > income["escrow_amount_after_adjustment"]
			)
	return found


def pick_seed(orders: int, shops: list[dict], tries: int = 200) -> int:
	"""A random seed whose month has every awkward case (escrows at zero and below, 3+ refunds, ...)."""

	def has_every_case(dataset) -> bool:
		found = awkward_cases(dataset, shops)
		return bool(
			found["minus"]
			and found["refunds"] >= 3
			and found["adjustments"]
			and found["split"]
			and found["cancelled"]
			and found["zero_escrow"] >= 2  # one of them gets a late adjustment
			and found["return_shipping"]
			and found["over_refund"]
			and found["adjusted_below_zero"]
		)

	anchor = int(time.time()) // 3600 * 3600
	return draw_sandbox_seed(
		has_every_case, "every awkward case", tries, orders=orders, shops=shops, anchor=anchor, harsh=True
	)
