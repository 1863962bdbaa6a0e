"""The dock slots a load can be booked into, and the check of one proposed slot.

Both go through the dock engine's problem builder, so opening hours, breaks, equipment and
loading durations mean exactly what they mean to the scheduler: a slot is offered only where
the engine itself could place the load.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _

from server.engines.docks import build_problem
from server.engines.docks.timeline import DockTimeline, overlapping
from server.models import Dock, Load, Site
from server.yard.engine_input import (
    appointments_overlapping,
    arrival_of,
    busy_minutes,
    docks_for,
    duration_policy,
    engine_dock,
    engine_load,
    schedulable,
)
from server.yard.refusals import YardRefused
from server.yard.site_time import (
    describe_hours,
    frame_at,
    frame_spanning,
    hours_of,
    next_whole_minute,
    whole_minute,
    zone_of,
)

MAX_SLOTS = 200


def slot_step() -> int:
    return int(current_app.config.get("YARD_SLOT_STEP_MINUTES", 15))


def offered_slots(load: Load, site: Site, now: datetime) -> list[dict]:
    """Free (dock, start, end) choices inside the load's arrival window, at most ``MAX_SLOTS``.

    Starts are on the site's local grid of ``YARD_SLOT_STEP_MINUTES``; the load's own
    appointment does not block its alternatives, so the list also serves a reschedule.
    """
    lo, hi = next_whole_minute(max(arrival_of(load), now)), whole_minute(load.pickup_latest)
    docks = docks_for(site.id, load)
    if hi < lo or not docks or not schedulable(load):
        return []
    frame = frame_spanning(site, [lo, hi])
    others = [a for a in appointments_overlapping([d.id for d in docks], frame.start, frame.end)
              if a.load_id != load.id]
    busy = busy_minutes(others, frame)
    problem = build_problem([engine_dock(d, site, frame, busy[d.id]) for d in docks],
                            [engine_load(load, frame, lo, hi)], durations=duration_policy(site))
    step = slot_step()
    first, last = frame.minute(lo), frame.minute(hi)
    slots = []
    for d, minutes in problem.options[0]:
        line = DockTimeline(problem.blocked[d], problem.horizon)
        for start in range(math.ceil(first / step) * step, last + 1, step):
            if line.fits_at(start, minutes):
                slots.append((start, docks[d], minutes))
    slots.sort(key=lambda s: (s[0], s[1].id))
    return [{"dock_id": dock.id, "dock_name": dock.name, "equipment": dock.equipment,
             "start": frame.moment(start), "end": frame.moment(start + minutes)}
            for start, dock, minutes in slots[:MAX_SLOTS]]


def check_slot(load: Load, site: Site, dock: Dock | None, start: datetime, now: datetime,
               *, in_window: bool) -> tuple[datetime, datetime]:
    """The slot's [start, end) when ``dock`` can load ``load`` then; a 422 refusal with the reason else.

    Overlap with other trucks is not checked here: that needs the dock's write lock.
    """
    if dock is None or dock.site_id != site.id:
        raise YardRefused("invalid", "unknown_dock", _("That dock is not at the load's pickup site."),
                          [("dock_id", _("is not a dock of the pickup site"))])
    if not dock.active:
        raise YardRefused("invalid", "dock_inactive", _("Dock %(name)s is out of service.", name=dock.name),
                          [("dock_id", _("is out of service"))])
    if dock.equipment != load.required_equipment:
        raise YardRefused("invalid", "incompatible_dock",
                          _("Dock %(name)s has %(equipment)s; the load needs %(required_equipment)s.",
                            name=dock.name, equipment=dock.equipment, required_equipment=load.required_equipment),
                          [("dock_id", _("has %(equipment)s, the load needs %(required_equipment)s",
                                         equipment=dock.equipment, required_equipment=load.required_equipment))])
    start = whole_minute(start)
    if start < whole_minute(now):
        raise YardRefused("invalid", "in_the_past", _("A slot cannot start in the past."),
                          [("start", _("is in the past"))])
    if in_window and not (whole_minute(load.pickup_earliest) <= start <= load.pickup_latest):
        raise YardRefused("invalid", "outside_window",
                          _("The start must lie in the load's arrival window %(pickup_earliest)s to "
                            "%(pickup_latest)s.", pickup_earliest=load.pickup_earliest.isoformat(),
                            pickup_latest=load.pickup_latest.isoformat()), [("start", _("is outside the "
                                                                                        "arrival window"))])
    frame = frame_at(site, start)
    problem = build_problem([engine_dock(dock, site, frame)], [engine_load(load, frame, start, start)],
                            durations=duration_policy(site))
    minutes = problem.duration[0][0]
    begin = frame.minute(start)
    if overlapping(problem.closed[0], begin, begin + minutes) or begin + minutes > problem.horizon:
        hours = describe_hours(hours_of(dock, site), dock.breaks, zone_of(site))
        raise YardRefused("invalid", "outside_opening_hours",
                          _("Loading from %(start)s for %(minutes)s min does not fit the opening hours of "
                            "dock %(name)s: %(hours)s.", start=start.isoformat(), minutes=minutes,
                            name=dock.name, hours=hours), [("start", _("is outside the dock's opening hours"))])
    return start, start + timedelta(minutes=minutes)
