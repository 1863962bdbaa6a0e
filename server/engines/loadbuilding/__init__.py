"""Load building: turn order lines into truckloads on a mixed fleet at the least cost.

Model, then solve::

    problem = build_problem({...})            # or LoadProblem(...); both validate
    plan = solve(problem, Limits(time_limit_s=5, seed=1))

Capacity is limited in weight, volume and pallet positions at once; splittable lines are
split in whole units, non-splittable lines stay on one truck, incompatible hazmat classes
never share a truck, and small orders on one lane (same pickup, close deliveries, at most K
stops) are consolidated. Lines no vehicle can carry come back in ``plan.unplaced`` with a
reason. One-dimensional groups are solved as bin packing (arc-flow), the rest by greedy plans
improved with CP-SAT; every plan carries a lower bound and its status. ``loads_lower_bound``
answers "at least how many loads" without solving, for callers that cap a plan's size.
"""

from server.engines.loadbuilding.bounds import loads_lower_bound
from server.engines.loadbuilding.hazmat import Segregation, default_table
from server.engines.loadbuilding.model import LoadProblem, Order, OrderLine, VehicleType
from server.engines.loadbuilding.plan import Allocation, Dims, Load, LoadPlan, PlanStatus, UnplacedLine
from server.engines.loadbuilding.solver import solve
from server.engines.loadbuilding.validation import LoadValidationError, build_problem

__all__ = [
    "Allocation",
    "Dims",
    "Load",
    "LoadPlan",
    "LoadProblem",
    "LoadValidationError",
    "Order",
    "OrderLine",
    "PlanStatus",
    "Segregation",
    "UnplacedLine",
    "VehicleType",
    "build_problem",
    "default_table",
    "loads_lower_bound",
    "solve",
]
