"""Disputes: the payer's approver disputes one line of an issued bill, citing evidence items; the carrier
accepts (a credit note for the difference), adjusts (a credit note for another amount) or rejects.

Both sides comment; every step is an audit event and is told to the other party. When a bill has
no open dispute left it goes back to ``issued`` for the approver to approve (a credit note has
already lowered what is owed).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select

from server.audit import trail
from server.auth.principal import Principal
from server.errors import ApiProblem
from server.extensions import db
from server.models import Dispute, DisputeComment, EvidenceItem, FreightBill, FreightBillLine
from server.settlement import auditing, billing, documents, states
from server.settlement.lifecycle import other_party, snapshot
from server.settlement.money import MoneyError, parse_amount, text
from server.settlement.notify import evidence_disputed, tell_parties

OUTCOMES = ("accept", "adjust", "reject")
RESOLVED = {"accept": "accepted", "adjust": "adjusted", "reject": "rejected"}


def _record(principal: Principal, action: str, dispute: Dispute, after: dict) -> None:
    trail.record(action, "freight_dispute", dispute.id, principal=principal,
                 counterparty_org_id=other_party(dispute, principal.organisation_id), after=after)


def _cited(bill: FreightBill, line: FreightBillLine, given: list[dict]) -> list[dict]:
    """The evidence items named by (load_id, seq), with their chain hashes; unknown ones are field errors."""
    cited, errors = [], []
    for k, item in enumerate(given):
        load_id = item.get("load_id") or line.load_id or bill.load_id
        row = db.session.scalar(select(EvidenceItem).where(EvidenceItem.load_id == load_id,
                                                           EvidenceItem.seq == item["seq"])) if load_id else None
        if row is None:
            errors.append((f"evidence/{k}/seq", _("no evidence item %(seq)s on load %(load_id)s",
                                                  seq=item['seq'], load_id=load_id)))
        else:
            cited.append({"type": "evidence_item", "load_id": load_id, "seq": row.seq, "hash": row.hash,
                          "kind": row.kind})
    if errors:
        raise ApiProblem(422, _("Some fields are invalid."), errors)
    return cited


def open_dispute(principal: Principal, bill: FreightBill, data: dict, now: datetime) -> Dispute:
    if not auditing.policy.may_approve(principal, bill):
        raise ApiProblem(403, _("Only an approver of the payer may dispute this bill."))
    if bill.kind != "invoice" or bill.status not in ("issued", "disputed"):
        raise ApiProblem(409, _("A bill that is %(status)s cannot be disputed.", status=bill.status),
                         code="not_disputable")
    line = next((x for x in bill.lines if x.line_no == data["line_no"]), None)
    if line is None:
        raise ApiProblem(422, _("Some fields are invalid."),
                         [("line_no", _("bill %(number)s has no line %(line_no)s", number=bill.number,
                                        line_no=data['line_no']))])
    try:
        claimed = parse_amount(data["claimed_amount"], bill.currency)
    except MoneyError as exc:
        raise ApiProblem(422, _("Some fields are invalid."), [("claimed_amount", str(exc))]) from exc
    if claimed >= Decimal(line.amount):
        raise ApiProblem(422, _("Some fields are invalid."),
                         [("claimed_amount", _("must be below the line's amount %(text)s",
                                               text=text(line.amount, bill.currency)))])
    dispute = Dispute(bill_id=bill.id, line_id=line.id, carrier_org_id=bill.carrier_org_id,
                      payer_org_id=bill.payer_org_id, reason=data["reason"], claimed_amount=claimed,
                      evidence=_cited(bill, line, [*(data.get("evidence") or []),
                                                    *({"seq": seq} for seq in data.get("evidence_seqs") or [])]), opened_by_user_id=principal.user_id)
    db.session.add(dispute)
    before = snapshot(bill)
    states.move(bill, "disputed")
    db.session.flush()
    _record(principal, "freight_dispute.opened", dispute, {"bill_id": bill.id, "line_no": line.line_no,
                                                            "claimed_amount": text(claimed, bill.currency),
                                                            "evidence": dispute.evidence})
    trail.record("freight_bill.disputed", "freight_bill", bill.id, principal=principal,
                 counterparty_org_id=bill.carrier_org_id, before=before, after=snapshot(bill))
    db.session.commit()
    tell_parties("bill_disputed", bill, {"bill_id": bill.id, "number": bill.number, "dispute_id": dispute.id,
                                         "line_no": line.line_no})
    evidence_disputed(dispute)
    return dispute


def comment(principal: Principal, dispute: Dispute, body: str) -> DisputeComment:
    if principal.organisation_id not in (dispute.carrier_org_id, dispute.payer_org_id) or not principal.can("manage_finances"):
        raise ApiProblem(403, _("Only the two parties' admins and dispatchers comment on a dispute."))
    row = DisputeComment(dispute_id=dispute.id, organisation_id=principal.organisation_id,
                         user_id=principal.user_id, text=body)
    db.session.add(row)
    db.session.flush()
    _record(principal, "freight_dispute.commented", dispute, {"comment_id": row.id, "text": body})
    db.session.commit()
    tell_parties("dispute_updated", dispute, {"dispute_id": dispute.id, "bill_id": dispute.bill_id,
                                              "comment_id": row.id, "status": dispute.status})
    return row


def _credit_note(bill: FreightBill, line: FreightBillLine, amount: Decimal, dispute: Dispute,
                 now: datetime) -> FreightBill:
    count = db.session.scalar(select(func.count()).select_from(FreightBill).where(FreightBill.credit_for_id == bill.id))
    spec = billing.with_totals({
        "kind": "credit_note", "number": f"CN-{bill.number}-{count + 1}", "carrier_org_id": bill.carrier_org_id,
        "payer_org_id": bill.payer_org_id, "issued_by": bill.issued_by, "load_id": None,
        "agreement_id": bill.agreement_id, "credit_for_id": bill.id, "currency": bill.currency,
        "status": "issued", "issued_on": now.date(), "issued_at": now,
        "lines": [{"load_id": line.load_id, "code": line.code, "quantity": Decimal(1), "unit": "credit",
                   "description": f"Credit on {bill.number} line {line.line_no} (dispute {dispute.id})",
                   "unit_price": amount, "amount": documents.line_amount(Decimal(1), amount, bill.currency),
                   "tax_rate_pct": line.tax_rate_pct, "credit_for_line_id": line.id,
                   "evidence": [{"type": "freight_dispute", "dispute_id": dispute.id}, *dispute.evidence],
                   "notes": {}}]}, bill.currency)
    (note_id,) = billing.store([spec], now=now, action="freight_bill.credit_note_issued")
    note = db.session.get(FreightBill, note_id)
    bill.credited = Decimal(bill.credited) + Decimal(note.total)
    return note


def resolve(principal: Principal, dispute: Dispute, data: dict, now: datetime) -> Dispute:
    """The carrier's answer: accept, adjust (with the credit amount) or reject."""
    if principal.organisation_id != dispute.carrier_org_id or not principal.can("manage_finances"):
        raise ApiProblem(403, _("Only the carrier's admins and dispatchers resolve a dispute."))
    if dispute.status != "open":
        raise ApiProblem(409, _("This dispute is already %(status)s.", status=dispute.status),
                         code="already_resolved")
    bill = db.session.get(FreightBill, dispute.bill_id)
    line = db.session.get(FreightBillLine, dispute.line_id)
    outcome = data["outcome"]
    amount = Decimal(line.amount) - Decimal(dispute.claimed_amount)
    if outcome == "adjust":
        try:
            amount = parse_amount(data.get("amount"), bill.currency)
        except MoneyError as exc:
            raise ApiProblem(422, _("Some fields are invalid."), [("amount", str(exc))]) from exc
        if not 0 < amount <= Decimal(line.amount):
            raise ApiProblem(422, _("Some fields are invalid."),
                             [("amount", _("must be above 0 and at most the line's %(text)s",
                                           text=text(line.amount, bill.currency)))])
    note = _credit_note(bill, line, amount, dispute, now) if outcome != "reject" else None
    dispute.status, dispute.resolved_at = RESOLVED[outcome], now
    dispute.resolution_note = data.get("note", "")
    dispute.credit_note_id = note.id if note else None
    db.session.flush()
    still_open = db.session.scalar(select(func.count()).select_from(Dispute).where(
        Dispute.bill_id == bill.id, Dispute.status == "open"))
    if not still_open:
        states.move(bill, "issued")
    _record(principal, "freight_dispute.resolved", dispute, {
        "outcome": dispute.status, "credit_note": note.number if note else None,
        "credit": text(note.total, bill.currency) if note else None, "bill_status": bill.status})
    db.session.commit()
    tell_parties("dispute_updated", dispute, {"dispute_id": dispute.id, "bill_id": bill.id, "status": dispute.status,
                                              "credit_note_id": dispute.credit_note_id})
    if note is not None:
        tell_parties("bill_issued", note, {"bill_id": note.id, "number": note.number, "kind": "credit_note",
                                           "total": text(note.total, note.currency), "currency": note.currency})
    return dispute
