"""Who hears that a pickup authorization was withdrawn or re-issued, and what they are told.

A withdrawn authorization is a driver refused at the gate tomorrow unless somebody acts, so it
is never silent: the buyer (who can re-authorize in one step), the carrier and the seller get
an in-app notification and the ``authorization_withdrawn`` webhook event, the drivers of the
old and new binding get it in their MQTT inbox, and the load's driver its own notification. Times go out as ISO UTC plus the pickup site's
zone (``server.local_times``). The buyer told is the one whose authorization it is (on a multi-drop load
each buyer authorizes its own goods). Sent after the commit; a failure is logged, never raised.
"""

from __future__ import annotations

import logging
from datetime import datetime

from server.extensions import db
from server.local_times import stamp, zone
from server.market import notify
from server.models import Load, PickupAuthorization, Site
from server.notify.publish import publish_event

log = logging.getLogger("haul.market.authorization")

# why an authorization stopped counting
TRUCK_OR_DRIVER_CHANGED = "truck_or_driver_changed"
REVOKED_BY_BUYER = "revoked_by_buyer"
AWARD_CANCELLED = "award_cancelled"


def _site_zone(load: Load):
    site = db.session.get(Site, load.pickup_site_id)
    return zone(site.timezone if site is not None else None)


def reauthorize_url(row: PickupAuthorization) -> str:
    return f"/api/v1/pickup-authorizations/{row.id}/reissue"


def withdrawn(load: Load, rows: list[PickupAuthorization], why: str, now: datetime,
              new_driver_id: int | None = None, new_plate: str | None = None) -> None:
    """Tell the parties and the drivers that ``rows`` (just revoked) no longer let the truck in."""
    tz = _site_zone(load)
    for row in rows:
        data = {"load_id": load.id, "reference": load.reference, "authorization_id": row.id, "reason": why,
                "plate": row.plate, "driver_id": row.driver_id, "new_plate": new_plate,
                "new_driver_id": new_driver_id, "revoked_at": stamp(now, tz)["utc"], "site_timezone": tz.key,
                "revoked_at_local": stamp(now, tz)["local"], "reauthorize_url": reauthorize_url(row)}
        publish_event("authorization_withdrawn", load_id=load.id, data=data, driver_id=load.driver_id,
                      organisation_ids=[row.buyer_org_id, load.carrier_org_id, load.seller_org_id])
        for driver_id in {row.driver_id, new_driver_id} - {None}:
            notify.tell_driver(driver_id, "authorization_withdrawn", data)


def issued(load: Load, row: PickupAuthorization) -> None:
    """A new authorization (first, replacement or re-issue): parties and its driver are told."""
    tz = _site_zone(load)
    data = {"load_id": load.id, "reference": load.reference, "authorization_id": row.id, "plate": row.plate,
            "driver_id": row.driver_id, "expires_at": stamp(row.expires_at, tz)["utc"],
            "expires_at_local": stamp(row.expires_at, tz)["local"], "site_timezone": tz.key}
    publish_event("authorized", load_id=load.id, data=data, driver_id=load.driver_id,
                  organisation_ids=[row.buyer_org_id, load.carrier_org_id, load.seller_org_id])
    notify.tell_driver(row.driver_id, "authorized", data)
