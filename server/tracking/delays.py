"""A load running late: its ETA to the pickup or to a delivery moved past that window's latest time.

The parties are told (``delayed``) when the ETA *crosses* the window's end: the previous ETA was
inside the window (or unknown) and the new one is after it. Every later fix that keeps the truck
late is silent; an ETA that comes back inside the window and leaves it again is a new crossing.

Who hears it: the seller and the buyer of a plain load. On a multi-drop load a late delivery is told
to the seller and that stop's buyer only (another buyer must not learn of this stop), and a late
pickup to the seller and every buyer with a stop (the pickup window is part of each buyer's view).

``delivery_eta(load_id, site_id, eta)`` stores an ETA to a delivery site reported by the GPS ingest
(the load's, or on a multi-drop load the undelivered stop at that site) and tells of a crossing;
``pickup_eta_moved`` is called by the yard, which stores ETAs to the pickup (`server.yard.eta`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from server.extensions import db
from server.models import Load, LoadStop
from server.notify.shipment_notices import delayed


def crossed(before: datetime | None, after: datetime | None, latest: datetime) -> bool:
    """Whether an ETA moving from ``before`` to ``after`` leaves the window ending at ``latest``."""
    return after is not None and after > latest and (before is None or before <= latest)


def _stop_buyers(load: Load) -> list[int]:
    return list(db.session.scalars(select(LoadStop.buyer_org_id).where(
        LoadStop.load_id == load.id, LoadStop.kind == "delivery", LoadStop.buyer_org_id.is_not(None))))


def pickup_eta_moved(load: Load, before: datetime | None, after: datetime | None) -> bool:
    """Tell of a late pickup when the ETA to it crossed the pickup window's end; whether it did."""
    if not crossed(before, after, load.pickup_latest):
        return False
    delayed(load, "pickup", after, load.pickup_latest, [load.buyer_org_id, *_stop_buyers(load)])
    return True


def _open_stop_at(load: Load, site_id: int) -> LoadStop | None:
    return db.session.scalar(select(LoadStop).where(LoadStop.load_id == load.id, LoadStop.kind == "delivery",
                                                    LoadStop.site_id == site_id, LoadStop.status != "delivered")
                             .order_by(LoadStop.seq).limit(1))


def delivery_eta(load_id: int, site_id: int, eta: datetime) -> bool:
    """Store a new ETA to a delivery site of the load and tell of a crossing; whether anyone was told.

    Runs in an app context and commits. An ETA to a site that is none of the load's deliveries is ignored.
    """
    load = db.session.get(Load, load_id)
    if load is None:
        return False
    stop = _open_stop_at(load, site_id)
    told = None
    if stop is not None:
        if crossed(stop.eta, eta, stop.latest):
            told = ("delivery", stop.latest, [stop.buyer_org_id], stop.id)
        stop.eta = eta
    if site_id == load.delivery_site_id:
        if stop is None and crossed(load.eta, eta, load.delivery_latest):
            told = ("delivery", load.delivery_latest, [load.buyer_org_id], None)
        load.eta = eta
    db.session.commit()
    if told is None:
        return False
    at, latest, buyers, stop_id = told
    delayed(load, at, eta, latest, buyers, stop_id=stop_id)
    return True
