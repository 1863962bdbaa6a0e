"""Dock scheduling: book each truck into a dock slot at its plant (OR-Tools CP-SAT).

``build_problem(docks, loads, pins=...)`` checks plain data and returns a frozen
:class:`DockProblem`; ``solve(problem, limits)`` returns a :class:`DockResult`;
``replan(problem, previous, changed=..., frozen=...)`` re-plans after an ETA change and
says which appointments moved; ``fcfs(problem)`` is the no-appointment baseline;
``lower_bound(problem)`` bounds the waiting and cost that any schedule can reach.
"""

from server.engines.docks.amend import with_arrival, with_arrivals, with_pins, without_loads
from server.engines.docks.bound import Bound, lower_bound
from server.engines.docks.build import build_problem
from server.engines.docks.durations import DEFAULT_RATES, DurationPolicy, Rate, RateTable
from server.engines.docks.fcfs import fcfs
from server.engines.docks.model import (
    CANCELLED,
    NO_CAPACITY,
    NO_COMPATIBLE_DOCK,
    NO_OPENING_FITS,
    Dock,
    DockProblem,
    DockValidationError,
    Equipment,
    Load,
    Pin,
    Weights,
    minutes_since,
)
from server.engines.docks.replan import replan
from server.engines.docks.result import (
    FEASIBLE,
    INFEASIBLE,
    OPTIMAL,
    Appointment,
    DockResult,
    Move,
    ObjectiveParts,
    ReplanResult,
    Unscheduled,
)
from server.engines.docks.solver import solve

__all__ = [
    "CANCELLED",
    "DEFAULT_RATES",
    "FEASIBLE",
    "INFEASIBLE",
    "NO_CAPACITY",
    "NO_COMPATIBLE_DOCK",
    "NO_OPENING_FITS",
    "OPTIMAL",
    "Appointment",
    "Bound",
    "Dock",
    "DockProblem",
    "DockResult",
    "DockValidationError",
    "DurationPolicy",
    "Equipment",
    "Load",
    "Move",
    "ObjectiveParts",
    "Pin",
    "Rate",
    "RateTable",
    "ReplanResult",
    "Unscheduled",
    "Weights",
    "build_problem",
    "fcfs",
    "lower_bound",
    "minutes_since",
    "replan",
    "solve",
    "with_arrival",
    "with_arrivals",
    "with_pins",
    "without_loads",
]
