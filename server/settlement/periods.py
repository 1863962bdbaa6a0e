"""Per-period bills: one invoice for every delivered, unbilled load of an agreement picked up in the period."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from server.auth.principal import Principal
from server.auth.scoping import get_scoped_or_404
from server.errors import ApiProblem
from server.extensions import db
from server.models import FreightBill, Load, RateAgreement
from server.settlement import agreements, billing, gather


def _loads(agreement: RateAgreement, start, end) -> list[Load]:
    since = datetime.combine(start, time.min, UTC)
    until = datetime.combine(end, time.min, UTC) + timedelta(days=1)
    paid_by = or_((Load.freight_payer == "seller") & (Load.seller_org_id == agreement.payer_org_id),
                  (Load.freight_payer == "buyer") & (Load.buyer_org_id == agreement.payer_org_id))
    rows = db.session.scalars(select(Load).where(
        Load.carrier_org_id == agreement.carrier_org_id, paid_by, Load.status.in_(billing.BILLABLE),
        Load.pickup_earliest >= since, Load.pickup_earliest < until).order_by(Load.pickup_earliest, Load.id))
    loads = [load for load in rows if (found := agreements.for_load(load, agreement.payer_org_id)) is not None
             and found.id == agreement.id]
    billed = billing.already_billed([load.id for load in loads]) if loads else set()
    return [load for load in loads if load.id not in billed]


def draft_period_bill(principal: Principal, data: dict, now: datetime) -> FreightBill:
    agreement = get_scoped_or_404(RateAgreement, data["agreement_id"], principal)
    issuer = agreement.payer_org_id if agreement.self_billing else agreement.carrier_org_id
    if principal.organisation_id != issuer or not principal.can("manage_finances"):
        raise ApiProblem(403, _("Only the issuer (the carrier, or the payer when self-billing) drafts this "
                                "bill."))
    if agreement.billing != "per_period":
        raise ApiProblem(422, _("This agreement bills per load."),
                         [("agreement_id", _("bills per load, not per period"))])
    start, end = data["period_start"], data["period_end"]
    if end < start:
        raise ApiProblem(422, _("Some fields are invalid."),
                         [("period_end", _("must not be before period_start"))])
    loads = _loads(agreement, start, end)
    if not loads:
        raise ApiProblem(422, _("No delivered, unbilled load of this agreement was picked up in the period."),
                         [("period_start", _("no load to bill in the period"))], code="nothing_to_bill")
    facts = gather.load_facts([load.id for load in loads])
    pricing = billing.pricing_for(loads[0])
    lines = [line for load in loads for line in billing.expected_lines(facts[load.id], pricing)]
    earlier = db.session.scalar(select(func.count()).select_from(FreightBill).where(
        FreightBill.agreement_id == agreement.id, FreightBill.period_start == start, FreightBill.kind == "invoice"))
    by = "payer" if agreement.self_billing else "carrier"
    number = f"{'SP' if by == 'payer' else 'FP'}-{agreement.id}-{start:%Y%m%d}-{end:%Y%m%d}" + (
        f"-{earlier + 1}" if earlier else "")
    spec = billing.with_totals({
        "kind": "invoice", "number": number, "carrier_org_id": agreement.carrier_org_id,
        "payer_org_id": agreement.payer_org_id, "issued_by": by, "load_id": None, "agreement_id": agreement.id,
        "period_start": start, "period_end": end, "currency": agreement.currency, "status": "draft",
        "lines": lines}, agreement.currency)
    (bill_id,) = billing.store([spec], now=now, principal=principal)
    db.session.commit()
    return db.session.get(FreightBill, bill_id)
