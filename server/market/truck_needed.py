"""Reminding a carrier that a load it won still has no truck and driver (``truck_needed``).

A carrier that won or grabbed a load is told once, when the pickup window opens within
``MARKET_TRUCK_NEEDED_HOURS`` (default 12) and the load is still only ``awarded`` (no truck and
driver assigned). An award that comes already that close to the pickup is told at once (with the
``won`` notice); otherwise the market sweep (``haul market sweep``) finds it when the time comes.

"Once" is kept by the notifications themselves: a carrier that already holds a ``truck_needed``
notification for the load is not told again, so a restarted sweeper never repeats it; a carrier that
wins the load after an award was cancelled is told on its own.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from server.extensions import db
from server.models import Load, Notification
from server.notify.publish import publish_event

log = logging.getLogger("haul.market.truck_needed")
KIND = "truck_needed"
WAITING = "awarded"  # won, but no truck and driver assigned yet (assignment moves it to "assigned")


def lead_time() -> timedelta:
    return timedelta(hours=float(current_app.config.get("MARKET_TRUCK_NEEDED_HOURS", 12)))


def _already_told(load: Load) -> bool:
    payloads = db.session.scalars(select(Notification.payload).where(
        Notification.kind == KIND, Notification.organisation_id == load.carrier_org_id))
    return any((payload or {}).get("load_id") == load.id for payload in payloads)


def remind(load: Load, now: datetime) -> bool:
    """Tell the load's carrier it needs a truck and a driver, if due and not told yet; whether it was told."""
    if (load.status != WAITING or load.carrier_org_id is None or load.pickup_latest <= now
            or load.pickup_earliest - lead_time() > now or _already_told(load)):
        return False
    # Only the carrier's own load: its reference and pickup window, nothing of the other parties.
    publish_event(KIND, organisation_ids=[load.carrier_org_id], load_id=load.id,
                  data={"load_id": load.id, "reference": load.reference,
                        "pickup_earliest": load.pickup_earliest, "pickup_latest": load.pickup_latest})
    return True


def remind_due(now: datetime, limit: int = 1000) -> int:
    """Remind every carrier whose won load opens for pickup soon and has no truck yet; how many were told."""
    due = db.session.scalars(select(Load).where(Load.status == WAITING, Load.carrier_org_id.is_not(None),
                                                Load.pickup_earliest <= now + lead_time(), Load.pickup_latest > now)
                             .order_by(Load.pickup_earliest, Load.id).limit(limit))
    told = 0
    for load in list(due):
        try:
            told += remind(load, now)
        except Exception:  # one broken load must not stop the reminders of the others
            db.session.rollback()
            log.exception("could not remind the carrier of load %s", load.id)
    return told
