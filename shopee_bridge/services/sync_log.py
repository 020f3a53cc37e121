"""Shopee Sync Log: one row per job run, with counts and the error of each failed order."""

import frappe
from frappe.utils import now_datetime

from shopee_bridge.constants import SYNC_LOG
from shopee_bridge.utils import truncate

MAX_ROWS = 500
COUNTERS = ("fetched", "created_count", "updated", "skipped", "failed", "api_calls")


class SyncRun:
	"""Collects counts while a job runs and writes them to its Shopee Sync Log row."""

	def __init__(self, job: str, shop: str | None = None, triggered_by: str | None = None):
		self.counts = dict.fromkeys(COUNTERS, 0)
		self.errors: list[tuple[str, str]] = []
		self.log = frappe.get_doc(
			{
				"doctype": SYNC_LOG,
				"job": job,
				"shop": shop,
				"status": "Running",
				"triggered_by": triggered_by or frappe.session.user,
				"started_at": now_datetime(),
			}
		).insert(ignore_permissions=True)
		frappe.db.commit()  # nosemgrep: the Running row shows in Desk while the job works

	@property
	def name(self) -> str:
		return self.log.name

	def add(self, counter: str, n: int = 1) -> None:
		self.counts[counter] += n

	def count_call(self, record) -> None:
		"""ShopeeClient on_call hook: count every HTTP attempt."""
		self.counts["api_calls"] += 1

	def add_error(self, reference: str, error: Exception | str) -> None:
		self.counts["failed"] += 1
		self.add_note(reference, str(error))

	def add_note(self, reference: str, message: str) -> None:
		"""Something to look at that is not a failure (e.g. an order booked with a Shopee difference)."""
		if len(self.errors) < MAX_ROWS:  # a long run keeps counting, but lists only the first ones
			self.errors.append((reference, truncate(message, 1000)))

	def finish(self, error: Exception | None = None, **window) -> str:
		"""Write counts and errors; the status is Failed on a job error, Partial when orders failed."""
		status = "Failed" if error else ("Partial" if self.errors else "Success")
		summary = self.log.message  # a job's own summary (e.g. the reconciliation's), lost to reload()
		self.log.reload()
		self.log.update({**self.counts, **window, "status": status, "ended_at": now_datetime()})
		self.log.message = truncate(f"{type(error).__name__}: {error}", 1000) if error else summary
		for reference, message in self.errors:
			self.log.append("errors", {"reference": reference, "error": message})
		self.log.save(ignore_permissions=True)
		frappe.db.commit()  # nosemgrep: the log is the job's record, also when it failed
		self.publish_finished()
		return status

	def publish_finished(self) -> None:
		"""Tell the user who started the run how it ended (the Shopee Shop form shows the counts)."""
		message = {
			"log": self.log.name,
			"job": self.log.job,
			"shop": self.log.shop,
			"status": self.log.status,
			"message": self.log.message,
			**self.counts,
		}
		frappe.publish_realtime("shopee_sync_finished", message, user=self.log.triggered_by)


def sync_start(checkpoint, settings, now: int) -> int:
	"""Where an incremental sync starts: its checkpoint minus the overlap, or the first-sync look-back."""
	if checkpoint:
		return max(0, int(checkpoint) - int(settings.sync_overlap_seconds or 0))
	return now - int(settings.initial_sync_days or 14) * 86400
