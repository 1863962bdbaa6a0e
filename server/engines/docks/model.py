"""The validated, immutable dock-scheduling problem and the plain types it is made of.

Times are integer minutes from the start of the planning day (the caller converts
timezone-aware datetimes with :func:`minutes_since`). A load is one truck to be loaded;
a dock is one loading point of a site with a set of equipment. ``build_problem`` (in
``build.py``) turns plain data into a :class:`DockProblem`; the solvers only read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cached_property

Interval = tuple[int, int]  # [start, end) in minutes

# Why a load got no appointment.
NO_COMPATIBLE_DOCK = "no_compatible_dock"  # no dock of its site has its equipment
NO_OPENING_FITS = "no_opening_fits_duration"  # no open gap after its arrival is long enough
NO_CAPACITY = "no_capacity"  # gaps exist, but other trucks fill them all
CANCELLED = "cancelled"  # taken off the day (a no-show whose grace period ran out)


class Equipment(StrEnum):
    """What a dock can load with; a load needs exactly one of these."""

    PALLET_DOCK = "pallet_dock"
    LIQUID_ARM = "liquid_arm"
    BULK_CHUTE = "bulk_chute"
    SIDE_LOADER = "side_loader"


class DockValidationError(ValueError):
    """Bad dock-scheduling input. ``errors`` lists ``(field_path, message)`` pairs."""

    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = errors
        super().__init__("; ".join(f"{path}: {message}" for path, message in errors))


@dataclass(frozen=True)
class Dock:
    """A loading point. ``opening`` and ``breaks`` are sorted, merged [start, end) windows."""

    id: str
    site: str
    equipment: frozenset[Equipment]
    opening: tuple[Interval, ...]
    breaks: tuple[Interval, ...] = ()
    speed: float = 1.0  # loading-rate factor: 1.25 loads a quarter faster than the rate table


@dataclass(frozen=True)
class Load:
    """One truck to load. It may start at ``arrival`` (its ETA); starting after ``due`` is late."""

    id: str
    site: str
    equipment: Equipment
    arrival: int
    due: int
    pallets: int = 0
    tonnes: float = 0.0


@dataclass(frozen=True)
class Weights:
    """Objective weights, in cost units per minute (or per event)."""

    waiting: int = 1  # per minute between arrival and start
    lateness: int = 3  # per minute of start after due, on top of the waiting
    move: int = 5  # per appointment moved by a re-plan (a driver has to be told)


@dataclass(frozen=True)
class Pin:
    """An appointment that may not move (in progress or already called to the dock)."""

    load: int  # load index
    dock: int  # dock index
    start: int
    end: int


@dataclass(frozen=True)
class DockProblem:
    """Everything the solvers need, precomputed and checked.

    ``options[i]`` lists ``(dock index, minutes)`` for every dock that can take load ``i``
    (same site, right equipment).
    ``closed[d]`` holds the merged times dock ``d`` cannot load (outside opening hours and
    breaks) inside ``[day_start, horizon)``. ``impossible`` maps a load index to the reason
    no dock can ever take it.
    """

    docks: tuple[Dock, ...]
    loads: tuple[Load, ...]
    options: tuple[tuple[tuple[int, int], ...], ...]
    closed: tuple[tuple[Interval, ...], ...]
    pins: tuple[Pin, ...]
    day_start: int
    horizon: int
    weights: Weights = field(default_factory=Weights)
    impossible: tuple[tuple[int, str], ...] = ()

    @cached_property
    def load_index(self) -> dict[str, int]:
        return {load.id: i for i, load in enumerate(self.loads)}

    @cached_property
    def dock_index(self) -> dict[str, int]:
        return {dock.id: d for d, dock in enumerate(self.docks)}

    @cached_property
    def duration(self) -> tuple[dict[int, int], ...]:
        """``duration[i][d]``: minutes load ``i`` takes on dock ``d`` (compatible docks only)."""
        return tuple(dict(opts) for opts in self.options)

    @cached_property
    def pinned(self) -> dict[int, Pin]:
        return {pin.load: pin for pin in self.pins}

    @cached_property
    def blocked(self) -> tuple[tuple[Interval, ...], ...]:
        """Per dock: closed times plus pinned appointments, sorted and merged."""
        extra: list[list[Interval]] = [[] for _ in self.docks]
        for pin in self.pins:
            extra[pin.dock].append((pin.start, pin.end))
        return tuple(merge_intervals([*self.closed[d], *extra[d]]) for d in range(len(self.docks)))

    @cached_property
    def free_loads(self) -> tuple[int, ...]:
        """Loads the solver places: neither pinned nor impossible to place."""
        skip = self.pinned.keys() | {i for i, _ in self.impossible}
        return tuple(i for i in range(len(self.loads)) if i not in skip)


def merge_intervals(intervals: list[Interval] | tuple[Interval, ...]) -> tuple[Interval, ...]:
    """Sort ``intervals`` and merge the ones that overlap or touch; empty ones are dropped."""
    merged: list[list[int]] = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((s, e) for s, e in merged)


def minutes_since(day_start: datetime, moment: datetime) -> int:
    """Whole minutes from ``day_start`` to ``moment`` (both timezone-aware), rounded to nearest."""
    if day_start.tzinfo is None or moment.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")
    return round((moment - day_start).total_seconds() / 60)
