"""Shopee Payout Reconciliation: per shop and period, each order down to escrow, wallet and bank."""

import frappe

from shopee_bridge.services import payout_report


def execute(filters=None):
	filters = frappe._dict(filters or {})
	if not (filters.shop and filters.from_date and filters.to_date):
		return payout_report.columns(), []
	return payout_report.build(filters)
