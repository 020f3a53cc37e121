import frappe
from frappe.model.document import Document


class ShopeeBackfill(Document):
	def validate(self):
		from shopee_bridge.services.fiscal import validate_backfill

		validate_backfill(self)

	def before_insert(self):
		from shopee_bridge.services.fiscal import plan_windows

		self.triggered_by = self.triggered_by or frappe.session.user  # made in Desk, or by backfill()
		plan_windows(self)

	def after_insert(self):
		from shopee_bridge.services.fiscal import enqueue_backfill

		if not self.flags.run_inline:  # the bench command runs it in the terminal instead
			enqueue_backfill(self.name)
