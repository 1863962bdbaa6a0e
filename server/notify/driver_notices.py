"""The driver's own notification of an event: one row addressed to the driver's user, if it has one.

Organisation-wide rows are the office's (a driver-only login never reads them: ``notification_routes.visible``),
so a driver learns of its load's events only from a row with ``user_id`` set to its own user, in the
carrier's organisation. Its data is cut to ``DRIVER_FIELDS``: what the driver's view of its own load
shows (reference, slot, plate, site times), never a price, a re-authorization link for the buyer or
another driver's id. A driver without a user account (a paired phone only) gets no row: its phone hears
of the same events through its MQTT inbox.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from server.models import Driver, Notification

# The only data keys a driver's own row keeps; anything else an event carries stays with the office.
DRIVER_FIELDS = frozenset({
    "load_id", "reference", "why", "start", "appointment", "previous", "site_timezone", "timezone", "status",
    "reason", "plate", "new_plate", "vehicle_id", "authorization_id", "expires_at", "expires_at_local",
    "revoked_at", "revoked_at_local", "pickup_site_id", "delivery_site_id", "pickup_earliest", "pickup_latest",
    "site_id", "code", "at",
})
# Which of a slot's keys may be shown: the driver's own slot, as the yard shows it to the phone.
APPOINTMENT_FIELDS = frozenset({"id", "load_id", "dock_id", "dock_name", "start", "end", "timezone",
                                "start_local", "end_local", "abbr", "status"})


def driver_view(data: dict) -> dict:
    """``data`` cut to what the driver of the load may read."""
    kept = {key: value for key, value in (data or {}).items() if key in DRIVER_FIELDS}
    for key in ("appointment", "previous"):
        if isinstance(kept.get(key), dict):
            kept[key] = {k: v for k, v in kept[key].items() if k in APPOINTMENT_FIELDS}
    return kept


def own_notification(session: Session, driver_id: int | None, kind: str, data: dict, at: datetime,
                     event_id: str, load_id: int | None) -> Notification | None:
    """Add the driver's own notification to ``session`` (the caller commits); None for a driver without a user."""
    if driver_id is None:
        return None
    driver = session.get(Driver, driver_id)
    if driver is None or driver.user_id is None:
        return None
    note = Notification(organisation_id=driver.organisation_id, user_id=driver.user_id, kind=kind, created_at=at,
                        payload={"event_id": event_id, "load_id": load_id, "data": driver_view(data)})
    session.add(note)
    return note
