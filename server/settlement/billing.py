"""Freight bills from delivered loads: the expected charges priced, rounded and stored, in bulk when needed.

One path for one load and for a hundred thousand: ``bill_specs`` computes each bill's columns and
lines from the loads' facts (``gather.load_facts``) and their pricing, and ``store`` writes them with
multi-row INSERTs (bills, then lines, then one audit event per bill), in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from server.audit import trail
from server.db.bulk import among, insert_rows
from server.errors import ApiProblem
from server.extensions import db
from server.models import FreightBill, FreightBillLine, Load, RateAgreement
from server.settlement import agreements, documents
from server.settlement.charges import Terms, expected_charges
from server.settlement.facts import LoadFacts
from server.settlement.money import ZERO

BILLABLE = ("delivered", "closed")
CANCELLED = "cancelled"


def payer_of(load) -> int:
    """Who pays the load's freight: its seller, or its buyer when the buyer collects (``freight_payer``)."""
    return load.buyer_org_id if load.freight_payer == "buyer" else load.seller_org_id


@dataclass(frozen=True)
class Pricing:
    agreement: RateAgreement | None
    terms: Terms
    currency: str
    tax_rate_pct: Decimal
    tolerance_pct: Decimal
    tolerance_amount: Decimal


def pricing_for(load, cache: dict | None = None) -> Pricing:
    """The agreement covering the load (or the payer's defaults for a spot load) as prices and tolerances.

    ``cache`` (a dict the caller keeps for one batch) remembers the answer per lane, equipment and
    pickup day, so a batch of loads on a few lanes costs a few queries, not one per load.
    """
    payer = payer_of(load)
    key = (payer, load.carrier_org_id, load.pickup_site_id, load.delivery_site_id, load.required_equipment,
           load.pickup_earliest.date())
    if cache is not None and key in cache:
        return cache[key]
    agreement = agreements.for_load(load, payer)
    if agreement is not None:
        pricing = Pricing(agreement, agreements.terms_of(agreement), agreement.currency,
                          Decimal(agreement.tax_rate_pct), Decimal(agreement.tolerance_pct),
                          Decimal(agreement.tolerance_amount))
    else:
        defaults = agreements.payer_defaults(payer)
        pricing = Pricing(None, Terms(schedule=agreements.schedule_of(defaults["accessorials"])), defaults["currency"],
                          defaults["tax_rate_pct"], defaults["tolerance_pct"], defaults["tolerance_amount"])
    if cache is not None:
        cache[key] = pricing
    return pricing


def expected_lines(facts: LoadFacts, pricing: Pricing) -> list[dict]:
    """The lines Haul expects for the load, rounded; accessorials worth nothing are left out."""
    lines = []
    for charge in expected_charges(facts, pricing.terms):
        amount = documents.charge_amount(charge, pricing.currency)
        if amount == ZERO and charge.code != "linehaul":
            continue
        lines.append({"load_id": facts.load_id, "code": charge.code, "description": charge.description[:500],
                      "quantity": charge.quantity, "unit": charge.unit, "unit_price": charge.unit_price,
                      "amount": amount, "tax_rate_pct": pricing.tax_rate_pct, "evidence": list(charge.evidence),
                      "notes": dict(charge.notes)})
    return lines


def refuse_unbillable(load: Load) -> None:
    if load.status not in BILLABLE and load.status != CANCELLED:
        raise ApiProblem(422, _("Load %(id)s is %(status)s: only delivered loads are billed.", id=load.id,
                                status=load.status),
                         [("load_id", _("load %(id)s is %(status)s, not delivered", id=load.id,
                                        status=load.status))], code="load_not_delivered")
    if load.carrier_org_id is None:
        raise ApiProblem(422, _("Load %(id)s has no carrier to bill it.", id=load.id),
                         [("load_id", _("has no carrier"))])


def number_for(load_id: int, issued_by: str) -> str:
    return f"{'SB' if issued_by == 'payer' else 'FB'}-{load_id}"


def with_totals(bill: dict, currency: str) -> dict:
    result = documents.totals(((line["amount"], line["tax_rate_pct"]) for line in bill["lines"]), currency)
    bill.update(net=result.net, tax=result.tax, total=result.total,
                taxes=[t.view(currency) for t in result.taxes])
    return bill


def bill_specs(loads: list, facts: dict[int, LoadFacts], issued_by: str | None = None,
               cache: dict | None = None) -> list[dict]:
    """One per-load invoice spec (columns and lines) for each load; a cancelled load without charges gets none.

    ``loads`` are Load rows or any rows with the same attributes (the bench passes plain result rows).
    """
    cache = {} if cache is None else cache
    specs = []
    for load in loads:
        pricing = pricing_for(load, cache)
        lines = expected_lines(facts[load.id], pricing)
        if load.status == CANCELLED and not lines:
            continue
        by = issued_by or ("payer" if pricing.agreement is not None and pricing.agreement.self_billing else "carrier")
        specs.append(with_totals({
            "kind": "invoice", "number": number_for(load.id, by), "carrier_org_id": load.carrier_org_id,
            "payer_org_id": payer_of(load), "issued_by": by, "load_id": load.id,
            "agreement_id": pricing.agreement.id if pricing.agreement else None, "currency": pricing.currency,
            "status": "draft", "lines": lines}, pricing.currency))
    return specs


def store(specs: list[dict], *, now: datetime, principal=None, action: str = "freight_bill.drafted") -> list[int]:
    """Insert the bills, their numbered lines and an audit event each; returns the bill ids in order."""
    if not specs:
        return []
    columns = [{k: v for k, v in spec.items() if k != "lines"} | {"created_at": now} for spec in specs]
    keys = set().union(*columns)  # every row names the same columns (a credit note has more than a draft)
    ids = insert_rows(FreightBill, [{key: row.get(key) for key in keys} for row in columns], with_ids=True)
    lines = [{"credit_for_line_id": None, **line, "bill_id": bill_id, "line_no": k, "created_at": now}
             for bill_id, spec in zip(ids, specs, strict=True) for k, line in enumerate(spec["lines"], start=1)]
    insert_rows(FreightBillLine, lines)
    trail.record_many(trail.event_row(
        action, "freight_bill", bill_id, principal=principal,
        organisation_id=spec["carrier_org_id"] if spec["issued_by"] == "carrier" else spec["payer_org_id"],
        counterparty_org_id=spec["payer_org_id"] if spec["issued_by"] == "carrier" else spec["carrier_org_id"],
        after={"number": spec["number"], "total": spec["total"], "currency": spec["currency"]}, at=now)
        for bill_id, spec in zip(ids, specs, strict=True))
    return ids


def recompute(bill: FreightBill) -> None:
    """A draft's totals again after its lines changed."""
    values = with_totals({"lines": [{"amount": line.amount, "tax_rate_pct": line.tax_rate_pct}
                                    for line in bill.lines]}, bill.currency)
    bill.net, bill.tax, bill.total, bill.taxes = values["net"], values["tax"], values["total"], values["taxes"]


def already_billed(load_ids: list[int]) -> set[int]:
    """Loads already on an invoice (per load or in a period bill)."""
    rows = db.session.scalars(select(FreightBillLine.load_id).join(FreightBill, FreightBill.id == FreightBillLine.bill_id)
                              .where(among(FreightBillLine.load_id, load_ids), FreightBill.kind == "invoice").distinct())
    return set(rows)
