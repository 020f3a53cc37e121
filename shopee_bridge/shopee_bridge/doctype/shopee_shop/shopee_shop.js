frappe.ui.form.on("Shopee Shop", {
	setup(frm) {
		frm.set_query("returns_warehouse", () => ({ filters: { company: frm.doc.company, is_group: 0 } }));
	},
	onload(frm) {
		show_sync_results(frm);
	},
	refresh(frm) {
		if (frm.is_new()) return;
		if (frappe.utils.get_url_arg("shopee_connected")) {
			frappe.show_alert({ message: __("Shop connected to Shopee"), indicator: "green" }, 7);
		}
		frm.add_custom_button(__("Test Connection"), () => {
			frappe.call({
				method: "shopee_bridge.api.test_shopee_connection",
				args: { shop: frm.doc.name },
				freeze: true,
			}).then((r) => {
				const info = r.message || {};
				frappe.msgprint({
					title: __("Connected"),
					indicator: "green",
					message: __("Shop {0} ({1}). Access token valid until {2}.", [
						info.shop_name, info.region, info.access_token_expires_at,
					]),
				});
			});
		});
		frm.add_custom_button(__("Sync Orders"), () => {
			frappe.call({
				method: "shopee_bridge.api.sync_orders_api",
				args: { shop: frm.doc.name },
			}).then(() => {
				frappe.show_alert({
					message: __("Order sync queued: its progress and counts show here"),
					indicator: "blue",
				});
			});
		});
		frm.add_custom_button(__("Sync Returns"), () => {
			frappe.call({
				method: "shopee_bridge.api.sync_returns",
				args: { shop: frm.doc.name },
			}).then(() => {
				frappe.show_alert({
					message: __("Returns sync queued: its counts show here when it ends"),
					indicator: "blue",
				});
			});
		});
		frm.add_custom_button(__("Reconnect"), () => {
			frappe.call("shopee_bridge.api.connect_to_shopee").then((r) => {
				if (r.message && r.message.url) window.open(r.message.url, "_self");
			});
		});
		frm.add_custom_button(
			__("Sync Finance"),
			() => {
				frappe.call({
					method: "shopee_bridge.api.sync_finance_api",
					args: { shop: frm.doc.name },
				}).then(() => {
					frappe.show_alert({ message: __("Finance sync queued; see Shopee Sync Log"), indicator: "blue" });
				});
			},
			__("Finance")
		);
		frm.add_custom_button(
			__("Set Up Finance Accounts"),
			() => set_up_finance_accounts(frm),
			__("Finance")
		);
		frm.add_custom_button(
			__("Check Finance Setup"),
			() => {
				frappe.call({
					method: "shopee_bridge.api.check_finance_setup",
					args: { shop: frm.doc.name },
				}).then((r) => show_finance_check(frm, r.message || []));
			},
			__("Finance")
		);
		show_finance_banner(frm, (frm.doc.__onload || {}).finance_gaps || []);
		frm.add_custom_button(
			__("Payout Reconciliation"),
			() => frappe.set_route("query-report", "Shopee Payout Reconciliation", { shop: frm.doc.name }),
			__("Finance")
		);
	},
});

frappe.ui.form.on("Shopee Shop", {
	refresh(frm) {
		if (frm.is_new()) return;
		const group = __("Catalogue & Stock");
		frm.add_custom_button(
			__("Import Catalogue"),
			() => {
				frappe.prompt(
					[
						{
							fieldname: "create_items",
							fieldtype: "Check",
							label: __("Create Items for listings no Item matches"),
							description: __("Listings with variations get a template Item and Item Variants."),
						},
					],
					(values) => {
						frappe.call({
							method: "shopee_bridge.api.import_catalogue",
							args: { shop: frm.doc.name, create_items: values.create_items ? 1 : 0 },
						}).then(() => {
							frappe.show_alert({
								message: __("Catalogue import queued; see Shopee Sync Log and Shopee Item Map"),
								indicator: "blue",
							});
						});
					},
					__("Import Shopee Catalogue"),
					__("Import"),
				);
			},
			group,
		);
		frm.add_custom_button(
			__("Push Stock Now"),
			() => {
				frappe.call({ method: "shopee_bridge.api.push_stock_now", args: { shop: frm.doc.name } }).then(() => {
					frappe.show_alert({ message: __("Stock push queued; see Shopee Sync Log"), indicator: "blue" });
				});
			},
			group,
		);
		frm.add_custom_button(
			__("Reconcile Stock"),
			() => {
				frappe.call({ method: "shopee_bridge.api.reconcile_stock_now", args: { shop: frm.doc.name } }).then(() => {
					frappe.show_alert({ message: __("Stock reconciliation queued; see Shopee Sync Log"), indicator: "blue" });
				});
			},
			group,
		);
		frm.add_custom_button(
			__("Item Map"),
			() => frappe.set_route("List", "Shopee Item Map", { shop: frm.doc.name }),
			group,
		);
	},
});

// make_integrity_report from Desk: Shopee against ERPNext for a period a person picks.
frappe.ui.form.on("Shopee Shop", {
	refresh(frm) {
		if (frm.is_new()) return;
		frm.add_custom_button(__("Make Integrity Report"), () => {
			const yesterday = frappe.datetime.add_days(frappe.datetime.get_today(), -1);
			frappe.prompt(
				[
					{ fieldname: "from_date", fieldtype: "Date", label: __("From Date"), reqd: 1, default: frappe.datetime.add_days(yesterday, -29) },
					{ fieldname: "to_date", fieldtype: "Date", label: __("To Date"), reqd: 1, default: yesterday },
				],
				(values) => {
					frappe.call({
						method: "shopee_bridge.api.make_integrity_report",
						args: { shop: frm.doc.name, ...values },
					}).then(() => {
						frappe.show_alert({
							message: __("Integrity report queued: it appears in Shopee Integrity Report when done"),
							indicator: "blue",
						});
					});
				},
				__("Shopee Integrity Report"),
				__("Create"),
			);
		}, __("Finance"));
	},
});

function set_up_finance_accounts(frm) {
	return frappe.call({
		method: "shopee_bridge.api.setup_finance_accounts",
		args: { shop: frm.doc.name },
		freeze: true,
	}).then(() => frm.reload_doc());
}

// Finance readiness (services/finance_readiness.py): each gap says what is missing and links to its fix.
function finance_gaps_html(gaps) {
	const rows = gaps.map((gap) => {
		const fix = `<a class="shopee-finance-fix" href="${encodeURI(gap.fix_route)}" data-field="${frappe.utils.escape_html(gap.field)}">${__("Fix")}</a>`;
		return `<li>${frappe.utils.escape_html(gap.message)} ${fix}</li>`;
	});
	return `<ul class="shopee-finance-gaps" style="margin-bottom: 0">${rows.join("")}</ul>`;
}

// A link to a field of this very form scrolls to it; any other opens its page.
function bind_finance_fixes(frm, $wrapper) {
	$wrapper.find("a.shopee-finance-fix").on("click", (event) => {
		const route = event.currentTarget.getAttribute("href");
		if (route.split("#")[0] !== frappe.utils.get_form_link(frm.doctype, frm.doc.name)) return;
		event.preventDefault();
		frappe.hide_msgprint();
		frm.scroll_to_field(event.currentTarget.dataset.field);
	});
}

function show_finance_banner(frm, gaps) {
	if (!gaps.length) return;
	const creatable = gaps.some((gap) => gap.can_create)
		? `<p>${__("Set Up Finance Accounts (Finance menu) creates what it can.")}</p>`
		: "";
	frm.set_intro(`<div class="shopee-finance-banner"><p>${__("Finance is not ready:")}</p>${finance_gaps_html(gaps)}${creatable}</div>`, "orange");
	bind_finance_fixes(frm, frm.layout.message);
}

function show_finance_check(frm, gaps) {
	if (!gaps.length) {
		frappe.msgprint({ title: __("Finance Setup"), indicator: "green", message: __("Finance is ready: wallet, fee, payout bank and difference accounts are set.") });
		return;
	}
	const dialog = frappe.msgprint({
		title: __("Finance Setup: {0} to fix", [gaps.length]),
		indicator: "orange",
		message: finance_gaps_html(gaps),
		primary_action: gaps.some((gap) => gap.can_create)
			? {
				label: __("Set Up Finance Accounts"),
				action: () => {
					dialog.hide();
					set_up_finance_accounts(frm);
				},
			}
			: undefined,
	});
	bind_finance_fixes(frm, dialog.$wrapper);
}

const SYNC_JOB_LABELS = {
	sync_incremental_orders: __("Order sync"),
	sync_incremental_returns: __("Returns sync"),
	sync_finance: __("Finance sync"),
	import_catalogue: __("Catalogue import"),
	push_stock: __("Stock push"),
	reconcile_stock: __("Stock reconciliation"),
};

// A sync this user started ends with its counts on the shop's form (realtime, from its Sync Log).
function show_sync_results(frm) {
	frappe.realtime.off("shopee_sync_finished");
	frappe.realtime.on("shopee_sync_finished", (data) => {
		if (!cur_frm || cur_frm.doctype !== "Shopee Shop" || cur_frm.doc.name !== data.shop) return;
		const what = SYNC_JOB_LABELS[data.job] || data.job;
		const counts = __("fetched {0}, created {1}, updated {2}, skipped {3}, failed {4}", [
			data.fetched, data.created_count, data.updated, data.skipped, data.failed,
		]);
		const link = `<a href="${frappe.utils.get_form_link("Shopee Sync Log", data.log)}">${frappe.utils.escape_html(data.log)}</a>`;
		frappe.msgprint({
			title: __("{0}: {1}", [what, __(data.status)]),
			indicator: { Success: "green", Partial: "orange" }[data.status] || "red",
			message: `<p class="shopee-sync-counts">${counts}</p>`
				+ (data.message ? `<p>${frappe.utils.escape_html(data.message)}</p>` : "")
				+ `<p>${__("Sync Log")}: ${link}</p>`,
		});
		cur_frm.reload_doc();
	});
}
