"""The driver's own day: the loads assigned to the signed-in driver, for the phone's Today screen.

A carrier's ``/loads`` shows every load of the organisation; a driver's phone must show only the
driver's own, so this answers by the driver rows linked to the caller's user, never by org alone
(a dispatcher signed in to the app, with no driver row, has an empty day, not an error).
"""

from __future__ import annotations

from flask_smorest import Blueprint
from sqlalchemy import select

from server.api.common import PageArgs, page_of, page_schema
from server.auth.principal import current_principal, require
from server.market.load_routes import LoadOut, load_out
from server.models import Driver, Load

blp = Blueprint("driver", __name__, url_prefix="/api/v1/driver", description="The signed-in driver's assignments")

# From the carrier's assignment until the truck has left the plant and is on its way.
ON_THE_DRIVERS_DAY = ("assigned", "authorized", "at_pickup", "loading", "in_transit")


@blp.get("/assignments")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(LoadOut, "DriverAssignmentPage"))
@require(org_kinds=("carrier",))  # by the driver rows linked to the caller: a dispatcher who drives too
def list_assignments(args):
    """Loads assigned to the caller as driver that are not yet delivered, earliest pickup first."""
    principal = current_principal()
    my_drivers = select(Driver.id).where(Driver.user_id == principal.user_id,
                                         Driver.organisation_id == principal.organisation_id)
    query = (select(Load).where(Load.carrier_org_id == principal.organisation_id, Load.driver_id.in_(my_drivers),
                                Load.status.in_(ON_THE_DRIVERS_DAY))
             .order_by(Load.pickup_earliest, Load.id))
    return page_of(query, args, lambda load: load_out(load, principal))
