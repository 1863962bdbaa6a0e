"""Reconciliation statements between a payer and a carrier for a period, in one currency.

The balance is what the payer owes the carrier. The opening balance is every document dated before
the period (invoices issued, less credit notes, less payments); the statement lists the period's
documents in date order, each signed as it moves the balance (invoice +, credit note -, payment -),
and closes at opening + invoiced - credited - paid (:func:`summarise`, pure, checked by a property
test). Drafts are never on a statement. Each side confirms, or raises a difference; when both have
confirmed, the statement is ``confirmed`` and never changes (corrections are new documents, which
the next statement shows).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import case, func, literal, select, union_all

from server.audit import trail
from server.auth.principal import Principal
from server.db.bulk import insert_rows
from server.errors import ApiProblem
from server.extensions import db
from server.models import FreightBill, Load, Payment, Statement, StatementLine
from server.settlement import states
from server.settlement.money import ZERO, round_money, text
from server.settlement.notify import tell_parties

SIGN = {"invoice": 1, "credit_note": -1, "payment": -1}
KIND_ORDER = {"invoice": 0, "credit_note": 1, "payment": 2}  # on one day: the invoice, its credit notes, payments


@dataclass(frozen=True)
class Summary:
    opening: Decimal
    invoiced: Decimal
    credited: Decimal
    paid: Decimal
    closing: Decimal
    documents: int


def summarise(opening: Decimal, lines: list[tuple[str, Decimal]]) -> Summary:
    """Totals of (kind, unsigned amount) documents after ``opening``; closing = opening + signed sum."""
    sums = {"invoice": ZERO, "credit_note": ZERO, "payment": ZERO}
    for kind, amount in lines:
        sums[kind] += amount
    closing = opening + sums["invoice"] - sums["credit_note"] - sums["payment"]
    return Summary(opening, sums["invoice"], sums["credit_note"], sums["payment"], closing, len(lines))


def _documents(carrier_id: int, payer_id: int, currency: str):
    """Every counted document between the parties as (kind, id, number, on, amount, load reference)."""
    bills = (select(FreightBill.kind.label("kind"), FreightBill.id.label("id"), FreightBill.number.label("number"),
                    FreightBill.issued_on.label("on"), FreightBill.total.label("amount"),
                    func.coalesce(Load.reference, "").label("load_reference"))
             .outerjoin(Load, Load.id == FreightBill.load_id)
             .where(FreightBill.carrier_org_id == carrier_id, FreightBill.payer_org_id == payer_id,
                    FreightBill.currency == currency, FreightBill.status.in_(states.COUNTED)))
    payments = (select(literal("payment").label("kind"), Payment.id, Payment.reference, Payment.paid_on,
                       Payment.amount, literal("").label("load_reference"))
                .where(Payment.carrier_org_id == carrier_id, Payment.payer_org_id == payer_id,
                       Payment.currency == currency))
    return union_all(bills, payments).subquery()


def _balance_before(docs, start: date) -> Decimal:
    rows = db.session.execute(select(docs.c.kind, func.sum(docs.c.amount)).where(docs.c.on < start)
                              .group_by(docs.c.kind)).all()
    return sum((SIGN[kind] * Decimal(amount or 0) for kind, amount in rows), ZERO)


def draw(principal: Principal, counterparty_id: int, currency: str, start: date, end: date, now: datetime,
         ) -> Statement:
    """Draw up the statement of the period between the caller's organisation and ``counterparty_id``."""
    if not principal.can("manage_finances"):
        raise ApiProblem(403, _("Statements are drawn up by admins and dispatchers."))
    carrier_id, payer_id = ((principal.organisation_id, counterparty_id) if principal.org_kind == "carrier"
                            else (counterparty_id, principal.organisation_id))
    return build(carrier_id, payer_id, currency, start, end, now, principal=principal)


def build(carrier_id: int, payer_id: int, currency: str, start: date, end: date, now: datetime,
          principal: Principal | None = None) -> Statement:
    """Compute and store the statement (its lines in one multi-row INSERT), with its audit event; commits."""
    docs = _documents(carrier_id, payer_id, currency)
    opening = round_money(_balance_before(docs, start), currency)
    rows = db.session.execute(select(docs).where(docs.c.on >= start, docs.c.on <= end)
                              .order_by(docs.c.on, case(KIND_ORDER, value=docs.c.kind), docs.c.id)).all()
    summary = summarise(opening, [(r.kind, Decimal(r.amount)) for r in rows])
    statement = Statement(carrier_org_id=carrier_id, payer_org_id=payer_id, currency=currency, period_start=start,
                          period_end=end, opening_balance=summary.opening, invoiced=summary.invoiced,
                          credited=summary.credited, paid=summary.paid, closing_balance=summary.closing,
                          documents=summary.documents, status="open", differences=[])
    db.session.add(statement)
    db.session.flush()
    if rows:
        insert_rows(StatementLine, [
            {"statement_id": statement.id, "kind": r.kind, "document_id": r.id, "number": r.number, "on": r.on,
             "amount": Decimal(r.amount) * SIGN[r.kind], "load_reference": r.load_reference or "", "created_at": now}
            for r in rows])
    trail.record("freight_statement.drawn", "freight_statement", statement.id, principal=principal,
                 organisation_id=payer_id, counterparty_org_id=carrier_id if principal is None
                 or principal.organisation_id == payer_id else payer_id, after=view_totals(statement))
    db.session.commit()
    tell_parties("statement_issued", statement, {"statement_id": statement.id, **view_totals(statement)}, load_id=None)
    return statement


def view_totals(statement: Statement) -> dict:
    c = statement.currency
    return {"currency": c, "period_start": statement.period_start, "period_end": statement.period_end,
            "opening_balance": text(statement.opening_balance, c), "invoiced": text(statement.invoiced, c),
            "credited": text(statement.credited, c), "paid": text(statement.paid, c),
            "closing_balance": text(statement.closing_balance, c), "documents": statement.documents}


def _side(principal: Principal, statement: Statement) -> str:
    if not principal.can("manage_finances"):
        raise ApiProblem(403, _("Statements are confirmed by admins and dispatchers."))
    if statement.status == "confirmed":
        raise ApiProblem(409, _("This statement is confirmed by both sides and cannot change; corrections "
                                "are new documents on the next statement."), code="statement_confirmed")
    return "carrier" if principal.organisation_id == statement.carrier_org_id else "payer"


def confirm(principal: Principal, statement: Statement, now: datetime) -> Statement:
    side = _side(principal, statement)
    setattr(statement, f"{side}_confirmed_at", now)
    if statement.carrier_confirmed_at and statement.payer_confirmed_at:
        statement.status = "confirmed"
    trail.record("freight_statement.confirmed", "freight_statement", statement.id, principal=principal,
                 counterparty_org_id=statement.payer_org_id if side == "carrier" else statement.carrier_org_id,
                 after={"side": side, "status": statement.status})
    db.session.commit()
    tell_parties("statement_confirmed", statement, {"statement_id": statement.id, "side": side,
                                                    "status": statement.status}, load_id=None)
    return statement


def raise_difference(principal: Principal, statement: Statement, data: dict, now: datetime) -> Statement:
    side = _side(principal, statement)
    entry = {"organisation_id": principal.organisation_id, "side": side, "text": data["text"],
             "amount": data.get("amount"), "at": now.isoformat(), "user_id": principal.user_id}
    statement.differences = [*(statement.differences or []), entry]
    statement.status = "differences"
    statement.carrier_confirmed_at = statement.payer_confirmed_at = None
    trail.record("freight_statement.difference_raised", "freight_statement", statement.id, principal=principal,
                 counterparty_org_id=statement.payer_org_id if side == "carrier" else statement.carrier_org_id,
                 after=entry)
    db.session.commit()
    tell_parties("statement_confirmed", statement, {"statement_id": statement.id, "side": side,
                                                    "status": "differences"}, load_id=None)
    return statement
