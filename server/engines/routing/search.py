"""One OR-Tools search run: parameters, progress reporting, cancellation, route read-back.

A run starts from an insertion heuristic (or from given routes) and improves with guided
local search, or runs OR-Tools' ruin-and-recreate iterated local search. Progress goes to
``limits.on_progress`` from a solution callback, which also polls ``limits.should_stop`` and
finishes the search when asked (``poll_stop`` adds a per-node check, at a speed cost).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from server.engines.common import Limits, Progress
from server.engines.routing.ortools_model import BuiltModel

FSS = routing_enums_pb2.FirstSolutionStrategy
LSM = routing_enums_pb2.LocalSearchMetaheuristic
TRUE = 2  # OptionalBoolean.BOOL_TRUE
FALSE = 3  # OptionalBoolean.BOOL_FALSE

Routes = list[list[int]]  # per vehicle, the stop indices in visiting order


@dataclass(frozen=True)
class SearchSpec:
    """How one run searches.

    With ``ils`` the run is OR-Tools' iterated local search: SISR ruin (about
    ``sisr_visits`` stops removed in strings of up to 10), local cheapest insertion in
    ``recreate_sort`` order, no local search after each perturbation (``improve``), and
    simulated-annealing acceptance cooling from ``temperature`` to 1 % of it. Otherwise it
    is local search guided by ``metaheuristic`` (guided local search unless told).
    """

    seconds: float
    first_solution: int = FSS.PARALLEL_CHEAPEST_INSERTION
    metaheuristic: int = LSM.GUIDED_LOCAL_SEARCH
    lambda_coefficient: float = 0.1
    lns: bool = False  # extra insertion-LNS operators: no gain measured on Solomon at 10 s
    seed: int = 0
    ils: bool = False
    sisr_visits: int = 10
    temperature: float = 0.0  # 0 = OR-Tools' automatic temperatures
    improve: bool = False
    recreate_sort: tuple[int, ...] = ()
    stop_below: int | None = None  # finish as soon as a solution costs at most this
    poll_stop: bool = False  # a Python call per search node costs ~10 % of the search speed


@dataclass(frozen=True)
class RunResult:
    routes: Routes
    objective: int
    cancelled: bool


class Clock:
    """Shared wall clock for a whole solve, with progress and cancellation hooks."""

    def __init__(self, limits: Limits, reserve_s: float = 0.0):
        self.limits = limits
        self.started = time.monotonic()
        # The search stops ``reserve_s`` early to leave time for building the result.
        self.deadline = self.started + limits.time_limit_s - min(reserve_s, 0.1 * limits.time_limit_s)
        self.cancelled = False
        self._last_report = 0.0

    def remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def stop_requested(self) -> bool:
        if not self.cancelled and self.limits.should_stop():
            self.cancelled = True
        return self.cancelled

    def report(self, message: str, objective: float | None, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._last_report >= 0.25:  # progress hooks may be slow (Socket.IO)
            self._last_report = now
            fraction = min(1.0, self.elapsed() / self.limits.time_limit_s)
            self.limits.on_progress(Progress(fraction=fraction, message=message, best_objective=objective,
                                             code="done" if message == "done" else "searching"))


def parameters(spec: SearchSpec) -> pywrapcp.DefaultRoutingSearchParameters:
    """OR-Tools search parameters for ``spec`` (see ``SearchSpec``); search logging is off."""
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = spec.first_solution
    params.local_search_metaheuristic = spec.metaheuristic
    params.guided_local_search_lambda_coefficient = spec.lambda_coefficient
    params.time_limit.FromMilliseconds(max(1, int(spec.seconds * 1000)))
    params.log_search = False
    if spec.lns:
        ops = params.local_search_operators
        ops.use_global_cheapest_insertion_close_nodes_lns = TRUE
        ops.use_local_cheapest_insertion_close_nodes_lns = TRUE
        ops.use_global_cheapest_insertion_expensive_chain_lns = TRUE
        ops.use_relocate_expensive_chain = TRUE
    if spec.ils:
        params.use_iterated_local_search = True
        ils = params.iterated_local_search_parameters
        rr = ils.ruin_recreate_parameters
        ruin = rr.ruin_strategies.add()
        ruin.sisr.max_removed_sequence_size = 10
        ruin.sisr.avg_num_removed_visits = spec.sisr_visits
        ruin.sisr.bypass_factor = 0.01
        rr.recreate_strategy.heuristic = FSS.LOCAL_CHEAPEST_INSERTION
        if spec.recreate_sort:
            lci = rr.recreate_strategy.parameters.local_cheapest_insertion
            lci.insertion_sorting_properties.extend(spec.recreate_sort)
        ils.improve_perturbed_solution = spec.improve
        sa = ils.reference_solution_acceptance_strategy.simulated_annealing
        if spec.temperature:
            sa.initial_temperature = spec.temperature
            sa.final_temperature = spec.temperature / 100
            sa.automatic_temperatures = False
        else:
            sa.automatic_temperatures = True
    return params


def run(built: BuiltModel, spec: SearchSpec, clock: Clock, start: Routes | None = None,
        label: str = "search") -> RunResult | None:
    """Search once; returns the best routes found, or None when nothing was found."""
    routing = built.routing
    solver = routing.solver()
    solver.ReSeed(spec.seed)
    best = {"objective": None}

    def at_solution() -> None:
        objective = routing.CostVar().Value()
        if best["objective"] is None or objective < best["objective"]:
            best["objective"] = objective
            clock.report(label, objective)
        if clock.stop_requested() or (spec.stop_below is not None and objective <= spec.stop_below):
            solver.FinishCurrentSearch()

    routing.AddAtSolutionCallback(at_solution)
    if spec.poll_stop:
        routing.AddSearchMonitor(solver.CustomLimit(clock.stop_requested))
    params = parameters(spec)
    # Close with these parameters: operators and filters are fixed when the model closes.
    routing.CloseModelWithParameters(params)
    initial = None
    if start is not None:
        initial = routing.ReadAssignmentFromRoutes(to_indices(built, start), True)
    if initial is not None:
        solution = routing.SolveFromAssignmentWithParameters(initial, params) or initial
    elif spec.ils:
        solution = routing.SolveWithIteratedLocalSearch(params)
    else:
        solution = routing.SolveWithParameters(params)
    if solution is None:
        return None
    return RunResult(read_routes(built, solution), solution.ObjectiveValue(), clock.cancelled)


def to_indices(built: BuiltModel, routes: Sequence[Sequence[int]]) -> list[list[int]]:
    """Stop indices per vehicle -> routing indices per vehicle (unknown stops skipped)."""
    return [[built.stop_index[s] for s in route if s in built.stop_index] for route in routes]


def read_routes(built: BuiltModel, solution) -> Routes:
    """The stop indices of each vehicle's route in ``solution``."""
    routing, manager = built.routing, built.manager
    routes = []
    for v in range(routing.vehicles()):
        index = solution.Value(routing.NextVar(routing.Start(v)))
        route = []
        while not routing.IsEnd(index):
            route.append(built.stops[manager.IndexToNode(index)])
            index = solution.Value(routing.NextVar(index))
        routes.append(route)
    return routes
