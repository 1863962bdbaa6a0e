"""The dock office's moves at a plant: a late truck steps back, the trucks behind a freed slot move up.

The rules are the engine's (``engines/docks/step_back.py``), the same the appointments bench plays
(``haul bench docks --appointments``); this module runs them on a site's booked docks:

* **A late truck steps back** (``step_back_late``, from ``eta.on_eta_changed``): when a truck's new
  ETA is after its slot's start plus the on-time grace, the trucks booked on its dock between its slot
  and its ETA move up, and the late truck takes the time right after them (or the first gap on any
  dock when that comes sooner); trucks in the way of that time slide back just enough.
* **The trucks behind a freed slot move up** (``pull_up_behind``): after a no-show
  (``lateness.mark_no_shows``) or a trip that never started (``no_trip.release_no_trips``).

Only trucks that may still move do: booked (not called, loading or frozen), and either on site (checked
in, waiting) or with their slot at least ``YARD_REACT_MINUTES`` (30) away, so the driver can still be
told; none moves before its pickup window opens or its ETA. Moves are written as the re-plan writes them
(cancel, then insert: ``replanning.apply_plan``), audited, and announced to drivers and parties as a
re-plan. ``YARD_STEP_BACK`` and ``YARD_PULL_UP`` (both on) turn the rules off.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy.exc import IntegrityError

from server.engines.docks import build_problem
from server.engines.docks.construct import timelines
from server.engines.docks.model import DockProblem, DockValidationError
from server.engines.docks.step_back import pull_up, slide_back, step_back
from server.extensions import db
from server.models import Dock, DockAppointment, Load, Site
from server.yard.booking_rules import rules_of
from server.yard.engine_input import (
    AHEAD,
    PINNED,
    PLANNABLE,
    active_docks,
    appointments_overlapping,
    arrival_of,
    busy_minutes,
    duration_policy,
    engine_dock,
    engine_load,
    live_appointment,
    schedulable,
)
from server.yard.locking import lock_rows
from server.yard.refusals import YardRefused
from server.yard.replanning import Change, announce, apply_plan
from server.yard.site_time import Frame, frame_spanning, next_whole_minute
from server.yard.slot_audit import slot_changed
from server.yard.visits import live_visit

log = logging.getLogger("haul.yard.pull_up")



def react_minutes() -> int:
    """How long before its slot a driver on the road must be told a new time to keep to it."""
    return int(current_app.config.get("YARD_REACT_MINUTES", 30))


def enabled(flag: str) -> bool:
    return bool(current_app.config.get(flag, True))


class _BookedMinutes:
    """Loads keep the minutes they are booked for (what the dock holds for them), others the site's rates."""

    def __init__(self, booked: dict[str, int], policy):
        self.booked, self.policy = booked, policy

    def minutes(self, load, dock) -> int:
        return self.booked.get(load.id) or self.policy.minutes(load, dock)


@dataclass
class Board:
    """A site's booked trucks as the engine's plan (load index -> (dock index, start minute))."""

    site: Site
    frame: Frame
    problem: DockProblem
    plan: dict[int, tuple[int, int]]
    loads: list[Load]
    told: dict[int, DockAppointment]  # load id -> its live appointment
    docks: list[Dock]
    now: int  # the frame's minute of now (rounded up)

    def index(self, load_id: int) -> int:
        return self.problem.load_index[str(load_id)]


def board_of(site: Site, now: datetime, moments: list[datetime]) -> Board:
    """The site's docks (locked until commit) and the trucks booked on them, on the local days from now
    (or the earliest of ``moments``) to a day after the last of them."""
    docks = active_docks(site.id)
    lock_rows(Dock, [dock.id for dock in docks])
    frame = frame_spanning(site, [now, *moments])
    rows = appointments_overlapping([dock.id for dock in docks], frame.start, frame.end)
    loads = {row.load_id: db.session.get(Load, row.load_id) for row in rows if row.status in AHEAD}
    told = {row.load_id: row for row in rows if row.status in AHEAD and row.start >= frame.start
            and loads[row.load_id].pickup_site_id == site.id and schedulable(loads[row.load_id])}
    busy = busy_minutes([row for row in rows if told.get(row.load_id) is not row], frame)
    booked = {str(k): frame.minute(row.end) - frame.minute(row.start) for k, row in told.items()}
    ordered = sorted(told)
    problem = build_problem([engine_dock(dock, site, frame, busy[dock.id]) for dock in docks],
                            [engine_load(loads[k], frame, told[k].start, told[k].start) for k in ordered],
                            durations=_BookedMinutes(booked, duration_policy(site)))
    dock_index = {dock.id: d for d, dock in enumerate(docks)}
    plan = {i: (dock_index[told[k].dock_id], frame.minute(told[k].start)) for i, k in enumerate(ordered)
            if dock_index[told[k].dock_id] in problem.duration[i]}
    return Board(site, frame, problem, plan, [loads[k] for k in ordered], told, docks,
                 frame.minute(next_whole_minute(now)))


def movable_from(board: Board, i: int) -> int | None:
    """The earliest minute truck ``i`` may be moved up to, or None: called, loading, frozen, or on the road
    too close to its slot to be told in time."""
    load, now = board.loads[i], board.now
    row = board.told[load.id]
    if row.frozen or row.status != "booked" or load.status not in PLANNABLE:
        return None
    visit = live_visit(load.id)
    opens = max(now, board.frame.minute(load.pickup_earliest))
    if visit is not None and visit.status == "arrived":  # on site: it can be called now
        return opens
    if visit is not None and visit.status not in ("requested", "scheduled"):
        return None
    react = react_minutes()
    if board.frame.minute(row.start) - now < react:
        return None
    return max(opens, now + react, board.frame.minute(arrival_of(load)))


def may_slide(board: Board, i: int) -> bool:
    """Whether truck ``i`` may be pushed back a little to make room: any booked truck not called or frozen
    (one that is not told in time comes as it was coming and waits those minutes on site)."""
    row = board.told[board.loads[i].id]
    return row.status == "booked" and not row.frozen


def _write(board: Board, before: dict[int, tuple[int, int]], now: datetime) -> list[Change]:
    """Book every truck whose place changed (cancel, then insert) and audit it; the caller commits."""
    frame, duration = board.frame, board.problem.duration
    moved = {board.loads[i].id: (board.docks[d].id, frame.moment(start), frame.moment(start + duration[i][d]))
             for i, (d, start) in board.plan.items() if before.get(i) != (d, start)}
    changes = apply_plan(moved, {k: board.loads[board.index(k)] for k in moved}, board.told, set(), {}, now)
    for change in changes:
        slot_changed(change.load, change.old, change.new, site=board.site)
    return changes


def is_late_past_slot(load: Load, appointment: DockAppointment | None) -> bool:
    """Whether the truck's arrival is after its movable slot's start plus the site's on-time grace."""
    if appointment is None or appointment.frozen or appointment.status in PINNED or load.status not in PLANNABLE:
        return False
    grace = timedelta(minutes=rules_of(db.session.get(Site, load.pickup_site_id)).on_time_grace_minutes)
    return arrival_of(load) > appointment.start + grace


def step_back_late(load: Load, now: datetime) -> list[Change] | None:
    """Step a late truck back behind the trucks booked on its dock before its ETA (uncommitted); None when
    the rule does not apply or finds no place today (the caller re-plans instead)."""
    appointment = live_appointment(load.id)
    if not enabled("YARD_STEP_BACK") or not is_late_past_slot(load, appointment):
        return None
    site = db.session.get(Site, load.pickup_site_id)
    eta = arrival_of(load)
    board = board_of(site, now, [appointment.start, eta])
    if load.id not in board.told or board.index(load.id) not in board.plan:
        return None
    late, before = board.index(load.id), dict(board.plan)
    moved, place = step_back(board.problem, board.plan, late, board.frame.minute(next_whole_minute(eta)),
                             lambda j: movable_from(board, j))
    if place is None:
        return None
    dock, start = place
    minutes = board.problem.duration[late][dock]
    if not timelines(board.problem, board.plan)[dock].fits_at(start, minutes):
        if slide_back(board.problem, board.plan, dock, start, minutes, lambda j: may_slide(board, j)) is None:
            return None
    board.plan[late] = place
    log.info("load %s steps back to %s at site %s; %d trucks move up", load.id, place, site.id, len(moved))
    return _write(board, before, now)


def pull_up_behind(site: Site, freed: list[tuple[int, datetime]], now: datetime) -> list[Change]:
    """Move up the trucks booked behind each freed (dock id, from) that may still move (uncommitted)."""
    if not enabled("YARD_PULL_UP") or not freed:
        return []
    board = board_of(site, now, [at for _, at in freed])
    before = dict(board.plan)
    index = {dock.id: d for d, dock in enumerate(board.docks)}
    for dock_id, at in freed:
        if dock_id in index:
            pull_up(board.problem, board.plan, index[dock_id], max(board.now, board.frame.minute(at)),
                    lambda j: movable_from(board, j))
    return _write(board, before, now)


def pull_up_and_announce(site: Site, freed: list[tuple[int, datetime]], now: datetime) -> list[Change]:
    """:func:`pull_up_behind`, committed and announced; a board that changed meanwhile is left as it is."""
    try:
        changes = pull_up_behind(site, freed, now)
        db.session.commit()
    except (IntegrityError, YardRefused, DockValidationError) as exc:
        db.session.rollback()
        log.warning("pulling up the trucks behind %s at site %s failed: %s", freed, site.id, exc)
        return []
    announce(changes)
    return changes
