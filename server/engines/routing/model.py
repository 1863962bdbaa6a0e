"""The routing problem as immutable plain data.

Units are the caller's: the app uses kilometres for distance and seconds for time; the
benchmark uses the instance's Euclidean units for both. Internally the solver multiplies
distances by ``distance_scale`` and times by ``time_scale`` and works on integers, so the
scales set the precision (e.g. 10 for DIMACS one-decimal rounding, 1000 for near-exact).

Locations are indices into the ``TravelMatrix``; stops and depots both point at a location.
Build a problem with ``validation.build_problem`` (which validates) or construct the
dataclasses directly and call ``validation.validate_problem``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

INFINITE_TIME = 10**9  # "no limit" for time windows and shifts, in the caller's time units


class Objective(StrEnum):
    """What the optimiser minimises."""

    DISTANCE = "distance"  # total distance with the fleet given; vehicles carry no cost
    HIERARCHICAL = "hierarchical"  # fewest vehicles first, then total distance
    COST = "cost"  # each used vehicle's fixed cost plus its per-km cost times its distance


@dataclass(frozen=True)
class TravelMatrix:
    """Square matrices of travel distance and travel duration between locations."""

    distances: tuple[tuple[float, ...], ...]
    durations: tuple[tuple[float, ...], ...]

    @property
    def size(self) -> int:
        return len(self.distances)


@dataclass(frozen=True)
class TimeWindow:
    """Service may start at ``start`` at the earliest and at ``end`` at the latest."""

    start: float = 0.0
    end: float = float(INFINITE_TIME)


@dataclass(frozen=True)
class Stop:
    """A visit. ``demand`` has one entry per capacity dimension.

    A stand-alone stop is a delivery from the vehicle's start depot: its demand is on board
    when the vehicle leaves. In a pickup-and-delivery pair the pickup's demand is loaded at
    the pickup and unloaded at the delivery (the delivery's own demand is ignored).
    An optional stop may be dropped at ``drop_penalty`` cost; a mandatory one is only
    dropped when it cannot be served at all, and the result says why. ``vehicles``, when
    given, are the only vehicle ids that may serve it (a commitment such as an assigned
    truck); it is dropped rather than moved to another vehicle.
    """

    id: str
    location: int
    demand: tuple[int, ...] = ()
    time_window: TimeWindow = field(default_factory=TimeWindow)
    service_time: float = 0.0
    optional: bool = False
    drop_penalty: float = 0.0
    vehicles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Depot:
    """A place where vehicles start or end their shift."""

    id: str
    location: int
    time_window: TimeWindow = field(default_factory=TimeWindow)


@dataclass(frozen=True)
class Break:
    """A driver break of ``duration`` that must start within ``[earliest_start, latest_start]``."""

    earliest_start: float
    latest_start: float
    duration: float


@dataclass(frozen=True)
class Vehicle:
    """One vehicle and its driver's shift. ``capacity`` has one entry per dimension."""

    id: str
    start_depot: str
    end_depot: str
    capacity: tuple[int, ...] = ()
    fixed_cost: float = 0.0
    cost_per_km: float = 1.0
    max_duration: float | None = None  # longest shift, from leaving start to reaching end
    shift: TimeWindow = field(default_factory=TimeWindow)  # leave start / reach end within this
    breaks: tuple[Break, ...] = ()


@dataclass(frozen=True)
class PickupDelivery:
    """Indices into ``Problem.stops``: the pickup is served before the delivery, same vehicle."""

    pickup: int
    delivery: int


@dataclass(frozen=True)
class Problem:
    """A complete routing problem. Immutable; validated by ``validation.validate_problem``."""

    matrix: TravelMatrix
    depots: tuple[Depot, ...]
    vehicles: tuple[Vehicle, ...]
    stops: tuple[Stop, ...]
    pairs: tuple[PickupDelivery, ...] = ()
    # Groups of stop indices served by one vehicle, all or none (the pairs of one multi-drop load).
    together: tuple[tuple[int, ...], ...] = ()
    objective: Objective = Objective.DISTANCE
    dimensions: tuple[str, ...] = ("load",)
    distance_scale: int = 1000
    time_scale: int = 1

    def depot(self, depot_id: str) -> Depot:
        """The depot with this id (KeyError when unknown)."""
        for depot in self.depots:
            if depot.id == depot_id:
                return depot
        raise KeyError(depot_id)
