"""What the appointment day is made of: the plant's rules, each truck's state and the day's outcome."""

from __future__ import annotations

from dataclasses import dataclass, field

from server.bench.appointments.behaviour import Behaviour

EXPECTED, ON_SITE, GRACE_OVER = "expected", "on_site", "grace_over"


@dataclass(frozen=True)
class LiveRules:
    """How the plant and the drivers play the day (minutes)."""

    # Drivers are asked to be at the gate this long before their slot. Ten minutes (five before the
    # stand-by rules) keeps most of the on-time noise (sd 7.5 min) ahead of the slot, and the trucks
    # waiting it out are the stand-bys that keep a dock busy when its truck is not there.
    ahead_min: int = 10
    grace_min: int = 15  # a slot is held this long after its start for a truck not yet here
    notice_min: int = 30  # a late truck's GPS ETA reaches the plant this long before its slot
    react_min: int = 30  # told a new time at least this long before reaching the gate, a driver keeps to it
    called_min: int = 15  # appointments starting this soon are called: a re-plan leaves them be
    standby: bool = True  # a dock whose truck is not there at its slot's start calls one waiting on site
    # An announced late truck steps back behind the trucks booked on its dock before its ETA, and they
    # move up (``step_back.py``); off: its slot is freed and it gets the first gap from its ETA.
    step_back: bool = True
    # A no-show's slot given up after the grace period: the trucks booked behind it on its dock that can
    # still be told move up (``step_back.pull_up``); off: Haul re-plans the next few trucks there.
    pull_up: bool = True
    # A no-show whose GPS shows the trip not started ``notice_min`` before its slot loses the booking
    # then, and the trucks behind it on its dock that can still be told move up.
    no_trip_release: bool = True
    replan_limit_s: float = 1.0
    seed: int = 0


@dataclass
class Truck:
    """A truck during the day: what its driver does and what Haul knows of it."""

    load_id: str
    index: int
    requested: int
    behaviour: Behaviour
    status: str = EXPECTED
    aim: int | None = None  # the slot start the driver set out for
    gate: int | None = None  # when it will pass the gate (None: never)
    eta: int | None = None  # what Haul knows from a GPS ETA notice
    gate_in: int | None = None
    version: int = 0
    bumped_at: int | None = None  # the start of the slot its dock gave to a stand-by while it was not here


@dataclass(frozen=True)
class TruckDay:
    """One truck's day as it happened; ``start`` is None when it was never loaded (or never came)."""

    load_id: str
    kind: str
    requested: int
    aim: int | None
    gate_in: int | None
    start: int | None
    end: int | None
    dock: str | None = None


@dataclass
class DayOutcome:
    """The day's trucks and what the plant did: re-plan times, appointments moved, trucks called in early,
    walk-ins (no slot left at the gate), slots given up after the grace period, walk-ins sent to
    wait off site for a slot far ahead, trucks on site called to a slot whose truck was not there
    (stand-by) and the absent trucks that lost their slot so (bumped)."""

    trucks: list[TruckDay]
    replan_seconds: list[float] = field(default_factory=list)
    moves: int = 0
    called_in_early: int = 0
    walk_ins: int = 0
    grace_over: int = 0
    sent_off_site: int = 0
    standby_calls: int = 0
    bumped: int = 0
    released: int = 0
    no_trip_released: int = 0
