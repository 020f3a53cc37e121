frappe.ui.form.on("Shopee Backfill", {
	refresh(frm) {
		if (frm.is_new()) return;
		if (["Running", "Queued"].includes(frm.doc.status)) {
			frm.add_custom_button(__("Cancel"), () => {
				frappe.call("shopee_bridge.api.cancel_backfill", { name: frm.doc.name }).then(() => frm.reload_doc());
			});
		}
		if (["Failed", "Cancelled"].includes(frm.doc.status)) {
			frm.add_custom_button(__("Resume"), () => {
				frappe.call("shopee_bridge.api.resume_backfill", { name: frm.doc.name }).then(() => frm.reload_doc());
			});
		}
		if (frm.doc.windows_total) {
			frm.dashboard.show_progress(
				__("Windows"),
				(100 * frm.doc.windows_done) / frm.doc.windows_total,
				__("{0} of {1} windows, {2} records", [frm.doc.windows_done, frm.doc.windows_total, frm.doc.records_done])
			);
		}
	},
	onload(frm) {
		frappe.realtime.on("shopee_backfill_progress", (data) => {
			if (frm.is_new()) return;
			const eta = data.eta_seconds ? __(", about {0} min left", [Math.ceil(data.eta_seconds / 60)]) : "";
			frm.dashboard.show_progress(
				__("Windows"),
				(100 * data.windows_done) / data.windows_total,
				__("Window {0} of {1}, {2} records{3}", [data.windows_done, data.windows_total, data.records, eta])
			);
			if (data.windows_done === data.windows_total) frm.reload_doc();
		});
	},
});
