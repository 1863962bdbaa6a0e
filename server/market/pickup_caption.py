"""The words under a pickup QR code: where, when on the plant's clock, and which truck.

"Pickup at Plant X, 7 Dec 09:37 CET, truck HX-123": the time is the booked dock slot when
there is one, else the opening of the pickup window, always at the pickup site with its zone
(``server.local_times``), in the reader's language.
"""

from __future__ import annotations

from flask import has_request_context
from flask_babel import get_locale, gettext

from server.extensions import db
from server.local_times import day_text, zone
from server.market.pickup_token import normalise_plate
from server.models import Load, PickupAuthorization, Site, Vehicle
from server.yard.engine_input import live_appointment


def _language() -> str:
    locale = get_locale() if has_request_context() else None
    return "zh" if locale is not None and locale.language == "zh" else "en"


def _plate_as_written(row: PickupAuthorization, load: Load | None) -> str:
    """The assigned truck's plate as the carrier wrote it ("HX-123") when it is the authorized one."""
    vehicle = db.session.get(Vehicle, load.vehicle_id) if load is not None and load.vehicle_id else None
    return vehicle.plate if vehicle is not None and normalise_plate(vehicle.plate) == row.plate else row.plate


def pickup_caption(row: PickupAuthorization) -> str:
    load = db.session.get(Load, row.load_id)
    plate = _plate_as_written(row, load)
    site = db.session.get(Site, load.pickup_site_id) if load is not None else None
    if load is None or site is None:
        return gettext("Truck %(plate)s", plate=plate)
    appointment = live_appointment(load.id)
    moment = appointment.start if appointment is not None else load.pickup_earliest
    return gettext("Pickup at %(site)s, %(time)s, truck %(plate)s", site=site.name,
                   time=day_text(moment, zone(site.timezone), _language()), plate=plate)
