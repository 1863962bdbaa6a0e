"""The organisations one deals with (the directory of partners) and their creation by the platform."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from server.api.common import PageArgs, page_of
from server.auth.principal import current_principal, require
from server.auth.scoping import scoped
from server.extensions import db
from server.models import Organisation, OrgKind

blp = Blueprint("organisations", __name__, url_prefix="/api/v1/organisations",
                description="Organisations: sellers, buyers, carriers")


class OrgOut(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()


class OrgCreate(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in OrgKind]))


class OrgPage(Schema):
    items = fields.List(fields.Nested(OrgOut))
    total = fields.Integer()
    limit = fields.Integer()
    offset = fields.Integer()


class OrgFilter(PageArgs):
    kind = fields.String(validate=validate.OneOf([k.value for k in OrgKind]))


@blp.get("")
@blp.arguments(OrgFilter, location="query")
@blp.response(200, OrgPage)
def list_organisations(args):
    """Public profile (id, name, kind) of the active organisations the caller deals with: its own, the
    parties of its orders, loads and tenders, and its trading partners (platform admins: all)."""
    query = scoped(Organisation, current_principal()).where(Organisation.active.is_(True)).order_by(Organisation.id)
    if "kind" in args:
        query = query.where(Organisation.kind == args["kind"])
    return page_of(query, args, lambda o: o)


@blp.post("")
@blp.arguments(OrgCreate)
@blp.response(201, OrgOut)
@require("manage_organisations", org_kinds=("platform",))
def create_organisation(data):
    """Create an organisation (platform operator only)."""
    org = Organisation(name=data["name"], kind=data["kind"], settings={})
    db.session.add(org)
    db.session.commit()
    return org
