"""The seller's answers to a Shopee return, from its Desk form: accept, offer, accept the buyer's offer, dispute.

Each is a write to Shopee, never resent: when its answer is lost, the return is re-read to learn
whether Shopee applied it. The Shopee Return itself only ever changes from Shopee's own state (the
return is fetched again after the action), so nothing is half-applied: either Shopee took the action
and the return shows it (with the documents it now calls for), or it did not and the error is shown.
Every attempt is recorded in the return's timeline.
"""

import frappe
from frappe import _

from shopee_bridge.clients import ShopeeError, ShopeeServerError
from shopee_bridge.constants import RETURN
from shopee_bridge.mappers.money import quantize
from shopee_bridge.services import returns
from shopee_bridge.shop_client import make_client

NEGOTIABLE = ("REQUESTED", "PROCESSING")
SOLUTIONS = ("RETURN_REFUND", "REFUND")


class ReturnActionError(frappe.ValidationError):
	"""The action cannot be taken on the return now; the message says why."""


def _return(name: str):
	doc = frappe.get_doc(RETURN, name)
	if doc.status not in NEGOTIABLE:
		frappe.throw(
			_("Return {0} is {1}: Shopee accepts answers only while it is requested or processing").format(
				name, doc.status
			),
			ReturnActionError,
		)
	return doc


def accept(name: str) -> dict:
	"""returns/confirm: agree to the buyer's request as it stands (the refund Shopee shows)."""
	doc = _return(name)
	if doc.latest_offer_creator == "seller" and doc.negotiation_status == "PENDING_BUYER_RESPOND":
		frappe.throw(_("Your own offer waits for the buyer's answer"), ReturnActionError)
	description = _("Accepted the return (refund {0})").format(doc.refund_amount)
	return _act(doc, description, lambda client: client.confirm_return(doc.return_sn), _is_accepted)


def offer(name: str, solution: str, amount) -> dict:
	"""returns/offer: propose a solution and refund (a partial refund) for the buyer to answer."""
	doc = _return(name)
	if solution not in SOLUTIONS:
		frappe.throw(_("Offer Return and Refund or Refund only"), ReturnActionError)
	if doc.negotiation_status != "PENDING_RESPOND":
		frappe.throw(
			_("Shopee does not accept an offer on this return now ({0})").format(
				doc.negotiation_status or "-"
			),
			ReturnActionError,
		)
	amount = quantize(amount, doc.currency)
	if amount <= 0:
		frappe.throw(_("Offer a refund above zero"), ReturnActionError)
	description = _("Offered {0} with a refund of {1}").format(solution, amount)

	def applied(detail: dict) -> bool:
		negotiation = detail.get("negotiation") or {}
		offered = quantize(negotiation.get("latest_offer_amount"), doc.currency)
		return negotiation.get("latest_offer_creator") == "seller" and offered == amount

	return _act(
		doc,
		description,
		lambda client: client.offer_return_solution(doc.return_sn, solution, amount),
		applied,
	)


def accept_offer(name: str) -> dict:
	"""returns/accept_offer: take the buyer's latest proposal (solution and refund)."""
	doc = _return(name)
	if doc.latest_offer_creator != "buyer" or doc.negotiation_status != "PENDING_RESPOND":
		frappe.throw(_("There is no offer from the buyer to accept"), ReturnActionError)
	description = _("Accepted the buyer's offer: {0}, refund {1}").format(
		doc.latest_solution, doc.latest_offer_amount
	)
	return _act(doc, description, lambda client: client.accept_return_offer(doc.return_sn), _is_accepted)


def dispute_reasons(name: str) -> list[dict]:
	"""The reasons Shopee accepts for disputing this return, each with the evidence it asks for."""
	doc = frappe.get_doc(RETURN, name)
	return make_client(doc.shop).get_return_dispute_reason(doc.return_sn)


def dispute(name: str, reason_id: int, email: str, text: str = "", evidence: dict | None = None) -> dict:
	"""returns/dispute: a reason from dispute_reasons and image links per evidence module (index -> URLs)."""
	doc = _return(name)
	reason = next((r for r in dispute_reasons(name) if str(r.get("dispute_reason")) == str(reason_id)), None)
	if reason is None:
		frappe.throw(
			_("Shopee does not offer dispute reason {0} for this return").format(reason_id), ReturnActionError
		)
	image_list = _evidence(reason, evidence or {})
	description = _("Disputed (reason {0}): {1}").format(reason_id, text or "-")

	def applied(detail: dict) -> bool:
		return detail.get("status") in ("JUDGING", "SELLER_DISPUTE") or str(reason_id) in map(
			str, detail.get("dispute_reason") or []
		)

	def call(client):
		return client.dispute_return(doc.return_sn, email, int(reason_id), text, image_list)

	return _act(doc, description, call, applied)


def _evidence(reason: dict, evidence: dict) -> list[dict]:
	"""Shopee's image_list: each module the reason names, with up to three image links."""
	image_list = []
	for module in reason.get("evidence_module_list") or []:
		urls = [url.strip() for url in evidence.get(str(module["module_index"])) or [] if url and url.strip()]
		if module.get("is_required") and not urls:
			frappe.throw(_("Evidence needed: {0}").format(module["requirement"]), ReturnActionError)
		if len(urls) > 3:
			frappe.throw(_("At most three images for: {0}").format(module["requirement"]), ReturnActionError)
		if urls:
			image_list.append(
				{
					"module_index": module["module_index"],
					"requirement": module["requirement"],
					"image_url": urls,
				}
			)
	return image_list


def _is_accepted(detail: dict) -> bool:
	return detail.get("status") == "ACCEPTED"


def _act(doc, description: str, call, applied) -> dict:
	"""Send the action once; on a lost answer ask Shopee whether it happened; then refresh the return."""
	client = make_client(doc.shop)
	try:
		call(client)
	except ShopeeServerError as e:
		if e.may_repeat(False):
			return _refused(doc, description, e)
		if not _applied_after_all(doc, client, applied, e):
			return _refused(doc, description, e, _("Shopee did not apply it"))
	except ShopeeError as e:
		return _refused(doc, description, e)
	doc.add_comment("Info", _("{0}: done on Shopee").format(description))
	frappe.db.commit()  # nosemgrep: Shopee applied the action; its record must not wait for the refresh
	try:
		return {"message": description, **returns.sync_return(doc.shop, doc.return_sn)}
	except ShopeeError as e:
		return {
			"message": description,
			"warning": _("Refresh from Shopee failed ({0}); the next sync will").format(e),
		}


def _applied_after_all(doc, client, applied, error: ShopeeServerError) -> bool:
	try:
		return applied(client.get_return_detail(doc.return_sn))
	except ShopeeError as e:
		doc.add_comment(
			"Info",
			_("Shopee's answer was lost ({0}) and the return could not be re-read ({1})").format(error, e),
		)
		frappe.db.commit()  # nosemgrep: keep the unknown outcome in the timeline for the user
		frappe.throw(
			_(
				"Shopee's answer was lost and the return could not be read again: refresh the return before trying again"
			),
			ReturnActionError,
		)


def _refused(doc, description: str, error: ShopeeError, outcome: str | None = None) -> dict:
	outcome = outcome or _("refused by Shopee")
	doc.add_comment("Info", _("{0}: {1} ({2})").format(description, outcome, error))
	frappe.db.commit()  # nosemgrep: the failed attempt stays in the timeline; the error goes to the user
	frappe.throw(_("{0}: {1}").format(outcome, error.message or error.code), ReturnActionError)
