"""The settlement pages: a carrier's bills, disputes and statements; a payer's audit queue, approvals,
disputes and statements; one bill; one statement; one load's money.

Rendered from the same scoped reads and views as the API (``server.settlement.views``); the forms
send their changes to the REST API with the session cookie (``static/js/haul.js``) and reload.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from sqlalchemy import select

from server.auth.scoping import scoped
from server.errors import ApiProblem
from server.extensions import db
from server.models import Dispute, EvidenceItem, FreightBill, Load, Organisation, RateAgreement, Statement
from server.settlement import billing
from server.settlement.lifecycle import issuer_org, may_see, visible_bills
from server.settlement.load_money import money_of
from server.settlement.money import text
from server.settlement.views import bill_view, dispute_view, statement_view
from server.web.context import principal_of_kind

blp = Blueprint("settlement", __name__, url_prefix="/settlement")
PARTIES = ("seller", "buyer", "carrier")

BILL_STATUS = {"draft": _l("draft"), "issued": _l("waiting for approval"), "approved": _l("approved"),
               "disputed": _l("disputed"), "paid": _l("paid"), "open": _l("open"), "accepted": _l("accepted"),
               "adjusted": _l("adjusted"), "rejected": _l("rejected"), "differences": _l("differences raised"),
               "confirmed": _l("confirmed by both sides"), "auto_approved": _l("approved by the audit"),
               "needs_approval": _l("needs an approver")}
CHARGE = {"linehaul": _l("Freight"), "fuel": _l("Fuel surcharge"), "detention_pickup": _l("Detention at pickup"),
          "detention_delivery": _l("Detention at delivery"), "late_cancellation": _l("Late cancellation"),
          "truck_ordered_not_used": _l("Truck ordered, not used"), "layover": _l("Layover"),
          "extra_stops": _l("Extra stops"), "other": _l("Other charge"), "invoice": _l("Invoice"),
          "credit_note": _l("Credit note"), "payment": _l("Payment")}
FINDING = {"differs": _l("differs from what Haul expects"), "not_provable": _l("no recorded fact supports it"),
           "weight_outside_tolerance": _l("weight outside the tolerance")}


@blp.app_template_filter("bill_status")
def bill_status(code) -> str:
    return str(BILL_STATUS.get(code, code or "–"))


@blp.app_template_filter("charge_label")
def charge_label(code) -> str:
    return str(CHARGE.get(code, (code or "").replace("_", " ")))


@blp.app_template_filter("finding_label")
def finding_label(code) -> str:
    return str(FINDING.get(code, code or ""))


def _names(*ids) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    return {o.id: o.name for o in db.session.scalars(select(Organisation).where(Organisation.id.in_(wanted)))}


def _unbilled_loads(principal) -> list[Load]:
    """Delivered loads of the carrier that have no invoice yet (what it can bill now)."""
    rows = list(db.session.scalars(select(Load).where(Load.carrier_org_id == principal.organisation_id,
                                                      Load.status.in_(billing.BILLABLE)).order_by(Load.id.desc())
                                   .limit(200)))
    billed = billing.already_billed([r.id for r in rows]) if rows else set()
    return [r for r in rows if r.id not in billed]


@blp.get("")
@login_required
def index():
    principal = _finance_reader()
    bills = list(db.session.scalars(visible_bills(principal).order_by(FreightBill.id.desc()).limit(200)))
    disputes = list(db.session.scalars(scoped(Dispute, principal).order_by(Dispute.id.desc()).limit(100)))
    statements = list(db.session.scalars(scoped(Statement, principal).order_by(Statement.id.desc()).limit(50)))
    agreements = list(db.session.scalars(scoped(RateAgreement, principal).order_by(RateAgreement.id.desc()).limit(50)))
    carrier = principal.org_kind == "carrier"
    names = _names(*(b.carrier_org_id for b in bills), *(b.payer_org_id for b in bills),
                   *(a.carrier_org_id for a in agreements), *(a.payer_org_id for a in agreements))
    queue = [b for b in bills if b.status == "issued" and b.kind == "invoice" and b.payer_org_id == principal.organisation_id]
    others = sorted({(a.payer_org_id if carrier else a.carrier_org_id) for a in agreements}
                    | {(b.payer_org_id if carrier else b.carrier_org_id) for b in bills})
    counterparties = [(other, names.get(other, other)) for other in others]
    return render_template(
        "settlement/index.html", carrier=carrier, bills=[bill_view(b, full=False) for b in bills],
        queue=[bill_view(b, full=False) for b in queue], disputes=[dispute_view(d) for d in disputes],
        statements=[statement_view(s, lines=False) for s in statements], agreements=agreements, names=names,
        unbilled=_unbilled_loads(principal) if carrier else [], counterparties=counterparties,
        org_id=principal.organisation_id)


def _finance_reader():
    """The signed-in party, when it may see money (403 naming ``view_finances`` otherwise, as the API says)."""
    principal = principal_of_kind(*PARTIES)
    if not principal.can("view_finances"):
        abort(403, description=_("This page needs the permission '%(permission)s'.", permission="view_finances"))
    return principal


def _or_404(model, object_id: int, principal):
    row = db.session.scalar(scoped(model, principal).where(model.id == object_id))
    if row is None:
        abort(404)
    return row


@blp.get("/bills/<int:bill_id>")
@login_required
def bill(bill_id: int):
    principal = _finance_reader()
    row = _or_404(FreightBill, bill_id, principal)
    if not may_see(row, principal.organisation_id):
        abort(404)
    load = db.session.get(Load, row.load_id) if row.load_id else None
    view = bill_view(row)
    line_options = [(x["line_no"], f'{x["line_no"]}: {charge_label(x["code"])} {x["amount"]}') for x in view["lines"]]
    items = db.session.scalars(select(EvidenceItem).where(EvidenceItem.load_id == row.load_id)
                               .order_by(EvidenceItem.seq)) if row.load_id else []
    return render_template("settlement/bill.html", bill=view, load=load, line_options=line_options,
                           evidence_items=list(items),
                           names=_names(row.carrier_org_id, row.payer_org_id), org_id=principal.organisation_id,
                           is_issuer=issuer_org(row) == principal.organisation_id,
                           is_payer=row.payer_org_id == principal.organisation_id,
                           is_carrier=row.carrier_org_id == principal.organisation_id,
                           is_approver=principal.can("approve") and row.payer_org_id == principal.organisation_id)


@blp.get("/statements/<int:statement_id>")
@login_required
def statement(statement_id: int):
    principal = _finance_reader()
    row = _or_404(Statement, statement_id, principal)
    side = "carrier" if row.carrier_org_id == principal.organisation_id else "payer"
    return render_template("settlement/statement.html", statement=statement_view(row), side=side,
                           names=_names(row.carrier_org_id, row.payer_org_id))


@blp.get("/loads/<int:load_id>")
@login_required
def load_money(load_id: int):
    """A load's money: what Haul expects its freight to cost, line by line with the facts, and its bills."""
    principal = _finance_reader()
    load = _or_404(Load, load_id, principal)
    try:
        money = money_of(principal, load)
    except ApiProblem as exc:
        abort(exc.status, description=exc.detail)
    return render_template("settlement/load_money.html", load=load, text=text,
                           **{**money, "bills": [bill_view(b, full=False) for b in money["bills"]]})
