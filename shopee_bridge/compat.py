"""What differs between the Frappe versions the app runs on (v15 and v16), in one place.

Everything else is written once for both; the differences that need code live here, found by what a
version has, not by its number:

- Test base class. v15 has `frappe.tests.utils.FrappeTestCase`. v16 deprecates it (gone in v17) for
  `frappe.tests.IntegrationTestCase`, and its test runner runs the `before_tests` hooks (which give a new
  site its company, item groups and UOMs) only for IntegrationTestCase tests and *direct* subclasses of
  FrappeTestCase: a test class deriving from a shared base (WebhookTestCase, LogisticsTestCase) ran first,
  on a bare site. IntegrationTestCase is matched by isinstance, so every bench test is prepared.

- Desk sidebar. v16 gives every workspace a Workspace Sidebar, made once from its shortcuts without their
  URLs (so "Connect to Shopee" led nowhere). The app ships its own (shopee_bridge/workspace_sidebar/,
  a folder v15 does not read) and `sync_workspace_sidebar` puts it back on every migrate, over the one
  v16 generated.

Differences Frappe already hides are not repeated here: Desk moved from /app to /desk in v16, and
`frappe.utils.get_absolute_url` (Python) and `frappe.utils.get_form_link` (JS) give each version's path, so
links are built with them; v16's get_all refuses SQL functions as field strings ("max(x)"), so aggregates
are written with frappe.qb, which both versions run.
"""

try:
	from frappe.tests import IntegrationTestCase
except ImportError:  # Frappe v15
	from frappe.tests.utils import FrappeTestCase as IntegrationTestCase

__all__ = ["IntegrationTestCase", "sync_workspace_sidebar"]


def sync_workspace_sidebar() -> None:
	"""Import the app's Workspace Sidebar where the version has them (v16), replacing a generated one."""
	import frappe

	if not frappe.db.table_exists("Workspace Sidebar"):
		return
	from frappe.modules.import_file import import_file_by_path

	path = frappe.get_app_path("shopee_bridge", "workspace_sidebar", "shopee_bridge.json")
	import_file_by_path(path, force=True, ignore_version=True)
