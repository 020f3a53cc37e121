frappe.ui.form.on("Shopee Shop", {
	setup(frm) {
		frm.set_query("returns_warehouse", () => ({ filters: { company: frm.doc.company, is_group: 0 } }));
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
				frappe.show_alert({ message: __("Order sync queued; see Shopee Sync Log"), indicator: "blue" });
			});
		});
		frm.add_custom_button(__("Sync Returns"), () => {
			frappe.call({
				method: "shopee_bridge.api.sync_returns",
				args: { shop: frm.doc.name },
			}).then(() => {
				frappe.show_alert({ message: __("Returns sync queued; see Shopee Sync Log"), indicator: "blue" });
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
			() => {
				frappe.call({
					method: "shopee_bridge.api.setup_finance_accounts",
					args: { shop: frm.doc.name },
					freeze: true,
				}).then(() => frm.reload_doc());
			},
			__("Finance")
		);
		frm.add_custom_button(
			__("Payout Reconciliation"),
			() => frappe.set_route("query-report", "Shopee Payout Reconciliation", { shop: frm.doc.name }),
			__("Finance")
		);
	},
});
