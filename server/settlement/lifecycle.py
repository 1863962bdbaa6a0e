"""A bill's life: drafted from a delivered load, lines edited while a draft, issued (and audited), approved, paid.

Every change is one transaction with its audit event (``server.audit.trail``); the other party
is told after the commit (``notify.tell_parties``). Who may do what:

* the issuer drafts, edits and issues: the carrier, or the payer where the agreement says
  self-billing; staff with ``admin`` or ``dispatcher``;
* the payer's approver (``auditing.policy``) approves; the payer's ``admin``/``dispatcher`` record payments.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from server.audit import trail
from server.auth.principal import Principal
from server.auth.scoping import scoped
from server.errors import ApiProblem
from server.extensions import db
from server.models import FreightBill, FreightBillLine, Load, Payment
from server.party_names import named
from server.settlement import auditing, billing, documents, gather, states
from server.settlement.money import RATE_DECIMALS, MoneyError, parse_amount, parse_decimal, text
from server.settlement.notify import tell_parties


def issuer_org(bill: FreightBill) -> int:
    return bill.carrier_org_id if bill.issued_by == "carrier" else bill.payer_org_id


def may_see(bill: FreightBill, org_id: int) -> bool:
    """A draft is seen by its issuer only; an issued document by both parties."""
    return bill.status != "draft" or issuer_org(bill) == org_id


def visible_bills(principal: Principal):
    """The bills and credit notes the caller may list: its parties' documents, drafts only to their issuer."""
    org = principal.organisation_id
    return scoped(FreightBill, principal).where(
        (FreightBill.status != "draft") | ((FreightBill.issued_by == "carrier") & (FreightBill.carrier_org_id == org))
        | ((FreightBill.issued_by == "payer") & (FreightBill.payer_org_id == org)))


def other_party(bill: FreightBill, org_id: int) -> int:
    return bill.payer_org_id if org_id == bill.carrier_org_id else bill.carrier_org_id


def _staff_of(principal: Principal, org_id: int, what: str) -> None:
    if principal.organisation_id != org_id or not principal.can("manage_finances"):
        raise ApiProblem(403, _("Only the %(party)s's admins and dispatchers may do this.",
                                party=named(what)))


def _record(principal: Principal, action: str, bill: FreightBill, before=None, after=None) -> None:
    trail.record(action, "freight_bill", bill.id, principal=principal,
                 counterparty_org_id=other_party(bill, principal.organisation_id), before=before, after=after)


def snapshot(bill: FreightBill) -> dict:
    return {"status": bill.status, "net": text(bill.net, bill.currency), "total": text(bill.total, bill.currency),
            "credited": text(bill.credited, bill.currency), "paid": text(bill.paid, bill.currency)}


def draft_for_load(principal: Principal, load: Load, now: datetime) -> FreightBill:
    """The load's invoice as a draft, every line computed from its facts; 422 for a load not delivered."""
    billing.refuse_unbillable(load)
    specs = billing.bill_specs([load], gather.load_facts([load.id]))
    if not specs:
        raise ApiProblem(422, _("Load %(id)s was cancelled without any charge to bill.", id=load.id),
                         [("load_id", _("nothing to bill"))], code="nothing_to_bill")
    spec = specs[0]
    _staff_of(principal, spec["carrier_org_id"] if spec["issued_by"] == "carrier" else spec["payer_org_id"],
              "issuer (the carrier, or the payer when self-billing)")
    if billing.already_billed([load.id]):
        raise ApiProblem(409, _("Load %(id)s is already billed.", id=load.id), code="already_billed")
    try:
        (bill_id,) = billing.store([spec], now=now, principal=principal)
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise ApiProblem(409, _("Load %(id)s is already billed.", id=load.id), code="already_billed") from exc
    return db.session.get(FreightBill, bill_id)


def _line_values(data: dict) -> dict:
    """Quantity (3 decimals) and unit price (4) as Decimals; negative or inexact ones are field errors."""
    errors, values = [], {}
    for name, decimals in (("quantity", 3), ("unit_price", RATE_DECIMALS)):
        if name in data:
            try:
                values[name] = parse_decimal(data[name], max_decimals=decimals)
            except MoneyError as exc:
                errors.append((name, str(exc)))
    if errors:
        raise ApiProblem(422, _("Some fields are invalid."), errors)
    return values


def edit_line(principal: Principal, bill: FreightBill, line: FreightBillLine | None, data: dict) -> FreightBill:
    """Change a draft line's quantity, unit price or description, or add a line (``line`` None)."""
    _staff_of(principal, issuer_org(bill), "bill's issuer")
    if bill.status != "draft":
        raise ApiProblem(409, _("A bill that is %(status)s cannot change; the payer disputes it instead.",
                                status=bill.status),
                         code="not_a_draft")
    values = _line_values(data)
    before = snapshot(bill)
    if line is None:
        line = FreightBillLine(line_no=max((x.line_no for x in bill.lines), default=0) + 1, code=data["code"],
                               unit=data.get("unit", "unit"), load_id=bill.load_id,
                               tax_rate_pct=bill.lines[0].tax_rate_pct if bill.lines else Decimal(0),
                               evidence=list(data.get("evidence") or []), notes={"added_by": "issuer"},
                               description=data.get("description") or data["code"], quantity=Decimal(1),
                               unit_price=Decimal(0), amount=Decimal(0))
        bill.lines.append(line)
    for name, value in values.items():
        setattr(line, name, value)
    if data.get("description"):
        line.description = data["description"]
    line.notes = {**(line.notes or {}), "edited_by_issuer": True}
    line.amount = documents.line_amount(Decimal(line.quantity), Decimal(line.unit_price), bill.currency)
    billing.recompute(bill)
    _record(principal, "freight_bill.line_edited", bill, before, {**snapshot(bill), "line_no": line.line_no})
    db.session.commit()
    return bill


def issue(principal: Principal, bill: FreightBill, now: datetime) -> FreightBill:
    """Issue a draft; the payer's audit runs at once and approves it when within the tolerance."""
    _staff_of(principal, issuer_org(bill), "bill's issuer")
    before = snapshot(bill)
    states.move(bill, "issued")
    bill.issued_at, bill.issued_on = now, now.date()
    bill.audit = auditing.audit(bill)
    _record(principal, "freight_bill.issued", bill, before, {**snapshot(bill), "audit": bill.audit["outcome"]})
    if bill.audit["outcome"] == "auto_approved":
        states.move(bill, "approved")
        bill.approved_at = now
        trail.record("freight_bill.auto_approved", "freight_bill", bill.id, organisation_id=bill.payer_org_id,
                     counterparty_org_id=bill.carrier_org_id, after=bill.audit)
    db.session.commit()
    tell_parties("bill_issued", bill, {"bill_id": bill.id, "number": bill.number, "kind": bill.kind,
                                       "total": text(bill.total, bill.currency), "currency": bill.currency})
    if bill.status == "approved":
        tell_parties("bill_approved", bill, {"bill_id": bill.id, "number": bill.number, "automatic": True})
    return bill


def approve(principal: Principal, bill: FreightBill, now: datetime, note: str = "") -> FreightBill:
    if not auditing.policy.may_approve(principal, bill):
        raise ApiProblem(403, _("Only an approver of the payer may approve this bill."))
    before = snapshot(bill)
    states.move(bill, "approved")
    bill.approved_at, bill.approved_by_user_id = now, principal.user_id
    _record(principal, "freight_bill.approved", bill, before, {**snapshot(bill), "note": note})
    db.session.commit()
    tell_parties("bill_approved", bill, {"bill_id": bill.id, "number": bill.number, "automatic": False})
    return bill


def open_amount(bill: FreightBill) -> Decimal:
    return Decimal(bill.total) - Decimal(bill.credited) - Decimal(bill.paid)


def pay(principal: Principal, bill: FreightBill, data: dict, now: datetime) -> Payment:
    """Record a payment (not process it): at most the open amount, in the bill's currency."""
    _staff_of(principal, bill.payer_org_id, "payer")
    if bill.status not in states.OPEN_FOR_PAYMENT:
        raise ApiProblem(409, _("A bill that is %(status)s is not open for payment.", status=bill.status),
                         code="not_payable")
    errors = []
    if data["currency"] != bill.currency:
        errors.append(("currency", _("must be the bill's currency %(currency)s", currency=bill.currency)))
    try:
        amount = parse_amount(data["amount"], bill.currency)
    except MoneyError as exc:
        raise ApiProblem(422, _("Some fields are invalid."), [("amount", str(exc)), *errors]) from exc
    if amount <= 0:
        errors.append(("amount", _("must be positive")))
    elif amount > open_amount(bill):
        errors.append(("amount", _("is above the open amount %(text)s",
                                   text=text(open_amount(bill), bill.currency))))
    if errors:
        raise ApiProblem(422, _("Some fields are invalid."), errors)
    before = snapshot(bill)
    payment = Payment(bill_id=bill.id, carrier_org_id=bill.carrier_org_id, payer_org_id=bill.payer_org_id,
                      currency=bill.currency, amount=amount, reference=data["reference"],
                      paid_on=data.get("paid_on") or now.date(), recorded_by_user_id=principal.user_id)
    db.session.add(payment)
    bill.paid = Decimal(bill.paid) + amount
    if open_amount(bill) == 0:
        states.move(bill, "paid")
    db.session.flush()
    _record(principal, "freight_bill.payment_recorded", bill, before,
            {**snapshot(bill), "payment_id": payment.id, "reference": payment.reference})
    db.session.commit()
    tell_parties("bill_paid", bill, {"bill_id": bill.id, "number": bill.number, "payment_id": payment.id,
                                     "amount": text(amount, bill.currency), "paid_on": payment.paid_on,
                                     "open": text(open_amount(bill), bill.currency)})
    return payment

