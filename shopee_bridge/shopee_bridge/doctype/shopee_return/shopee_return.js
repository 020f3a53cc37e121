// The seller's answers to a Shopee return, and its documents.
frappe.ui.form.on("Shopee Return", {
	refresh(frm) {
		if (frm.is_new()) return;
		if (["Waiting", "Open"].includes(frm.doc.document_status) && frm.doc.waiting_reason) {
			const colour = frm.doc.document_status === "Waiting" ? "red" : "blue";
			frm.set_intro(__("Waiting for: {0}", [frappe.utils.escape_html(frm.doc.waiting_reason)]), colour);
		}
		frm.add_custom_button(__("Refresh from Shopee"), () => shopee_return_call(frm, "shopee_bridge.api.refresh_return", {}, __("Fetching the return from Shopee…")));
		if (!["REQUESTED", "PROCESSING"].includes(frm.doc.status)) return;
		const group = __("Answer on Shopee");
		frm.add_custom_button(__("Accept"), () => {
			frappe.confirm(
				__("Accept the return and refund {0}?", [format_currency(frm.doc.refund_amount, frm.doc.currency)]),
				() => shopee_return_call(frm, "shopee_bridge.api.accept_return")
			);
		}, group);
		if (frm.doc.negotiation_status === "PENDING_RESPOND") {
			frm.add_custom_button(__("Offer a Partial Refund"), () => shopee_offer_dialog(frm), group);
		}
		if (frm.doc.negotiation_status === "PENDING_RESPOND" && frm.doc.latest_offer_creator === "buyer") {
			frm.add_custom_button(__("Accept the Buyer's Offer"), () => {
				frappe.confirm(
					__("Accept the buyer's offer: {0}, refund {1}?", [
						frm.doc.latest_solution,
						format_currency(frm.doc.latest_offer_amount, frm.doc.currency),
					]),
					() => shopee_return_call(frm, "shopee_bridge.api.accept_return_offer")
				);
			}, group);
		}
		frm.add_custom_button(__("Dispute"), () => shopee_dispute_dialog(frm), group);
	},
});

function shopee_return_call(frm, method, args = {}, message = __("Sending your answer to Shopee…")) {
	return frappe.call({ method, args: { name: frm.doc.name, ...args }, freeze: true, freeze_message: message }).then((r) => {
		const result = r.message || {};
		frappe.show_alert({ message: result.warning || result.message || __("Done"), indicator: result.warning ? "orange" : "green" });
		frm.reload_doc();
	});
}

function shopee_offer_dialog(frm) {
	frappe.prompt(
		[
			{
				fieldname: "solution",
				fieldtype: "Select",
				label: __("Solution"),
				options: [
					{ value: "REFUND", label: __("Refund only (the buyer keeps the goods)") },
					{ value: "RETURN_REFUND", label: __("Return and refund") },
				],
				default: "REFUND",
				reqd: 1,
			},
			{
				fieldname: "amount",
				fieldtype: "Currency",
				label: __("Refund"),
				options: "currency",
				default: frm.doc.refund_amount,
				reqd: 1,
			},
		],
		(values) => shopee_return_call(frm, "shopee_bridge.api.offer_return_refund", values),
		__("Offer a refund to the buyer"),
		__("Send Offer")
	);
}

function shopee_dispute_dialog(frm) {
	frappe.call({
		method: "shopee_bridge.api.return_dispute_reasons",
		args: { name: frm.doc.name },
		freeze: true,
	}).then((r) => {
		const reasons = r.message || [];
		frappe.prompt(
			[
				{
					fieldname: "reason_id",
					fieldtype: "Select",
					label: __("Reason"),
					reqd: 1,
					options: reasons.map((reason) => ({
						value: String(reason.dispute_reason),
						label: String(reason.dispute_reason) + ": " + (reason.dispute_requirement || "").slice(0, 80),
					})),
				},
				{ fieldname: "email", fieldtype: "Data", label: __("Your Email"), options: "Email", reqd: 1, default: frappe.session.user_email },
				{ fieldname: "text", fieldtype: "Small Text", label: __("Explanation") },
			],
			(values) => {
				const reason = reasons.find((item) => String(item.dispute_reason) === values.reason_id) || {};
				shopee_evidence_dialog(frm, values, reason.evidence_module_list || []);
			},
			__("Dispute the return"),
			__("Next")
		);
	});
}

function shopee_evidence_dialog(frm, values, modules) {
	const fields = modules.map((module) => ({
		fieldname: "module_" + module.module_index,
		fieldtype: "Small Text",
		label: module.requirement,
		reqd: module.is_required ? 1 : 0,
		description: __("Image links, one per line (at most three)."),
	}));
	const send = (links) => {
		const evidence = {};
		modules.forEach((module) => {
			evidence[module.module_index] = (links["module_" + module.module_index] || "").split("\n").map((url) => url.trim()).filter(Boolean);
		});
		shopee_return_call(frm, "shopee_bridge.api.dispute_return", { ...values, evidence: JSON.stringify(evidence) });
	};
	if (!fields.length) return send({});
	frappe.prompt(fields, send, __("Evidence for Shopee"), __("Dispute"));
}
