"""A plant's own booking rules, its KPIs, and the no-show sweep, under ``/sites/{id}/...``."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from server import clock
from server.auth.object_permissions import require_on
from server.auth.principal import current_principal, require
from server.auth.scoping import get_scoped_or_404
from server.errors import ApiProblem
from server.extensions import db
from server.models import Site
from server.yard.booking import site_staff
from server.yard.booking_rules import BookingRulesIn, rules_of
from server.yard.dock_routes import sane_day
from server.yard.kpis import MAX_DAYS, site_kpis
from server.yard.lateness import mark_no_shows
from server.yard.refusals import answer_refusals
from server.yard.site_time import local_day, zone_of

blp = Blueprint("plant", __name__, url_prefix="/api/v1", description="A plant's booking rules and KPIs")
answer_refusals(blp)


class RulesOut(BookingRulesIn):
    site_id = fields.Integer()


class KpiArgs(Schema):
    from_ = fields.Date(data_key="from", load_default=None, validate=sane_day,
                        metadata={"description": "first local day (default: 6 days before `to`)"})
    to = fields.Date(load_default=None, validate=sane_day, metadata={"description": "last local day (default today)"})
    group = fields.String(load_default="day", validate=validate.OneOf(["day", "carrier"]))

    @validates_schema
    def _ordered(self, data, **_kwargs):
        first, last = data.get("from_"), data.get("to")
        if first and last and first > last:
            raise ValidationError({"from": [_("must not be after `to`")]})
        if first and last and (last - first).days >= MAX_DAYS:
            raise ValidationError({"from": [_("the period is at most %(days)s days", days=MAX_DAYS)]})


class KpisOut(Schema):
    site_id = fields.Integer()
    timezone = fields.String()
    from_ = fields.String(data_key="from")
    to = fields.String()
    group = fields.String()
    rules = fields.Dict()
    total = fields.Dict(metadata={"description": "trucks, on_time_pct, dwell_avg_minutes, dwell_p90_minutes, "
                                                 "detention_minutes, docks (utilisation per dock), ..."})
    groups = fields.List(fields.Dict(), metadata={"description": "the same figures per day or per carrier"})


class NoShowsOut(Schema):
    site_id = fields.Integer()
    no_shows = fields.List(fields.Integer(), metadata={"description": "the loads just marked no-show"})


def own_site(site_id: int) -> Site:
    """The caller's own site (another organisation's is a 404, even a trading partner's)."""
    principal = current_principal()
    site = get_scoped_or_404(Site, site_id, principal)
    if site.organisation_id != principal.organisation_id:
        raise ApiProblem(404, _("Site %(site_id)s was not found.", site_id=site_id))
    return site


def _rules(site: Site) -> dict:
    return {"site_id": site.id, **rules_of(site).__dict__}


@blp.get("/sites/<int:site_id>/booking-rules")
@blp.response(200, RulesOut)
def get_rules(site_id):
    """The site's booking rules (its own values over the defaults), in minutes."""
    return _rules(own_site(site_id))


@blp.patch("/sites/<int:site_id>/booking-rules")
@blp.arguments(BookingRulesIn)
@blp.response(200, RulesOut)
@require("manage_docks", by_department=True)
def patch_rules(data, site_id):
    """Set some of the site's booking rules; the others keep their values."""
    site = own_site(site_id)
    require_on(current_principal(), "manage_docks", site)
    site.booking_rules = {**(site.booking_rules or {}), **data}
    db.session.commit()
    return _rules(site)


@blp.get("/sites/<int:site_id>/kpis")
@blp.arguments(KpiArgs, location="query")
@blp.response(200, KpisOut)
def get_kpis(args, site_id):
    """On-time arrival %, mean and p90 dwell, dock utilisation per dock and detention minutes,
    per local day or per carrier, over the local days `from` to `to` (inclusive)."""
    site = own_site(site_id)
    now = clock.now()
    last = args["to"] or local_day(zone_of(site), now)
    first = args["from_"] or last - timedelta(days=6)
    if first > last or (last - first).days >= MAX_DAYS:
        raise ApiProblem(422, _("The period is not valid."),
                         [("from", _("must be within %(MAX_DAYS)s days before `to`", MAX_DAYS=MAX_DAYS))])
    return site_kpis(site, first, last, args["group"], now)


@blp.post("/sites/<int:site_id>/no-shows")
@blp.response(200, NoShowsOut)
@require("operate_gate")
def post_no_shows(site_id):
    """Mark the booked trucks overdue by the no-show grace as no-shows, freeing their docks."""
    site = own_site(site_id)
    if not site_staff(current_principal(), site):
        raise ApiProblem(403, _("Only the site's staff mark no-shows."))
    return {"site_id": site.id, "no_shows": mark_no_shows(site, clock.now())}


