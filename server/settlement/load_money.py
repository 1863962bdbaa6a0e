"""A load's money, for its payer and its carrier: what Haul expects the freight to cost and the bills so far."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import aliased

from server.auth.principal import Principal
from server.errors import ApiProblem
from server.extensions import db
from server.models import FreightBill, Load
from server.settlement import billing, gather
from server.settlement.lifecycle import may_see
from server.settlement.money import ZERO, text


def money_of(principal: Principal, load: Load) -> dict:
    """Expected lines (each citing its facts), their net, and the load's bills and credit notes the caller may see."""
    payer = billing.payer_of(load)
    if principal.organisation_id not in (payer, load.carrier_org_id):
        raise ApiProblem(403, _("A load's money is seen by its payer and its carrier."))
    pricing = billing.pricing_for(load)
    expected = billing.expected_lines(gather.load_facts([load.id])[load.id], pricing) if load.carrier_org_id else []
    invoices = aliased(FreightBill)
    bills = db.session.scalars(select(FreightBill).where(
        (FreightBill.load_id == load.id)
        | FreightBill.credit_for_id.in_(select(invoices.id).where(invoices.load_id == load.id))).order_by(FreightBill.id))
    return {"load_id": load.id, "payer_id": payer, "pricing": pricing, "currency": pricing.currency,
            "agreement_id": pricing.agreement.id if pricing.agreement else None, "expected": expected,
            "expected_net": text(sum((x["amount"] for x in expected), ZERO), pricing.currency),
            "bills": [b for b in bills if may_see(b, principal.organisation_id)]}
