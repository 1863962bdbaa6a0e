"""What a driver's phone needs to know of one assignment, in one answer.

A load row alone says "site #1 → site #2" and UTC times; a driver needs the places by name
with coordinates (to navigate), the pickup window and the booked dock slot on the plant's
clock, and, once checked in, the visit and the place in the queue. Every time is given as
ISO UTC plus the pickup site's IANA zone and its local rendering (``server.local_times``),
so the phone never shows a time an hour off the plant's clock.
"""

from __future__ import annotations

from geoalchemy2.shape import to_shape
from sqlalchemy import select

from server.extensions import db
from server.local_times import clock_text, day_text, stamp, zone
from server.models import Dock, Load, Organisation, PickupAuthorization, Site, Vehicle
from server.yard.engine_input import live_appointment
from server.yard.queue import position_of
from server.yard.visits import live_visit


def place(site: Site | None) -> dict | None:
    """A site as the driver navigates to it: name, address, coordinates and its zone."""
    if site is None:
        return None
    point = to_shape(site.location)
    return {"site_id": site.id, "name": site.name, "address": site.address or "", "lat": point.y, "lon": point.x,
            "timezone": zone(site.timezone).key}


def window_view(earliest, latest, tz) -> dict:
    return {"earliest": stamp(earliest, tz), "latest": stamp(latest, tz), "timezone": tz.key,
            "text": f"{day_text(earliest, tz)} – {clock_text(latest, tz)}"}


def slot_view(load: Load, tz) -> dict | None:
    """The load's dock appointment that is not over: ``Dock 3, 09:37 CET``."""
    appointment = live_appointment(load.id)
    if appointment is None:
        return None
    dock = db.session.get(Dock, appointment.dock_id)
    name = dock.name if dock is not None else str(appointment.dock_id)
    return {"appointment_id": appointment.id, "dock_id": appointment.dock_id, "dock_name": name,
            "status": appointment.status, "start": stamp(appointment.start, tz), "end": stamp(appointment.end, tz),
            "timezone": tz.key, "text": f"{name}, {clock_text(appointment.start, tz)}"}


def visit_view(load: Load, tz) -> dict | None:
    """The yard visit once the truck checked in (or was booked), with its queue position while waiting."""
    visit = live_visit(load.id)
    if visit is None:
        return None
    called = db.session.get(Dock, visit.called_dock_id) if visit.called_dock_id else None
    return {"id": visit.id, "status": visit.status, "queue_position": position_of(visit),
            "arrived_at": stamp(visit.arrived_at, tz), "called_dock_id": visit.called_dock_id,
            "called_dock_name": called.name if called is not None else None}


def authorization_view(load: Load) -> dict | None:
    """The live pickup authorization's binding (the token itself comes from /pickup-authorizations)."""
    row = db.session.scalar(select(PickupAuthorization).where(PickupAuthorization.load_id == load.id,
                                                              PickupAuthorization.revoked_at.is_(None))
                            .order_by(PickupAuthorization.id.desc()))
    if row is None:
        return None
    return {"id": row.id, "plate": row.plate, "driver_id": row.driver_id, "expires_at": row.expires_at}


def stops_view(stops: list[dict]) -> list[dict]:
    """A multi-drop load's stops for the driver, who carries every buyer's goods: each with its place by
    name (to navigate and to say which stop is signed), its buyer's name and whether it is ``signed``."""
    shown = []
    for stop in stops:
        buyer = db.session.get(Organisation, stop["buyer_id"]) if stop.get("buyer_id") else None
        shown.append({**stop, "site": place(db.session.get(Site, stop["site_id"])),
                      "buyer_name": buyer.name if buyer is not None else None,
                      "signed": stop["kind"] == "delivery" and stop["status"] == "delivered"})
    return shown


def assignment_view(load: Load, base: dict) -> dict:
    """``base`` (the load as its carrier sees it) with the driver's places, times, slot and visit."""
    pickup, delivery = db.session.get(Site, load.pickup_site_id), db.session.get(Site, load.delivery_site_id)
    tz = zone(pickup.timezone if pickup is not None else None)
    delivery_tz = zone(delivery.timezone if delivery is not None else None)
    vehicle = db.session.get(Vehicle, load.vehicle_id) if load.vehicle_id else None
    return {**base, "site_timezone": tz.key, "pickup": place(pickup), "delivery": place(delivery),
            "pickup_window_local": window_view(load.pickup_earliest, load.pickup_latest, tz),
            "delivery_window_local": window_view(load.delivery_earliest, load.delivery_latest, delivery_tz),
            "plate": vehicle.plate if vehicle is not None else None,
            "dock_slot": slot_view(load, tz), "visit": visit_view(load, tz),
            "pickup_authorization": authorization_view(load), "stops": stops_view(base.get("stops") or [])}
