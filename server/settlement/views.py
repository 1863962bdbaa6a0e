"""Settlement documents as JSON: every amount as text with its currency's decimals, never a float."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from server.extensions import db
from server.models import Dispute, FreightBill, Payment, RateAgreement, Statement, StatementLine
from server.settlement.lifecycle import open_amount
from server.settlement.money import text


def _num(value) -> str | None:
    """A quantity, rate or percentage without trailing zeros (``"24.05"``, ``"19"``)."""
    return None if value is None else format(Decimal(value).normalize(), "f")


def agreement_view(row: RateAgreement) -> dict:
    c = row.currency
    return {"id": row.id, "reference": row.reference, "payer_id": row.payer_org_id, "carrier_id": row.carrier_org_id,
            "currency": c, "lane": {"origin_site_id": row.origin_site_id, "origin_region": row.origin_region,
                                    "destination_site_id": row.destination_site_id,
                                    "destination_region": row.destination_region},
            "equipment": row.equipment, "valid_from": row.valid_from, "valid_to": row.valid_to, "basis": row.basis,
            "rate": _num(row.rate), "minimum": text(row.minimum, c),
            "fuel": {"pct": _num(row.fuel_pct)} if row.fuel_pct is not None else row.fuel_index,
            "accessorials": row.accessorials, "tax_rate_pct": _num(row.tax_rate_pct), "billing": row.billing,
            "self_billing": row.self_billing, "tolerance_pct": _num(row.tolerance_pct),
            "tolerance_amount": text(row.tolerance_amount, c), "active": row.active, "created_at": row.created_at}


def line_view(line, currency: str) -> dict:
    return {"id": line.id, "line_no": line.line_no, "load_id": line.load_id, "code": line.code,
            "description": line.description, "quantity": _num(line.quantity), "unit": line.unit,
            "unit_price": _num(line.unit_price), "amount": text(line.amount, currency),
            "tax_rate_pct": _num(line.tax_rate_pct), "evidence": line.evidence, "notes": line.notes}


def payment_view(row: Payment) -> dict:
    return {"id": row.id, "bill_id": row.bill_id, "amount": text(row.amount, row.currency), "currency": row.currency,
            "reference": row.reference, "paid_on": row.paid_on, "created_at": row.created_at}


def bill_view(bill: FreightBill, *, full: bool = True) -> dict:
    c = bill.currency
    out = {"id": bill.id, "kind": bill.kind, "number": bill.number, "status": bill.status,
           "carrier_id": bill.carrier_org_id, "payer_id": bill.payer_org_id, "issued_by": bill.issued_by,
           "load_id": bill.load_id, "agreement_id": bill.agreement_id, "credit_for_id": bill.credit_for_id,
           "currency": c, "net": text(bill.net, c), "tax": text(bill.tax, c), "total": text(bill.total, c),
           "taxes": bill.taxes, "credited": text(bill.credited, c), "paid": text(bill.paid, c),
           "open": text(open_amount(bill), c), "issued_on": bill.issued_on, "approved_at": bill.approved_at,
           "audit": bill.audit or None, "created_at": bill.created_at}
    if full:
        out["lines"] = [line_view(line, c) for line in bill.lines]
        out["payments"] = [payment_view(p) for p in db.session.scalars(
            select(Payment).where(Payment.bill_id == bill.id).order_by(Payment.id))]
        out["disputes"] = [dispute_view(d, c) for d in db.session.scalars(
            select(Dispute).where(Dispute.bill_id == bill.id).order_by(Dispute.id))]
        out["credit_notes"] = [{"id": n.id, "number": n.number, "total": text(n.total, c)} for n in db.session.scalars(
            select(FreightBill).where(FreightBill.credit_for_id == bill.id).order_by(FreightBill.id))]
    return out


def dispute_view(row: Dispute, currency: str | None = None) -> dict:
    currency = currency or db.session.get(FreightBill, row.bill_id).currency
    line = next((x for x in db.session.get(FreightBill, row.bill_id).lines if x.id == row.line_id), None)
    return {"id": row.id, "bill_id": row.bill_id, "line_no": line.line_no if line else None,
            "carrier_id": row.carrier_org_id, "payer_id": row.payer_org_id, "reason": row.reason,
            "claimed_amount": text(row.claimed_amount, currency), "evidence": row.evidence, "status": row.status,
            "resolution_note": row.resolution_note, "credit_note_id": row.credit_note_id,
            "resolved_at": row.resolved_at, "created_at": row.created_at,
            "comments": [{"id": c.id, "organisation_id": c.organisation_id, "user_id": c.user_id, "text": c.text,
                          "created_at": c.created_at} for c in row.comments]}


def statement_view(row: Statement, *, lines: bool = True) -> dict:
    c = row.currency
    out = {"id": row.id, "carrier_id": row.carrier_org_id, "payer_id": row.payer_org_id, "currency": c,
           "period_start": row.period_start, "period_end": row.period_end,
           "opening_balance": text(row.opening_balance, c), "invoiced": text(row.invoiced, c),
           "credited": text(row.credited, c), "paid": text(row.paid, c),
           "closing_balance": text(row.closing_balance, c), "documents": row.documents, "status": row.status,
           "carrier_confirmed_at": row.carrier_confirmed_at, "payer_confirmed_at": row.payer_confirmed_at,
           "differences": row.differences, "created_at": row.created_at}
    if lines:
        out["lines"] = [{"kind": x.kind, "document_id": x.document_id, "number": x.number, "on": x.on,
                         "amount": text(x.amount, c), "load_reference": x.load_reference}
                        for x in statement_lines(row.id, limit=1000)]
    return out


def statement_lines(statement_id: int, limit: int | None = None):
    query = select(StatementLine).where(StatementLine.statement_id == statement_id).order_by(StatementLine.id)
    return db.session.scalars(query.limit(limit) if limit else query)
