"""What a solve returns: routes with a planned schedule, dropped stops with reasons, totals."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    """How the solve ended."""

    FEASIBLE = "feasible"  # a plan was found (some optional/unservable stops may be dropped)
    NO_SOLUTION = "no_solution"  # the solver found nothing within the limits
    CANCELLED = "cancelled"  # should_stop asked to stop; the best plan so far is returned


class DropReason(StrEnum):
    """Why a stop is not on any route."""

    DEMAND_EXCEEDS_EVERY_VEHICLE = "demand exceeds every vehicle"
    TIME_WINDOW_UNREACHABLE = "time window unreachable from any depot"
    PAIR_UNSERVABLE = "pickup and delivery cannot be served by one vehicle in time"
    NO_CARRIER_REACHES = "no vehicle that can carry its demand reaches its time window"
    PINNED_VEHICLE_UNABLE = "the vehicle it is committed to cannot serve it in time"
    GROUP_UNSERVABLE = "no vehicle can serve every stop of its group"
    PARTNER_DROPPED = "its pickup/delivery partner cannot be served"
    PENALTY_CHEAPER = "dropped by optimiser: penalty cheaper than serving"
    NO_ROUTE_FOUND = "no feasible route found for it within the time limit"


@dataclass(frozen=True)
class PlannedStop:
    """One visit on a route. ``load`` is what is on board after the stop, per dimension."""

    stop_index: int  # index into Problem.stops
    stop_id: str
    arrival: float
    start: float  # service start (arrival plus any wait for the time window)
    departure: float
    load: tuple[int, ...]


@dataclass(frozen=True)
class PlannedBreak:
    """A driver break placed in the schedule."""

    start: float
    duration: float


@dataclass(frozen=True)
class Route:
    """One used vehicle's tour from its start depot to its end depot."""

    vehicle_id: str
    stops: tuple[PlannedStop, ...]
    start_time: float
    end_time: float
    distance: float
    duration: float
    cost: float
    start_load: tuple[int, ...]
    breaks: tuple[PlannedBreak, ...] = ()


def drop_codes(reason: str) -> tuple[str, str]:
    """``(code, cause)`` of a drop reason's text: the ``DropReason`` member's name in lower case, and for
    "its partner cannot be served (why)" the partner's own code as the cause, so callers can word it."""
    partner = DropReason.PARTNER_DROPPED.value
    if reason.startswith(partner + " (") and reason.endswith(")"):
        return "partner_dropped", drop_codes(reason[len(partner) + 2:-1])[0]
    for member in DropReason:
        if member.value == reason:
            return member.name.lower(), ""
    return "", ""


@dataclass(frozen=True)
class DroppedStop:
    """A stop left out of the plan and the reason: ``reason`` in English, ``code`` (``drop_codes``) and, when
    its pickup/delivery partner was dropped, the partner's ``cause``."""

    stop_index: int
    stop_id: str
    reason: str
    code: str = ""
    cause: str = ""


@dataclass(frozen=True)
class RoutingResult:
    """The plan: routes, dropped stops, totals, status, wall-clock seconds and its engine.

    Vehicles and distance are reported apart whatever the objective; ``total_cost`` is the
    fixed plus per-km cost of the routes plus the penalties of dropped optional stops.
    """

    status: Status
    routes: tuple[Route, ...]
    dropped: tuple[DroppedStop, ...]
    total_distance: float
    total_duration: float
    total_cost: float
    vehicles_used: int
    seconds: float
    engine: str = "ortools"  # which engine produced the plan: "ortools" or "pyvrp"
    objective: str = "distance"
