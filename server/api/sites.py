"""Sites (with location and geofence) and their docks."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from server.api.common import (
    GeoJSONPolygon,
    LatLon,
    PageArgs,
    page_of,
    point_from_db,
    point_to_db,
    polygon_from_db,
    polygon_to_db,
)
from server.api.hours import Break, OpeningHours, validate_timezone
from server.auth.object_permissions import require_on
from server.auth.principal import current_principal, require
from server.auth.scoping import get_scoped_or_404, scoped
from server.errors import ApiProblem
from server.extensions import db
from server.models import Dock, Site

blp = Blueprint("sites", __name__, url_prefix="/api/v1/sites", description="Sites and docks")

EQUIPMENT = ["pallet_dock", "liquid_arm", "bulk_chute", "side_loader"]


class SiteIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(load_default="plant", validate=validate.OneOf(["plant", "warehouse", "customer"]))
    address = fields.String(load_default="", validate=validate.Length(max=500))
    location = fields.Nested(LatLon, required=True)
    geofence = fields.Nested(GeoJSONPolygon, load_default=None, allow_none=True)
    timezone = fields.String(load_default="UTC", validate=validate_timezone)
    opening_hours = OpeningHours


class SitePatch(SiteIn):
    """Any subset of a site's fields."""


class DockIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    equipment = fields.String(required=True, validate=validate.OneOf(EQUIPMENT))
    opening_hours = OpeningHours
    breaks = fields.List(fields.Nested(Break), load_default=list, validate=validate.Length(max=50))
    active = fields.Boolean(load_default=True)


class DockPatch(DockIn):
    """Any subset of a dock's fields."""


class DockOut(DockIn):
    id = fields.Integer()
    site_id = fields.Integer()


class SiteOut(Schema):
    id = fields.Integer()
    organisation_id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    address = fields.String()
    location = fields.Dict()
    geofence = fields.Dict(allow_none=True)
    timezone = fields.String()
    opening_hours = fields.Dict()
    docks = fields.List(fields.Nested(DockOut))


class SitePage(Schema):
    items = fields.List(fields.Nested(SiteOut))
    total = fields.Integer()
    limit = fields.Integer()
    offset = fields.Integer()


def dump_site(site: Site) -> dict:
    return {"id": site.id, "organisation_id": site.organisation_id, "name": site.name, "kind": site.kind,
            "address": site.address, "location": point_from_db(site.location),
            "geofence": polygon_from_db(site.geofence), "timezone": site.timezone,
            "opening_hours": site.opening_hours, "docks": list(site.docks)}


def _apply(site: Site, data: dict) -> None:
    for key, value in data.items():
        if key == "location":
            site.location = point_to_db(value)
        elif key == "geofence":
            site.geofence = polygon_to_db(value)
        else:
            setattr(site, key, value)


@blp.get("")
@blp.arguments(PageArgs, location="query")
@blp.response(200, SitePage)
def list_sites(args):
    """The organisation's sites."""
    return page_of(scoped(Site, current_principal()).order_by(Site.id), args, dump_site)


@blp.post("")
@blp.arguments(SiteIn)
@blp.response(201, SiteOut)
@require("manage_sites")
def create_site(data):
    """Add a site with its location, geofence, time zone and opening hours."""
    site = Site(organisation_id=current_principal().organisation_id)
    _apply(site, data)
    db.session.add(site)
    db.session.commit()
    return dump_site(site)


@blp.get("/<int:site_id>")
@blp.response(200, SiteOut)
def get_site(site_id):
    """One site with its docks."""
    return dump_site(get_scoped_or_404(Site, site_id, current_principal()))


@blp.patch("/<int:site_id>")
@blp.arguments(SitePatch(partial=True))
@blp.response(200, SiteOut)
@require("manage_sites")
def update_site(data, site_id):
    """Change a site."""
    site = get_scoped_or_404(Site, site_id, current_principal())
    _apply(site, data)
    db.session.commit()
    return dump_site(site)


@blp.post("/<int:site_id>/docks")
@blp.arguments(DockIn)
@blp.response(201, DockOut)
@require("manage_docks", by_department=True)
def create_dock(data, site_id):
    """Add a dock to a site."""
    principal = current_principal()
    site = get_scoped_or_404(Site, site_id, principal)
    require_on(principal, "manage_docks", site)
    dock = Dock(site_id=site.id, **data)
    db.session.add(dock)
    db.session.commit()
    return dock


@blp.patch("/<int:site_id>/docks/<int:dock_id>")
@blp.arguments(DockPatch(partial=True))
@blp.response(200, DockOut)
@require("manage_docks", by_department=True)
def update_dock(data, site_id, dock_id):
    """Change a dock's equipment, hours, breaks or take it out of service."""
    principal = current_principal()
    dock = get_scoped_or_404(Dock, dock_id, principal)
    if dock.site_id != site_id:
        raise ApiProblem(404, _("Dock %(dock_id)s was not found.",
                                dock_id=dock_id))  # same answer as a foreign dock
    require_on(principal, "manage_docks", dock)
    for key, value in data.items():
        setattr(dock, key, value)
    db.session.commit()
    return dock
