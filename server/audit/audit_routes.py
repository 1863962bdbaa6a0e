"""``GET /api/v1/audit``: an organisation's admins search its audit trail by object and by user, or export it."""

from __future__ import annotations

from flask import Response
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from server.api.common import PageArgs, page_of, page_schema
from server.audit import search
from server.auth.principal import current_principal, require
from server.db.types import MAX_ID
from server.extensions import db

blp = Blueprint("audit", __name__, url_prefix="/api/v1/audit",
                description="The audit trail: who changed what, when, before and after (admins, own organisation)")
EXPORT_LIMIT = 100_000  # rows in one CSV export; narrow the filter for more


class AuditFilter(Schema):
    object_type = fields.String(validate=validate.Length(min=1, max=40), metadata={"example": "freight_bill"})
    object_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    user_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    action = fields.String(validate=validate.Length(min=1, max=60))


class AuditPageArgs(PageArgs, AuditFilter):
    pass


class AuditEventOut(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    organisation_id = fields.Integer(allow_none=True)
    counterparty_org_id = fields.Integer(allow_none=True)
    user_id = fields.Integer(allow_none=True)
    token_id = fields.Integer(allow_none=True)
    via = fields.String()
    action = fields.String()
    object_type = fields.String()
    object_id = fields.Integer()
    request_id = fields.String(allow_none=True)
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)


@blp.get("")
@blp.arguments(AuditPageArgs, location="query")
@blp.response(200, page_schema(AuditEventOut, "AuditEventPage"))
@require("view_audit")
def list_events(args):
    """Audit events the caller's organisation made or is a party to, oldest first; filter by object or user."""
    principal = current_principal()
    filters = {k: args.get(k) for k in ("object_type", "object_id", "user_id", "action")}
    return page_of(search.query(principal.organisation_id, **filters), args, search.view)


@blp.get("/export.csv")
@blp.arguments(AuditFilter, location="query")
@blp.response(200, description="CSV, one event per row (columns in docs/architecture.md)",
              content_type="text/csv")
@require("view_audit")
def export_events(args):
    """The same events as CSV (at most 100,000 rows; narrow the filter for more)."""
    principal = current_principal()
    filters = {k: args.get(k) for k in ("object_type", "object_id", "user_id", "action")}
    rows = db.session.scalars(search.query(principal.organisation_id, **filters).limit(EXPORT_LIMIT))
    return Response(search.to_csv(rows), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=audit.csv"})
