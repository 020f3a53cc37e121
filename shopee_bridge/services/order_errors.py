"""Why an order, or one step of it, cannot be booked yet; services/waiting_orders.py lists them."""

import frappe
from frappe import _


class MissingEscrowError(frappe.ValidationError):
	"""A paid order came without escrow detail: its Shopee-funded amounts are unknown, so it waits."""

	def __init__(self, order_sn: str):
		super().__init__(
			_(
				"Shopee sent no escrow detail for paid order {0}, so its Shopee-funded amounts are unknown;"
				" it is not booked yet and is retried on the next run"
			).format(order_sn)
		)


class MissingOrderDetailError(frappe.DoesNotExistError):
	"""Shopee listed the order but returned no detail for it; it is retried on the next run."""

	def __init__(self, order_sn: str):
		super().__init__(_("Shopee returned no detail for order {0}").format(order_sn))


class ShopSetupError(frappe.ValidationError):
	"""Something the Shopee Shop or Shopee Settings must be given before the order can be booked."""


class NoStockError(frappe.ValidationError):
	"""A stock Item of a Delivery Note has less stock than it ships, and negative stock is not allowed."""
