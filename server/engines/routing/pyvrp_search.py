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
import pyvrp.stop

from server.engines.routing.model import Objective, Problem
from server.engines.routing.prechecks import Precheck
from server.engines.routing.pyvrp_model import PyvrpModel, build_pyvrp, read_solution
from server.engines.routing.scaling import Scaled

Routes = list[list[int]]
# Of a hierarchical budget, the share for the distance phase. Measured on the Gehring & Homberger
# 200 sample at 30 s: at 0.4 every plan had the best-known vehicle count, but the polish was
# short where routes had been hard to remove (R1, RC1); see docs/deployment.md.
POLISH_SHARE = 0.6


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
    if problem.objective == Objective.HIERARCHICAL:
        return _hierarchical(model, problem, scaled, check, deadline, seed, should_stop, on_best)
    best, cancelled = _search(model, problem, deadline, seed, should_stop, on_best)
    return read_solution(model, best, len(problem.vehicles)), cancelled, best.is_feasible()


def _hierarchical(model: PyvrpModel, problem: Problem, scaled: Scaled, check: Precheck, deadline: float, seed: int,
                  should_stop: Callable[[], bool], on_best: Callable[[Routes, int], None]) -> tuple[Routes, bool, bool]:
    """Fewest vehicles, then distance: remove routes, then polish distance with the fleet capped.

    ``model`` prices each vehicle above any distance. Searched alone, that price makes a plan
    one route short with a little lateness cheaper than a punctual one, so PyVRP dwells among
    late plans: on Gehring & Homberger 200 it ended infeasible on R1_2_8 and 3.9 % long on
    C1_2_8. So, with one vehicle type and no optional stops, routes are removed as PyVRP's own
    ``minimise_fleet`` does (distance-only solves to the first feasible plan, one vehicle fewer
    each time; written out here because that function returns no plan to start from);
    otherwise the priced search runs. The last ``POLISH_SHARE`` of the time then caps each
    vehicle type at the routes of the best plan and prices distance alone, starting from it.
    """
    start = time.monotonic()
    first_deadline = start + (1 - POLISH_SHARE) * (deadline - start)
    price = model.data.vehicle_type(0).fixed_cost  # the priced model's vehicle charge, for progress reports
    fleet = [t.num_available for t in model.data.vehicle_types()]
    reducible = len(fleet) == 1 and all(c.required for c in model.data.clients())
    if reducible:
        best, best_model, cancelled = _remove_routes(problem, scaled, check, fleet[0], first_deadline, seed,
                                                     should_stop, on_best, price)
    else:
        best_model = model
        best, cancelled = _search(model, problem, first_deadline, seed, should_stop, on_best)
    if best is None and not cancelled:  # not even one feasible plan: the priced search's best effort
        best, cancelled = _search(model, problem, deadline, seed, should_stop, on_best)
        best_model = model
    if best is None:  # cancelled before any plan: the caller repairs an empty one
        return [[] for _ in problem.vehicles], True, False
    if cancelled or not best.is_feasible() or time.monotonic() >= deadline:
        return read_solution(best_model, best, len(problem.vehicles)), cancelled, best.is_feasible()
    used = [0] * len(fleet)
    for route in best.routes():
        used[route.vehicle_type()] += 1
    capped = build_pyvrp(problem, scaled, check, fleet_cap=used)
    # The same visits (clients, pickups, deliveries) on the same vehicle types, in the capped data.
    start_plan = pyvrp.Solution(capped.data, [
        pyvrp.Route(capped.data, [visit for visit in route if not visit.is_depot()], route.vehicle_type())
        for route in best.routes()])
    polished, cancelled = _search(capped, problem, deadline, seed, should_stop, on_best, price, start_plan)
    if not polished.is_feasible():  # not expected from a feasible start; keep the first phase's plan then
        return read_solution(best_model, best, len(problem.vehicles)), cancelled, True
    return read_solution(capped, polished, len(problem.vehicles)), cancelled, True


def _remove_routes(problem: Problem, scaled: Scaled, check: Precheck, fleet: int, deadline: float, seed: int,
                   should_stop: Callable[[], bool], on_best: Callable[[Routes, int], None],
                   price: int) -> tuple[pyvrp.Solution | None, PyvrpModel, bool]:
    """The feasible plan with the fewest routes found by ``deadline``, its model, and cancellation."""
    best, best_model, cap = None, None, fleet
    while cap >= 1 and time.monotonic() < deadline:
        model = build_pyvrp(problem, scaled, check, fleet_cap=[cap])
        found, cancelled = _search(model, problem, deadline, seed, should_stop, on_best, price, first_feasible=True)
        if cancelled:
            return best, best_model or model, True
        if not found.is_feasible():
            break
        best, best_model, cap = found, model, found.num_routes() - 1
    return best, best_model, False


def _search(model: PyvrpModel, problem: Problem, deadline: float, seed: int, should_stop: Callable[[], bool],
            on_best: Callable[[Routes, int], None], price: int = 0, initial: pyvrp.Solution | None = None,
            first_feasible: bool = False) -> tuple[pyvrp.Solution, bool]:
    """One PyVRP solve on ``model`` until ``deadline`` (or its first feasible plan): (best, cancelled).

    ``price`` is added per route to the reported cost, so that a fleet-capped search reports on
    the priced model's scale (vehicles first) and progress never seems to go backwards.
    """
    vehicles = len(problem.vehicles)

    def improved(solution: pyvrp.Solution) -> None:
        cost = solution.distance_cost() + solution.fixed_vehicle_cost() + price * solution.num_routes()
        on_best(read_solution(model, solution, vehicles), cost)

    stop = _Stop(deadline, should_stop)
    criterion = pyvrp.stop.MultipleCriteria([pyvrp.stop.FirstFeasible(), stop]) if first_feasible else stop
    params = pyvrp.SolveParams(ils=pyvrp.IteratedLocalSearchParams(callbacks=_Callbacks(improved)))
    with warnings.catch_warnings():
        # PyVRP warns when its penalties peak, i.e. when mandatory stops cannot all be served;
        # the caller reports that through the plan, so the warning is noise here.
        warnings.simplefilter("ignore")
        result = pyvrp.solve(model.data, stop=criterion, seed=seed, collect_stats=False, display=False,
                             params=params, initial_solution=initial)
    return result.best, stop.cancelled
