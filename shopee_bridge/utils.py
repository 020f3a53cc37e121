"""Small Frappe-side helpers shared by services and jobs."""

import hashlib
from contextlib import contextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

import frappe
from frappe.utils import get_datetime, get_system_timezone


def site_timezone() -> ZoneInfo:
	return ZoneInfo(get_system_timezone())


def epoch_to_datetime(epoch: int | None) -> datetime | None:
	"""Shopee's UTC seconds as a naive datetime in the site's time zone (how Frappe stores datetimes)."""
	if not epoch:
		return None
	return datetime.fromtimestamp(int(epoch), tz=site_timezone()).replace(tzinfo=None)


def datetime_to_epoch(value) -> int:
	"""A naive site-time-zone datetime back to UTC seconds."""
	if not value:
		return 0
	return int(get_datetime(value).replace(tzinfo=site_timezone()).timestamp())


def truncate(text: str, length: int = 140) -> str:
	text = str(text or "")
	return text if len(text) <= length else text[: length - 1] + "…"


def log_error(title: str, message: str | None = None, **kwargs):
	"""frappe.log_error with a title that always fits Error Log's 140-character method field."""
	return frappe.log_error(title=truncate(title), message=message, **kwargs)


class savepoint:
	"""A nested transaction: roll back to it on error and re-raise."""

	def __init__(self, name: str):
		self.name = name

	def __enter__(self):
		frappe.db.savepoint(self.name)

	def __exit__(self, exc_type, exc, tb):
		if exc_type is not None:
			frappe.db.rollback(save_point=self.name)
		return False


class LockNotAcquired(Exception):
	"""Another worker holds the lock."""


@contextmanager
def as_administrator():
	"""Write as the integration (Administrator), then hand the request back to its user as it was.

	frappe.set_user rewrites the request's session in place (its sid becomes the user's name, its data
	is emptied), and the request saves that session when it ends: the person who clicked would be logged
	out. So the session's sid and data, and the request's form_dict, are put back afterwards.
	"""
	session = frappe.local.session
	user, sid, data, form_dict = session.user, session.sid, session.data, frappe.local.form_dict
	frappe.set_user("Administrator")
	try:
		yield
	finally:
		frappe.set_user(user)
		session.sid, session.data = sid, data
		frappe.local.form_dict = form_dict


@contextmanager
def advisory_lock(name: str, timeout: int = 0):
	"""A database lock across workers (MariaDB GET_LOCK), held by this connection until released.

	It survives commits and rollbacks and dies with the connection, so a killed worker never leaves it.
	"""
	key = hashlib.sha1(f"{frappe.local.site}:{name}".encode(), usedforsecurity=False).hexdigest()
	if not frappe.db.sql("select get_lock(%s, %s)", (key, timeout))[0][0]:
		raise LockNotAcquired(name)
	try:
		yield
	finally:
		frappe.db.sql("select release_lock(%s)", key)
