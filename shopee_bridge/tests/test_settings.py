"""Shopee Settings as every process reads them, right after a save."""

import subprocess

import frappe

from shopee_bridge.compat import IntegrationTestCase
from shopee_bridge.shop_client import SETTINGS_CACHE_KEY, get_settings
from shopee_bridge.tests.utils import in_subprocess, save_settings

SLOW_JOB = """
from shopee_bridge.shop_client import get_settings
frappe.db.sql("select name from `tabShopee Shop` limit 1")  # the transaction's snapshot starts here
print("ready", flush=True)
sys.stdin.readline()  # the settings are saved meanwhile
print(get_settings().api_base_url, flush=True)
frappe.db.rollback()
frappe.destroy()
"""


class TestSettingsAfterASave(IntegrationTestCase):
	def setUp(self):
		settings = get_settings()
		self.before = settings.api_base_url
		self.environment = settings.environment

	def tearDown(self):
		save_settings(environment=self.environment, api_base_url=self.before)

	def test_a_job_that_began_before_a_save_does_not_bring_the_old_values_back(self):
		job = in_subprocess(SLOW_JOB, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
		try:
			self.assertEqual(job.stdout.readline().strip(), "ready")
			save_settings(environment="Local sandbox", api_base_url="http://127.0.0.1:9/after-the-save")
			frappe.cache.delete_value(SETTINGS_CACHE_KEY)  # the job is the first to read them after the save
			job.stdin.write("go\n")
			job.stdin.flush()
			seen_by_job = job.stdout.readline().strip()
			self.assertEqual(job.wait(timeout=60), 0)
		finally:
			job.kill()
		# its snapshot predates the save, and it cached what it saw
		self.assertEqual(seen_by_job, self.before)
		frappe.local.cache = {}  # nothing of this process's own reads: what a new request would see
		self.assertEqual(get_settings().api_base_url, "http://127.0.0.1:9/after-the-save")
