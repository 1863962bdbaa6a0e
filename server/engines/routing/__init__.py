"""Route optimisation engine (PyVRP and OR-Tools): ``solve(problem, limits) -> RoutingResult``.

Capacitated VRP with several capacity dimensions, time windows and service times, pickup and
delivery pairs, several depots, a mixed fleet with fixed and per-km costs, shift lengths and
driver breaks, optional stops with drop penalties, and three objectives (``distance``,
``hierarchical``: fewest vehicles, then distance, and ``cost``: fixed plus per-km costs).
``portfolio`` picks the engines that model a request fully and keeps the better checked plan. Travel matrices come from a pluggable
``MatrixProvider`` (great-circle by default, OSRM when configured).
"""

from server.engines.routing.matrix import GreatCircleProvider, MatrixProvider, MatrixProviderError
from server.engines.routing.model import (
    Break,
    Depot,
    Objective,
    PickupDelivery,
    Problem,
    Stop,
    TimeWindow,
    TravelMatrix,
    Vehicle,
)
from server.engines.routing.osrm import OsrmProvider
from server.engines.routing.providers import provider_from_config
from server.engines.routing.result import DroppedStop, DropReason, PlannedStop, Route, RoutingResult, Status
from server.engines.routing.serialize import problem_from_dict, result_to_dict
from server.engines.routing.solver import solve
from server.engines.routing.validation import RoutingValidationError, validate_problem

__all__ = [
    "Break",
    "Depot",
    "DropReason",
    "DroppedStop",
    "GreatCircleProvider",
    "MatrixProvider",
    "MatrixProviderError",
    "Objective",
    "OsrmProvider",
    "provider_from_config",
    "PickupDelivery",
    "PlannedStop",
    "Problem",
    "Route",
    "RoutingResult",
    "RoutingValidationError",
    "Status",
    "Stop",
    "TimeWindow",
    "TravelMatrix",
    "Vehicle",
    "problem_from_dict",
    "result_to_dict",
    "solve",
    "validate_problem",
]
