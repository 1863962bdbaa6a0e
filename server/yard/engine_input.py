"""Docks, loads and appointments from the database as the dock engine's plain data.

Ids become strings (``"12"``); times become minutes of a :class:`~server.yard.site_time.Frame`.
A load may start at its arrival: the later of the carrier's window opening and its ETA; a
start after the window closes (``pickup_latest``) is late. Appointments of loads that are
not being planned are passed to the engine as closed time of their dock, so a plan can
never overlap them.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from datetime import datetime

from sqlalchemy import select

from server.engines.docks import DurationPolicy, Equipment, Rate, RateTable, build_problem
from server.extensions import db
from server.models import Dock, DockAppointment, Load, Organisation, Site
from server.yard.site_time import Frame, break_windows, frame_at, hours_of, opening_windows

log = logging.getLogger("haul.yard")

# Appointment statuses: booked -> called -> loading -> done; cancelled frees the dock.
AHEAD = ("booked", "called", "loading")  # not yet over: a re-plan or a booking must respect them
PINNED = ("called", "loading")  # a driver is on the way to, or at, the dock: never moved
# Load statuses whose trucks still need a dock slot.
PLANNABLE = ("awarded", "assigned", "authorized", "at_pickup")
EQUIPMENT = frozenset(e.value for e in Equipment)


def duration_policy(site: Site) -> DurationPolicy:
    """How long loads take at ``site``: the engine's rate table, with the plant organisation's own rates
    (``settings["dock_rates"] = {"pallet_dock": {"setup": 10, "per_pallet": 0.5}}``) where it has any."""
    org = db.session.get(Organisation, site.organisation_id)
    raw = (org.settings or {}).get("dock_rates") if org is not None else None
    if not raw:
        return RateTable()
    try:
        return RateTable({kind: Rate(**rate) for kind, rate in raw.items()})
    except (TypeError, ValueError, AttributeError):
        log.warning("organisation %s has unusable dock_rates %r; using the default rates", org.id, raw)
        return RateTable()


def arrival_of(load: Load) -> datetime:
    """When loading may start: the window opening, or the ETA if the truck comes later."""
    if load.eta is not None and load.eta > load.pickup_earliest:
        return load.eta
    return load.pickup_earliest


def active_docks(site_id: int) -> list[Dock]:
    return list(db.session.scalars(select(Dock).where(Dock.site_id == site_id, Dock.active.is_(True))
                                   .order_by(Dock.id)))


def docks_for(site_id: int, load: Load) -> list[Dock]:
    """The site's active docks that have the equipment the load needs, in id order."""
    return [dock for dock in active_docks(site_id) if dock.equipment == load.required_equipment]


def live_appointment(load_id: int) -> DockAppointment | None:
    """The load's appointment that is not over yet (at most one: a unique index says so)."""
    return db.session.scalar(select(DockAppointment).where(DockAppointment.load_id == load_id,
                                                           DockAppointment.status.in_(AHEAD)))


def appointments_overlapping(dock_ids, start: datetime, end: datetime) -> list[DockAppointment]:
    """Every appointment that holds one of the docks at some time in [start, end)."""
    if not dock_ids:
        return []
    return list(db.session.scalars(select(DockAppointment).where(
        DockAppointment.dock_id.in_(list(dock_ids)), DockAppointment.status != "cancelled",
        DockAppointment.start < end, DockAppointment.end > start).order_by(DockAppointment.start)))


def busy_minutes(appointments, frame: Frame) -> dict[int, list[list[int]]]:
    busy: dict[int, list[list[int]]] = defaultdict(list)
    for appointment in appointments:
        busy[appointment.dock_id].append([frame.minute(appointment.start), frame.minute(appointment.end)])
    return busy


def engine_dock(dock: Dock, site: Site, frame: Frame, busy: list[list[int]] = ()) -> dict:
    """A dock as the engine sees it; ``busy`` (other trucks' appointments) counts as closed time."""
    return {"id": str(dock.id), "site": str(site.id), "equipment": [dock.equipment],
            "opening": opening_windows(hours_of(dock, site), frame),
            "breaks": break_windows(dock.breaks, frame) + [list(b) for b in busy]}


def engine_load(load: Load, frame: Frame, arrival: datetime | None = None, due: datetime | None = None) -> dict:
    start = frame.minute(arrival or arrival_of(load))
    return {"id": str(load.id), "site": str(load.pickup_site_id), "equipment": load.required_equipment,
            "pallets": max(0, math.ceil(load.pallets or 0)), "tonnes": max(0.0, (load.weight_kg or 0) / 1000),
            "arrival": start, "due": max(start, frame.minute(due or load.pickup_latest))}


def schedulable(load: Load) -> bool:
    """Whether the engine can take the load at all (a known equipment type)."""
    return load.required_equipment in EQUIPMENT


def loading_minutes(site: Site, load: Load, dock: Dock) -> int:
    """Minutes ``load`` keeps ``dock`` busy, by the site's duration policy (equipment is not checked)."""
    frame = frame_at(site, load.pickup_earliest)
    raw = engine_load(load, frame)
    raw["equipment"] = dock.equipment
    problem = build_problem([engine_dock(dock, site, frame)], [raw], durations=duration_policy(site))
    return problem.duration[0][0]
