"""One PyVRP run: iterated local search until a deadline, a stop request or nothing left to gain.

PyVRP checks its stopping criterion once per iteration (milliseconds at a few hundred
stops), so a deadline or a cancellation is honoured promptly. Each new best feasible plan
goes to ``on_best`` as Haul routes, so a caller can report progress or keep it if the run
is cut short.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable

import pyvrp

from server.engines.routing.model import Problem
from server.engines.routing.prechecks import Precheck
from server.engines.routing.pyvrp_model import build_pyvrp, read_solution
from server.engines.routing.scaling import Scaled

Routes = list[list[int]]


class _Stop:
    """PyVRP stopping criterion: the wall-clock deadline or the caller's stop request."""

    def __init__(self, deadline: float, should_stop: Callable[[], bool]):
        self.deadline, self.should_stop = deadline, should_stop
        self.cancelled = False

    def __call__(self, best_cost: float) -> bool:
        if self.should_stop():
            self.cancelled = True
        return self.cancelled or time.monotonic() >= self.deadline


class _Callbacks(pyvrp.IteratedLocalSearchCallbacks):
    def __init__(self, on_best: Callable[[pyvrp.Solution], None]):
        self.on_best_solution = on_best

    def on_start(self, ils: pyvrp.IteratedLocalSearch) -> None:
        # The starting plan counts as the first progress report when it is already feasible.
        if ils.initial_solution.is_feasible():
            self.on_best_solution(ils.initial_solution)

    def on_best(self, best: pyvrp.Solution) -> None:
        if best.is_feasible():
            self.on_best_solution(best)


def run_pyvrp(problem: Problem, scaled: Scaled, check: Precheck, deadline: float, seed: int,
              should_stop: Callable[[], bool] = lambda: False,
              on_best: Callable[[Routes, int], None] = lambda routes, cost: None) -> tuple[Routes, bool, bool]:
    """Search until ``deadline`` (a ``time.monotonic()`` instant).

    Returns (routes, cancelled, feasible): the best plan found, which is infeasible only when
    no feasible plan was found (mandatory stops are required clients, see ``pyvrp_model``).
    ``on_best(routes, cost)`` gets every new best feasible plan and its PyVRP cost.
    """
    model = build_pyvrp(problem, scaled, check)
    if model.data.num_clients + model.data.num_shipments == 0:
        return [[] for _ in problem.vehicles], False, True
    vehicles = len(problem.vehicles)

    def improved(solution: pyvrp.Solution) -> None:
        on_best(read_solution(model, solution, vehicles), solution.distance_cost() + solution.fixed_vehicle_cost())

    stop = _Stop(deadline, should_stop)
    params = pyvrp.SolveParams(ils=pyvrp.IteratedLocalSearchParams(callbacks=_Callbacks(improved)))
    with warnings.catch_warnings():
        # PyVRP warns when its penalties peak, i.e. when mandatory stops cannot all be served;
        # the caller reports that through the plan, so the warning is noise here.
        warnings.simplefilter("ignore")
        result = pyvrp.solve(model.data, stop=stop, seed=seed, collect_stats=False, display=False, params=params)
    return read_solution(model, result.best, vehicles), stop.cancelled, result.best.is_feasible()
