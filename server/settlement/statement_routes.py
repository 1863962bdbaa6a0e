"""Reconciliation statements: drawn up for a period, confirmed or questioned by each side, exported as CSV or PDF."""

from __future__ import annotations

from flask import Response
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from server import clock
from server.api.common import PageArgs, page_of, page_schema
from server.auth.principal import current_principal, require
from server.auth.scoping import get_scoped_or_404, scoped
from server.errors import ApiProblem
from server.extensions import db
from server.models import Organisation, Statement
from server.party_names import either
from server.settlement import exports, pdf, statements
from server.settlement.money import MoneyError, check_currency, parse_amount
from server.settlement.schemas import DifferenceIn, StatementIn
from server.settlement.schemas_out import StatementOut
from server.settlement.views import statement_view

blp = Blueprint("freight_statements", __name__, url_prefix="/api/v1/statements",
                description="Reconciliation statements between a payer and a carrier")


class PdfArgs(Schema):
    lang = fields.String(load_default="en", validate=validate.OneOf(pdf.LANGUAGES))


@blp.post("")
@blp.arguments(StatementIn)
@blp.response(201, StatementOut)
@require("view_finances")
def draw_statement(data):
    """Draw up the period's statement with a counterparty: opening balance, documents, closing balance."""
    principal = current_principal()
    errors = []
    try:
        check_currency(data["currency"])
    except MoneyError as exc:
        errors.append(("currency", str(exc)))
    other = db.session.get(Organisation, data["counterparty_id"])
    wanted = ("seller", "buyer") if principal.org_kind == "carrier" else ("carrier",)
    if principal.org_kind not in ("seller", "buyer", "carrier"):
        raise ApiProblem(403, _("Statements are between a payer (seller or buyer) and a carrier."))
    if other is None or other.kind not in wanted:
        errors.append(("counterparty_id", _("must be a %(kinds)s organisation", kinds=either(wanted))))
    if errors:
        raise ApiProblem(422, _("Some fields are invalid."), errors)
    row = statements.draw(principal, other.id, data["currency"], data["period_start"], data["period_end"], clock.now())
    return statement_view(row)


@blp.get("")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(StatementOut, "StatementPage"))
@require("view_finances")
def list_statements(args):
    query = scoped(Statement, current_principal()).order_by(Statement.id.desc())
    return page_of(query, args, lambda s: statement_view(s, lines=False))


@blp.get("/<int:statement_id>")
@blp.response(200, StatementOut)
@require("view_finances")
def get_statement(statement_id):
    return statement_view(get_scoped_or_404(Statement, statement_id, current_principal()))


@blp.post("/<int:statement_id>/confirm")
@blp.response(200, StatementOut)
@require("view_finances")
def confirm_statement(statement_id):
    """Confirm the statement for the caller's side; confirmed by both, it never changes (409 afterwards)."""
    principal = current_principal()
    row = get_scoped_or_404(Statement, statement_id, principal)
    return statement_view(statements.confirm(principal, row, clock.now()))


@blp.post("/<int:statement_id>/differences")
@blp.arguments(DifferenceIn)
@blp.response(200, StatementOut)
@require("view_finances")
def raise_difference(data, statement_id):
    """Raise a difference (text, optionally an amount); both sides must confirm again."""
    principal = current_principal()
    row = get_scoped_or_404(Statement, statement_id, principal)
    if data.get("amount") is not None:
        try:
            data["amount"] = str(parse_amount(data["amount"], row.currency, allow_negative=True))
        except MoneyError as exc:
            raise ApiProblem(422, _("Some fields are invalid."), [("amount", str(exc))]) from exc
    return statement_view(statements.raise_difference(principal, row, data, clock.now()))


@blp.get("/<int:statement_id>/export.csv")
@blp.response(200, description="The statement as CSV (layout in docs/architecture.md)", content_type="text/csv")
@require("view_finances")
def statement_csv(statement_id):
    row = get_scoped_or_404(Statement, statement_id, current_principal())
    return Response(exports.statement_csv(row), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=statement-{row.id}.csv"})


@blp.get("/<int:statement_id>/statement.pdf")
@blp.arguments(PdfArgs, location="query")
@blp.response(200, description="The statement as PDF, in English or Chinese", content_type="application/pdf")
@require("view_finances")
def statement_pdf(args, statement_id):
    row = get_scoped_or_404(Statement, statement_id, current_principal())
    names = {o.id: o.name for o in db.session.query(Organisation).filter(
        Organisation.id.in_((row.carrier_org_id, row.payer_org_id)))}
    return Response(pdf.statement_pdf(row, names, args["lang"]), mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename=statement-{row.id}-{args['lang']}.pdf"})
