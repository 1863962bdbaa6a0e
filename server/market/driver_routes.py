"""The driver's own day: the loads assigned to the signed-in driver, for the phone's Today screen.

A carrier's ``/loads`` shows every load of the organisation; a driver's phone must show only the
driver's own, so this answers by the driver rows linked to the caller's user, never by org alone
(a dispatcher signed in to the app, with no driver row, has an empty day, not an error).
"""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import select

from server.api.common import PageArgs, page_of, page_schema
from server.auth.principal import current_principal, require
from server.market.driver_day import assignment_view
from server.market.load_routes import LoadOut, load_out
from server.models import Driver, Load

blp = Blueprint("driver", __name__, url_prefix="/api/v1/driver", description="The signed-in driver's assignments")

# From the carrier's assignment until the truck has left the plant and is on its way.
ON_THE_DRIVERS_DAY = ("assigned", "authorized", "at_pickup", "loading", "in_transit")


class LocalTimeOut(Schema):
    utc = fields.String(metadata={"description": "the instant, ISO 8601 in UTC"})
    local = fields.String(metadata={"description": "the same instant at the site, ISO 8601 with its offset"})
    zone = fields.String(metadata={"description": "the site's IANA zone"})
    abbr = fields.String(metadata={"description": "the zone's abbreviation then, e.g. CET"})


class LocalWindowOut(Schema):
    earliest = fields.Nested(LocalTimeOut, allow_none=True)
    latest = fields.Nested(LocalTimeOut, allow_none=True)
    timezone = fields.String()
    text = fields.String(metadata={"description": "e.g. 7 Dec 09:00 CET – 13:00 CET"})


class PlaceOut(Schema):
    site_id = fields.Integer()
    name = fields.String()
    address = fields.String()
    lat = fields.Float()
    lon = fields.Float()
    timezone = fields.String()


class DockSlotOut(Schema):
    appointment_id = fields.Integer()
    dock_id = fields.Integer()
    dock_name = fields.String()
    status = fields.String()
    start = fields.Nested(LocalTimeOut)
    end = fields.Nested(LocalTimeOut)
    timezone = fields.String()
    text = fields.String(metadata={"description": "e.g. Dock 3, 09:37 CET"})


class VisitBriefOut(Schema):
    id = fields.Integer()
    status = fields.String()
    queue_position = fields.Integer(allow_none=True, metadata={"description": "1 = next to be called"})
    arrived_at = fields.Nested(LocalTimeOut, allow_none=True)
    called_dock_id = fields.Integer(allow_none=True)
    called_dock_name = fields.String(allow_none=True)


class AuthorizationBriefOut(Schema):
    id = fields.Integer()
    plate = fields.String()
    driver_id = fields.Integer(allow_none=True)
    expires_at = fields.DateTime()


class DriverAssignmentOut(LoadOut):
    site_timezone = fields.String(metadata={"description": "the pickup site's IANA zone"})
    pickup = fields.Nested(PlaceOut, allow_none=True)
    delivery = fields.Nested(PlaceOut, allow_none=True)
    pickup_window_local = fields.Nested(LocalWindowOut)
    delivery_window_local = fields.Nested(LocalWindowOut)
    plate = fields.String(allow_none=True)
    dock_slot = fields.Nested(DockSlotOut, allow_none=True)
    visit = fields.Nested(VisitBriefOut, allow_none=True)
    pickup_authorization = fields.Nested(AuthorizationBriefOut, allow_none=True)


@blp.get("/assignments")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(DriverAssignmentOut, "DriverAssignmentPage"))
@require(org_kinds=("carrier",))  # by the driver rows linked to the caller: a dispatcher who drives too
def list_assignments(args):
    """Loads assigned to the caller as driver that are not yet delivered, earliest pickup first, each with its
    places, pickup window and dock slot on the plant's clock (ISO UTC plus the zone) and the yard visit."""
    principal = current_principal()
    my_drivers = select(Driver.id).where(Driver.user_id == principal.user_id,
                                         Driver.organisation_id == principal.organisation_id)
    query = (select(Load).where(Load.carrier_org_id == principal.organisation_id, Load.driver_id.in_(my_drivers),
                                Load.status.in_(ON_THE_DRIVERS_DAY))
             .order_by(Load.pickup_earliest, Load.id))
    return page_of(query, args, lambda load: assignment_view(load, load_out(load, principal)))
