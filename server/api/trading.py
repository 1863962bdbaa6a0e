"""Trading relationships: a seller asks to sell to a buyer, the buyer accepts or declines, either ends it.

Only with an accepted relationship may the seller create orders for the buyer (JSON and CSV, checked
in `server.orders.intake`) and see the buyer's delivery sites (``GET .../{id}/sites``). A seller finds
the buyer by the organisation id the buyer gives it (the buyer's dashboard shows it); until the buyer
accepts, the seller sees no more of the buyer than that id. Each step tells the other side (in-app and
webhook ``trading_relationship``).

    requested -> accepted | declined | withdrawn;  accepted -> ended;
    declined | withdrawn | ended -> requested (the seller asks again)
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from server import clock
from server.api.common import IdField, PageArgs, page_of, page_schema
from server.api.sites import SiteOut, dump_site
from server.auth.dealings import partner_sites
from server.auth.principal import Principal, current_principal, require
from server.auth.scoping import get_scoped_or_404, scoped
from server.errors import ApiProblem
from server.extensions import db
from server.models import Organisation, OrgKind, Site, TradingRelationship
from server.notify.publish import publish_event

blp = Blueprint("trading", __name__, url_prefix="/api/v1/trading-relationships",
                description="Trading relationships: which sellers may order for which buyers")

STATUSES = ["requested", "accepted", "declined", "withdrawn", "ended"]
ASKABLE_AGAIN = ("declined", "withdrawn", "ended")
RULE = "trading_relationship_required"


class RequestIn(Schema):
    buyer_id = IdField(required=True, metadata={"description": "the buyer's organisation id, as the buyer gave it"})
    message = fields.String(load_default="", validate=validate.Length(max=500))


class PartyOut(Schema):
    id = fields.Integer()
    name = fields.String(allow_none=True, metadata={"description": "shown once the two deal with each other"})


class RelationshipOut(Schema):
    id = fields.Integer()
    seller = fields.Nested(PartyOut)
    buyer = fields.Nested(PartyOut)
    status = fields.String(metadata={"description": ", ".join(STATUSES)})
    message = fields.String()
    requested_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)
    ended_at = fields.DateTime(allow_none=True)


class RelationshipFilter(PageArgs):
    status = fields.String(validate=validate.OneOf(STATUSES))


def organisation_names(principal: Principal, ids) -> dict[int, str]:
    """Names of the organisations the caller may see (a buyer's stays hidden until it accepts)."""
    return dict(db.session.execute(scoped(Organisation, principal).with_only_columns(Organisation.id, Organisation.name)
                                   .where(Organisation.id.in_(set(ids)))).all())


def relationship_view(row: TradingRelationship, principal: Principal, names: dict | None = None) -> dict:
    names = organisation_names(principal, (row.seller_org_id, row.buyer_org_id)) if names is None else names
    return {"id": row.id, "status": row.status, "message": row.message, "requested_at": row.requested_at,
            "decided_at": row.decided_at, "ended_at": row.ended_at,
            "seller": {"id": row.seller_org_id, "name": names.get(row.seller_org_id)},
            "buyer": {"id": row.buyer_org_id, "name": names.get(row.buyer_org_id)}}


def _pair(seller_id: int, buyer_id: int) -> TradingRelationship | None:
    return db.session.scalar(select(TradingRelationship).where(TradingRelationship.seller_org_id == seller_id,
                                                               TradingRelationship.buyer_org_id == buyer_id))


def _tell(row: TradingRelationship, org_id: int) -> None:
    publish_event("trading_relationship", organisation_ids=[org_id],
                  data={"relationship_id": row.id, "status": row.status, "seller_id": row.seller_org_id,
                        "buyer_id": row.buyer_org_id})


def _move(row: TradingRelationship, sources: tuple[str, ...], target: str, **values):
    """Conditionally move the relationship; 409 naming its status when it is not in one of ``sources``."""
    if row.status not in sources:
        raise ApiProblem(409, _("A relationship that is %(status)s cannot become %(target)s.",
                                status=row.status, target=target), reason=row.status)
    moved = db.session.execute(update(TradingRelationship).where(
        TradingRelationship.id == row.id, TradingRelationship.status.in_(sources))
        .values(status=target, **values).execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        db.session.rollback()
        raise ApiProblem(409, _("The relationship changed meanwhile; look at it again."), reason="changed")
    db.session.commit()
    db.session.refresh(row)
    return row


def _as(row: TradingRelationship, principal: Principal, side: str) -> None:
    if getattr(row, f"{side}_org_id") != principal.organisation_id:
        raise ApiProblem(403, _("Only the %(side)s may do this with a trading relationship.", side=side),
                         reason=f"not_{side}")


@blp.get("")
@blp.arguments(RelationshipFilter, location="query")
@blp.response(200, page_schema(RelationshipOut, "RelationshipPage"))
def list_relationships(args):
    """The caller's trading relationships (as seller or buyer), newest first."""
    principal = current_principal()
    query = scoped(TradingRelationship, principal).order_by(TradingRelationship.id.desc())
    if "status" in args:
        query = query.where(TradingRelationship.status == args["status"])
    return page_of(query, args, lambda row: relationship_view(row, principal))


@blp.post("")
@blp.arguments(RequestIn)
@blp.response(201, RelationshipOut)
@blp.alt_response(200, schema=RelationshipOut, description="Already requested or accepted: the relationship")
@require("propose_trading", org_kinds=("seller",))
def request_relationship(data):
    """A seller asks a buyer to trade; the buyer is told and accepts or declines. Asking again after a
    decline or an end makes a new request."""
    principal, now = current_principal(), clock.now()
    buyer = db.session.get(Organisation, data["buyer_id"])
    if buyer is None or buyer.kind != OrgKind.BUYER or not buyer.active:
        raise ApiProblem(422, _("Some fields are invalid."), [("buyer_id", _("unknown buyer"))])
    row = _pair(principal.organisation_id, buyer.id)
    if row is not None and row.status not in ASKABLE_AGAIN:
        return relationship_view(row, principal), 200
    values = {"status": "requested", "message": data["message"], "requested_at": now,
              "requested_by_user_id": principal.user_id, "decided_at": None, "decided_by_user_id": None,
              "ended_at": None, "ended_by_org_id": None}
    if row is None:
        row = TradingRelationship(seller_org_id=principal.organisation_id, buyer_org_id=buyer.id, **values)
        db.session.add(row)
        try:
            db.session.commit()
        except IntegrityError:  # the same request from a second click, at the same moment: that one stands
            db.session.rollback()
            return relationship_view(_pair(principal.organisation_id, buyer.id), principal), 200
    else:
        row = _move(row, ASKABLE_AGAIN, "requested", **{k: v for k, v in values.items() if k != "status"})
    _tell(row, row.buyer_org_id)
    return relationship_view(row, principal)


@blp.get("/<int:relationship_id>")
@blp.response(200, RelationshipOut)
def get_relationship(relationship_id):
    """One trading relationship of the caller."""
    principal = current_principal()
    return relationship_view(get_scoped_or_404(TradingRelationship, relationship_id, principal), principal)


def _decide(relationship_id: int, side: str | None, sources: tuple[str, ...], target: str) -> dict:
    """Move the caller's relationship (as ``side``, or either side when None) and tell the other side."""
    principal, now = current_principal(), clock.now()
    row = get_scoped_or_404(TradingRelationship, relationship_id, principal)
    if side is not None:
        _as(row, principal, side)
    if target == "ended":
        values = {"ended_at": now, "ended_by_org_id": principal.organisation_id}
    else:
        values = {"decided_at": now, "decided_by_user_id": principal.user_id}
    row = _move(row, sources, target, **values)
    other = row.buyer_org_id if principal.organisation_id == row.seller_org_id else row.seller_org_id
    _tell(row, other)
    return relationship_view(row, principal)


@blp.post("/<int:relationship_id>/accept")
@blp.response(200, RelationshipOut)
@require("manage_trading", org_kinds=("buyer",))
def accept(relationship_id):
    """The buyer accepts: from now on the seller may create orders for it and see its delivery sites."""
    return _decide(relationship_id, "buyer", ("requested",), "accepted")


@blp.post("/<int:relationship_id>/decline")
@blp.response(200, RelationshipOut)
@require("manage_trading", org_kinds=("buyer",))
def decline(relationship_id):
    """The buyer declines a request; the seller may ask again."""
    return _decide(relationship_id, "buyer", ("requested",), "declined")


@blp.post("/<int:relationship_id>/withdraw")
@blp.response(200, RelationshipOut)
@require("propose_trading", org_kinds=("seller",))
def withdraw(relationship_id):
    """The seller takes back a request the buyer has not answered."""
    return _decide(relationship_id, "seller", ("requested",), "withdrawn")


@blp.post("/<int:relationship_id>/end")
@blp.response(200, RelationshipOut)
@require("manage_trading", org_kinds=("seller", "buyer"))
def end(relationship_id):
    """Either side ends an accepted relationship: no new orders from then on (orders and loads already
    made go on)."""
    return _decide(relationship_id, None, ("accepted",), "ended")


@blp.get("/<int:relationship_id>/sites")
@blp.response(200, SiteOut(many=True))
def buyer_sites(relationship_id):
    """The buyer's delivery sites, for the seller it accepted (and for the buyer itself)."""
    principal = current_principal()
    row = get_scoped_or_404(TradingRelationship, relationship_id, principal)
    if row.status != "accepted":
        raise ApiProblem(403, _("The buyer's sites are shown once the buyer accepts; this relationship is "
                                "%(status)s.", status=row.status), rule=RULE)
    own = principal.organisation_id == row.buyer_org_id
    query = scoped(Site, principal) if own else partner_sites(principal, row.buyer_org_id)
    return [dump_site(site) for site in db.session.scalars(query.order_by(Site.id))]
