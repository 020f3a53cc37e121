frappe.ui.form.on("Shopee Integrity Report", {
	refresh(frm) {
		if (frm.is_new()) return;
		frm.set_intro(
			frm.doc.status === "Clean" ? __("Shopee and ERPNext agree for this period.") : frm.doc.summary,
			frm.doc.status === "Clean" ? "green" : "orange"
		);
		frm.add_custom_button(__("Verify Digests"), () => {
			frappe.call("shopee_bridge.api.verify_integrity_report", { name: frm.doc.name }).then((r) => {
				const ok = r.message && r.message.intact;
				frappe.msgprint({
					title: ok ? __("Unchanged") : __("Changed since it was generated"),
					indicator: ok ? "green" : "red",
					message: ok
						? __("Both files still match the SHA-256 digests stored when the report was made.")
						: __("A file no longer matches its stored SHA-256 digest: {0}", [(r.message.changed || []).join(", ")]),
				});
			});
		});
		if (frm.doc.html_file) {
			frm.add_custom_button(__("Open Summary"), () => window.open(frm.doc.html_file));
		}
	},
});
