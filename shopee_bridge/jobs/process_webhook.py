"""Process Shopee Webhook Inbox rows: claim, dispatch to a handler, record the outcome, retry with backoff."""

import frappe
from frappe.utils import add_to_date, now_datetime

from shopee_bridge.constants import DEFAULT_MAX_ATTEMPTS, INBOX
from shopee_bridge.services import webhook_handlers
from shopee_bridge.services.webhook_inbox import enqueue_processing
from shopee_bridge.shop_client import get_settings
from shopee_bridge.utils import log_error, truncate
from shopee_bridge.webhooks import is_exhausted, parse_push, retry_delay

RUNNABLE = ("Queued", "Failed")
STALE_PROCESSING_MINUTES = 30


def run(inbox_name: str) -> str | None:
	"""Process one inbox row; returns its final status, or None if another worker has it."""
	frappe.set_user("Administrator")
	attempts = claim(inbox_name)
	if attempts is None:
		return None
	row = frappe.get_doc(INBOX, inbox_name)
	try:
		outcome = webhook_handlers.dispatch(parse_push(row.payload.encode()), row)
	except Exception as e:
		frappe.db.rollback()
		return record_failure(inbox_name, attempts, e)
	return record_outcome(inbox_name, outcome)


def claim(inbox_name: str) -> int | None:
	"""Lock the row, move it to Processing and count the attempt; None when it is not runnable."""
	row = frappe.db.get_value(INBOX, inbox_name, ["status", "attempts"], as_dict=True, for_update=True)
	if not row or row.status not in RUNNABLE:
		frappe.db.rollback()
		return None
	attempts = (row.attempts or 0) + 1
	frappe.db.set_value(INBOX, inbox_name, {"status": "Processing", "attempts": attempts})
	frappe.db.commit()  # nosemgrep: other workers must see the claim before the handler runs
	return attempts


def record_outcome(inbox_name: str, outcome: "webhook_handlers.Outcome") -> str:
	frappe.db.set_value(
		INBOX,
		inbox_name,
		{
			"status": outcome.status,
			"result": truncate(outcome.message, 1000),
			"last_error": None,
			"reference_doctype": outcome.reference_doctype,
			"reference_name": outcome.reference_name,
			"processed_at": now_datetime(),
			"next_retry_at": None,
		},
	)
	frappe.db.commit()  # nosemgrep: the row's outcome is the job's result
	return outcome.status


def record_failure(inbox_name: str, attempts: int, error: Exception) -> str:
	"""Schedule the next try per the backoff schedule, or mark the row Dead after the maximum."""
	max_attempts = get_settings().webhook_max_attempts or DEFAULT_MAX_ATTEMPTS
	dead = is_exhausted(attempts, max_attempts)
	status = "Dead" if dead else "Failed"
	message = truncate(f"{type(error).__name__}: {error}", 1000)
	frappe.db.set_value(
		INBOX,
		inbox_name,
		{
			"status": status,
			"last_error": message,
			"next_retry_at": None if dead else add_to_date(now_datetime(), seconds=retry_delay(attempts)),
		},
	)
	log_error(
		f"Shopee push {inbox_name} failed (attempt {attempts})",
		message,
		reference_doctype=INBOX,
		reference_name=inbox_name,
	)
	frappe.db.commit()  # nosemgrep: failure bookkeeping must persist; the handler's work was rolled back
	return status


def retry_due() -> list[str]:
	"""Scheduler: re-enqueue Failed rows whose next_retry_at has passed, and recover stuck Processing rows."""
	try:
		recover_stale_processing()
		due = frappe.get_all(
			INBOX,
			filters={"status": "Failed", "next_retry_at": ["<=", now_datetime()]},
			pluck="name",
			order_by="next_retry_at asc",
			limit=500,
		)
		for name in due:
			enqueue_processing(name)
		frappe.db.commit()  # nosemgrep: enqueue_after_commit releases the jobs on commit
		return due
	except Exception:
		log_error("Shopee webhook retry scan failed")
		raise


def recover_stale_processing() -> None:
	"""A worker that died mid-row leaves it in Processing; count that as a failed attempt."""
	cutoff = add_to_date(now_datetime(), minutes=-STALE_PROCESSING_MINUTES)
	for name in frappe.get_all(
		INBOX, filters={"status": "Processing", "modified": ["<", cutoff]}, pluck="name"
	):
		frappe.db.set_value(
			INBOX, name, {"status": "Failed", "next_retry_at": now_datetime(), "last_error": "worker lost"}
		)


def retry_now(names: list[str]) -> list[str]:
	"""Desk "Retry now": make the rows due immediately and enqueue them."""
	retried = []
	for name in names:
		status = frappe.db.get_value(INBOX, name, "status")
		if status in ("Failed", "Dead", "Ignored"):
			frappe.db.set_value(INBOX, name, {"status": "Queued", "next_retry_at": None})
			enqueue_processing(name)
			retried.append(name)
	return retried
