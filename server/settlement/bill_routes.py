"""Freight bills: drafted from delivered loads, edited as drafts, issued, audited, approved, paid; a load's money."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import fields, validate

from server import clock
from server.api.common import PageArgs, page_of, page_schema
from server.auth.principal import current_principal, require
from server.auth.scoping import get_scoped_or_404
from server.db.types import MAX_ID
from server.errors import ApiProblem
from server.models import FreightBill, Load
from server.settlement import lifecycle, periods
from server.settlement.load_money import money_of
from server.settlement.schemas import ApproveIn, BillIn, BillLineChange, BillLineIn, PaymentIn, PeriodBillIn
from server.settlement.schemas_out import BillOut, LoadMoneyOut, PaymentOut
from server.settlement.views import bill_view, line_view, payment_view

blp = Blueprint("freight_bills", __name__, url_prefix="/api/v1",
                description="Freight bills: lines citing their evidence, tax, the payer's audit, approval, payments")


class BillFilter(PageArgs):
    status = fields.String(validate=validate.OneOf(("draft", "issued", "approved", "disputed", "paid")))
    kind = fields.String(validate=validate.OneOf(("invoice", "credit_note")))
    role = fields.String(validate=validate.OneOf(("carrier", "payer")), metadata={"description": "the caller's side"})
    load_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    needs_approval = fields.Boolean(metadata={"description": "issued bills whose audit asks for an approver"})


def _bill(bill_id: int) -> FreightBill:
    return get_scoped_or_404(FreightBill, bill_id, current_principal())


@blp.post("/freight-bills")
@blp.arguments(BillIn)
@blp.response(201, BillOut)
@require("manage_finances")
def draft_bill(data):
    """Draft the invoice of a delivered load, every line computed from its facts (422 for a load not delivered)."""
    principal = current_principal()
    load = get_scoped_or_404(Load, data["load_id"], principal)
    return bill_view(lifecycle.draft_for_load(principal, load, clock.now()))


@blp.post("/freight-bills/period")
@blp.arguments(PeriodBillIn)
@blp.response(201, BillOut)
@require("manage_finances")
def draft_period_bill(data):
    """Draft one invoice for every delivered, unbilled load of a per-period agreement picked up in the period."""
    return bill_view(periods.draft_period_bill(current_principal(), data, clock.now()))


@blp.get("/freight-bills")
@blp.arguments(BillFilter, location="query")
@blp.response(200, page_schema(BillOut, "BillPage"))
@require("view_finances")
def list_bills(args):
    """Bills and credit notes of the caller, as carrier or payer (drafts only to their issuer)."""
    principal = current_principal()
    org = principal.organisation_id
    query = lifecycle.visible_bills(principal)
    for name in ("status", "kind", "load_id"):
        if name in args:
            query = query.where(getattr(FreightBill, name) == args[name])
    if "role" in args:
        query = query.where((FreightBill.carrier_org_id if args["role"] == "carrier" else FreightBill.payer_org_id) == org)
    if args.get("needs_approval"):
        query = query.where(FreightBill.status == "issued", FreightBill.kind == "invoice")
    return page_of(query.order_by(FreightBill.id.desc()), args, lambda b: bill_view(b, full=False))


@blp.get("/freight-bills/<int:bill_id>")
@blp.response(200, BillOut)
@require("view_finances")
def get_bill(bill_id):
    """A bill with its lines (each citing its evidence), taxes, audit, disputes, credit notes and payments."""
    bill = _bill(bill_id)
    if not lifecycle.may_see(bill, current_principal().organisation_id):
        raise ApiProblem(404, _("FreightBill %(bill_id)s was not found.", bill_id=bill_id))
    return bill_view(bill)


@blp.post("/freight-bills/<int:bill_id>/lines")
@blp.arguments(BillLineIn)
@blp.response(201, BillOut)
@require("manage_finances")
def add_line(data, bill_id):
    """Add a line to a draft (a charge Haul did not compute is a finding in the payer's audit)."""
    return bill_view(lifecycle.edit_line(current_principal(), _bill(bill_id), None, data))


@blp.patch("/freight-bills/<int:bill_id>/lines/<int:line_no>")
@blp.arguments(BillLineChange)
@blp.response(200, BillOut)
@require("manage_finances")
def edit_line(data, bill_id, line_no):
    """Change a draft line's quantity, unit price or description."""
    bill = _bill(bill_id)
    line = next((x for x in bill.lines if x.line_no == line_no), None)
    if line is None:
        raise ApiProblem(404, _("Bill %(number)s has no line %(line_no)s.", number=bill.number,
                                line_no=line_no))
    return bill_view(lifecycle.edit_line(current_principal(), bill, line, data))


@blp.post("/freight-bills/<int:bill_id>/issue")
@blp.response(200, BillOut)
@require("manage_finances")
def issue_bill(bill_id):
    """Issue a draft; the payer's audit approves it at once within the tolerance, else it waits for an approver."""
    return bill_view(lifecycle.issue(current_principal(), _bill(bill_id), clock.now()))


@blp.post("/freight-bills/<int:bill_id>/approve")
@blp.arguments(ApproveIn)
@blp.response(200, BillOut)
@require("view_finances")
def approve_bill(data, bill_id):
    """The payer's approver approves an issued bill."""
    return bill_view(lifecycle.approve(current_principal(), _bill(bill_id), clock.now(), data["note"]))


@blp.post("/freight-bills/<int:bill_id>/payments")
@blp.arguments(PaymentIn)
@blp.response(201, PaymentOut)
@require("manage_finances")
def record_payment(data, bill_id):
    """Record a payment (reference and date) against an approved bill, up to its open amount."""
    return payment_view(lifecycle.pay(current_principal(), _bill(bill_id), data, clock.now()))


@blp.get("/loads/<int:load_id>/money")
@blp.response(200, LoadMoneyOut)
@require("view_finances")
def load_money(load_id):
    """What the load's freight should cost (lines citing their facts) and its bills, for its payer and carrier."""
    principal = current_principal()
    money = money_of(principal, get_scoped_or_404(Load, load_id, principal))
    currency = money["currency"]
    return {**money, "expected": [line_view(_Line(k, x), currency) for k, x in enumerate(money["expected"], start=1)],
            "bills": [bill_view(b) for b in money["bills"]]}


class _Line:
    """An expected line shaped like a stored one, for ``line_view``."""

    def __init__(self, number: int, values: dict):
        self.id, self.line_no = None, number
        for key, value in values.items():
            setattr(self, key, value)
