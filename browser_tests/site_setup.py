"""The in-site half of tier 3: what a seller has done before opening Desk.

Run by scripts/run-tests with the bench's Python from its sites folder, as the bench's owner:
	python browser_tests/site_setup.py --site SITE --web-url URL --sandbox-url URL --partner-id ID \\
		--partner-key KEY --shop 710001:SG --shop 710002:MY

ERPNext basics, the sandbox's Items and exchange rates, Shopee Settings pointing at the sandbox, and
two users with fresh passwords: a Shopee manager and a Sales User. The browser shops of an earlier run
are removed (with their Item Map rows), so Connect to Shopee makes them anew. The last line printed is
`BROWSER_USERS {json}`, read by browser_tests/conftest.py.
"""

import argparse
import json
import secrets

import frappe

from shopee_bridge.sandbox.__main__ import shop_spec

MANAGER = "browser-manager@shopee.test"
SALES_USER = "browser-sales@shopee.test"
MANAGER_ROLES = (
	"System Manager",
	"Shopee Manager",
	"Sales Manager",
	"Sales Master Manager",  # price lists and item prices, for the Items the manager publishes
	"Sales User",
	"Stock Manager",
	"Stock User",
	"Accounts Manager",
	"Accounts User",
	"Item Manager",
)


def parse_args() -> argparse.Namespace:
	parser = argparse.ArgumentParser(description=__doc__)
	parser.add_argument("--site", required=True)
	parser.add_argument("--web-url", required=True)
	parser.add_argument("--sandbox-url", required=True)
	parser.add_argument("--partner-id", required=True)
	parser.add_argument("--partner-key", required=True)
	parser.add_argument("--shop", dest="shops", action="append", type=shop_spec, required=True)
	return parser.parse_args()


def prepare_site(args: argparse.Namespace) -> None:
	from shopee_bridge.tests.utils import delete_shop, prepare_site_for_sandbox, receivable_account

	prepare_site_for_sandbox(
		args.sandbox_url, args.partner_id, args.partner_key, args.web_url, initial_sync_days=70
	)
	for sandbox_shop in args.shops:
		receivable_account(sandbox_shop["currency"])  # the seller picks it on the shop's form
		shop = str(sandbox_shop["shop_id"])
		delete_shop(shop)
		frappe.db.delete("Shopee Item Map", {"shop": shop})
		frappe.db.delete("Shopee Waiting Order", {"shop": shop})
	frappe.db.commit()  # nosemgrep: the web server must not see the shops of an earlier run


def make_user(email: str, first_name: str, roles: tuple[str, ...]) -> str:
	"""A System User with exactly these roles and a new password; returns the password."""
	from frappe.utils.password import update_password

	if frappe.db.exists("User", email):
		user = frappe.get_doc("User", email)
	else:
		user = frappe.new_doc("User")
		user.update({"email": email, "first_name": first_name, "send_welcome_email": 0})
	user.user_type = "System User"
	user.enabled = 1
	user.set("roles", [{"role": role} for role in roles if frappe.db.exists("Role", role)])
	user.save(ignore_permissions=True)
	password = secrets.token_urlsafe(18)
	update_password(email, password)
	frappe.db.commit()  # nosemgrep: the browser logs in over the web server
	return password


def main() -> None:
	args = parse_args()
	frappe.init(site=args.site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	try:
		prepare_site(args)
		users = {
			"manager": {"usr": MANAGER, "pwd": make_user(MANAGER, "Browser Manager", MANAGER_ROLES)},
			"sales_user": {"usr": SALES_USER, "pwd": make_user(SALES_USER, "Browser Sales", ("Sales User",))},
			"shop_ids": [str(shop["shop_id"]) for shop in args.shops],
		}
		print("BROWSER_USERS " + json.dumps(users))
	finally:
		frappe.destroy()


if __name__ == "__main__":
	main()
