"""Builds the OR-Tools routing model for a ``Problem`` (the only place it is constructed).

Every transit is a registered integer matrix or vector, so the search never calls back into
Python for costs. Mandatory stops also get a drop option with a prohibitive penalty: the
search then always returns a plan, and a stop it could not place is reported, not fatal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ortools.constraint_solver import pywrapcp

from server.engines.routing.model import Problem
from server.engines.routing.objective import charges, cost_bound
from server.engines.routing.prechecks import Precheck
from server.engines.routing.scaling import Scaled

TIME = "time"


@dataclass
class BuildOptions:
    """Knobs that change between solve phases (the problem itself never changes)."""

    extra_fixed_cost: int = 0  # added to every vehicle's fixed cost (hierarchical objective)
    max_vehicles: int | None = None
    mandatory_penalty: int = 0  # 0 means: computed from the data


@dataclass
class BuiltModel:
    """The OR-Tools objects plus the mapping between stops and routing indices."""

    manager: pywrapcp.RoutingIndexManager
    routing: pywrapcp.RoutingModel
    stops: list[int]  # model-local node -> stop index (-1 for depots)
    stop_index: dict[int, int]  # stop index -> routing index
    mandatory_penalty: int
    breaks: dict[int, list] = field(default_factory=dict)

    @property
    def time(self) -> pywrapcp.RoutingDimension:
        return self.routing.GetDimensionOrDie(TIME)


def build_model(problem: Problem, scaled: Scaled, check: Precheck, options: BuildOptions) -> BuiltModel:
    """The routing model over the stops not excluded by ``check``."""
    used_depots = sorted({scaled.depot_node[v.start_depot] for v in problem.vehicles}
                         | {scaled.depot_node[v.end_depot] for v in problem.vehicles})
    kept = [i for i in range(len(problem.stops)) if i not in check.excluded]
    nodes = used_depots + [scaled.stop_node[i] for i in kept]
    local = {node: k for k, node in enumerate(nodes)}
    stops = [-1] * len(used_depots) + kept
    starts = [local[scaled.depot_node[v.start_depot]] for v in problem.vehicles]
    ends = [local[scaled.depot_node[v.end_depot]] for v in problem.vehicles]
    manager = pywrapcp.RoutingIndexManager(len(nodes), len(problem.vehicles), starts, ends)
    routing = pywrapcp.RoutingModel(manager)
    loc = [scaled.node_location[n] for n in nodes]

    _add_costs(problem, scaled, routing, loc, options)
    _add_time(problem, scaled, routing, manager, nodes, loc)
    _add_loads(problem, routing, stops)

    stop_index = {stop: manager.NodeToIndex(k) for k, stop in enumerate(stops) if stop >= 0}
    fleet = sum(c.fixed for c in charges(problem, scaled, fleet_charge=False))
    penalty = options.mandatory_penalty or 10 * (cost_bound(problem, scaled) + fleet + options.extra_fixed_cost + 1)
    _add_visits(problem, routing, stop_index, check, penalty)
    built = BuiltModel(manager, routing, stops, stop_index, penalty)
    _add_breaks(problem, scaled, built)
    if options.max_vehicles is not None:
        routing.SetMaximumNumberOfActiveVehicles(options.max_vehicles)
    return built


def _add_costs(problem: Problem, scaled: Scaled, routing, loc: list[int], options: BuildOptions) -> None:
    # The hierarchical strategy prices or caps the fleet itself (``extra_fixed_cost``, ``max_vehicles``).
    per_vehicle = charges(problem, scaled, fleet_charge=False)
    rates = sorted({c.rate for c in per_vehicle})
    evaluators = {}
    for rate in rates:
        matrix = [[round(rate * scaled.distance[a][b]) for b in loc] for a in loc]
        evaluators[rate] = routing.RegisterTransitMatrix(matrix)
    if len(rates) == 1:
        routing.SetArcCostEvaluatorOfAllVehicles(evaluators[rates[0]])
    for v, charge in enumerate(per_vehicle):
        if len(rates) > 1:
            routing.SetArcCostEvaluatorOfVehicle(evaluators[charge.rate], v)
        fixed = charge.fixed + options.extra_fixed_cost
        if fixed:
            routing.SetFixedCostOfVehicle(fixed, v)


def _add_time(problem: Problem, scaled: Scaled, routing, manager, nodes: list[int], loc: list[int]) -> None:
    service = [scaled.service[n] for n in nodes]
    matrix = [[service[i] + scaled.travel[a][b] for b in loc] for i, a in enumerate(loc)]
    transit = routing.RegisterTransitMatrix(matrix)
    routing.AddDimension(transit, scaled.horizon, scaled.horizon, False, TIME)
    time = routing.GetDimensionOrDie(TIME)
    for k, node in enumerate(nodes):
        index = manager.NodeToIndex(k)
        if index >= 0:  # depots shared by vehicles have no single index; see starts/ends below
            time.CumulVar(index).SetRange(*scaled.window[node])
    for v, vehicle in enumerate(problem.vehicles):
        for index, depot in ((routing.Start(v), vehicle.start_depot), (routing.End(v), vehicle.end_depot)):
            opening = scaled.window[scaled.depot_node[depot]]
            # Validation guarantees the shift overlaps the depot's opening hours.
            time.CumulVar(index).SetRange(max(opening[0], scaled.shift[v][0]), min(opening[1], scaled.shift[v][1]))
        if scaled.max_duration[v] is not None:
            time.SetSpanUpperBoundForVehicle(scaled.max_duration[v], v)


def _add_loads(problem: Problem, routing, stops: list[int]) -> None:
    sign = {p.pickup: 1 for p in problem.pairs} | {p.delivery: -1 for p in problem.pairs}
    source = {p.delivery: p.pickup for p in problem.pairs}
    standalone = [i for i in range(len(problem.stops)) if i not in sign]
    # With pairs and depot deliveries mixed, track what is on board: the start load is free
    # (everything to deliver) and each delivery unloads. Otherwise cumulative demand is exact.
    onboard = bool(problem.pairs) and any(any(problem.stops[i].demand) for i in standalone)
    for d, name in enumerate(problem.dimensions):
        values = []
        for stop in stops:
            if stop < 0:
                values.append(0)
                continue
            demand = problem.stops[source.get(stop, stop)].demand
            amount = demand[d] if demand else 0
            values.append(sign.get(stop, -1 if onboard else 1) * amount)
        transit = routing.RegisterUnaryTransitVector(values)
        capacities = [v.capacity[d] for v in problem.vehicles]
        routing.AddDimensionWithVehicleCapacity(transit, 0, capacities, not onboard, f"load:{name}")


def _add_visits(problem: Problem, routing, stop_index: dict[int, int], check: Precheck, penalty: int) -> None:
    solver = routing.solver()
    time = routing.GetDimensionOrDie(TIME)
    paired = set()
    for pair in problem.pairs:
        if pair.pickup not in stop_index or pair.delivery not in stop_index:
            continue
        p, d = stop_index[pair.pickup], stop_index[pair.delivery]
        paired |= {pair.pickup, pair.delivery}
        routing.AddPickupAndDelivery(p, d)
        solver.Add(routing.ActiveVar(p) == routing.ActiveVar(d))
        solver.Add(routing.VehicleVar(p) == routing.VehicleVar(d))
        solver.Add(time.CumulVar(p) <= time.CumulVar(d))
    for group in problem.together:
        # One vehicle serves the whole group, or none of it (the precheck excluded whole groups).
        members = [stop_index[stop] for stop in group if stop in stop_index]
        for a, b in zip(members, members[1:], strict=False):
            solver.Add(routing.ActiveVar(a) == routing.ActiveVar(b))
            solver.Add(routing.VehicleVar(a) == routing.VehicleVar(b))
    for stop, index in stop_index.items():
        spec = problem.stops[stop]
        cost = round(spec.drop_penalty * problem.distance_scale) if spec.optional else penalty
        if stop in paired and spec.optional:
            cost = max(1, cost)  # a zero penalty pair would be dropped for free
        routing.AddDisjunction([index], cost)
        if stop in check.allowed:
            # -1 keeps "unperformed" possible, so the drop option still applies.
            routing.VehicleVar(index).SetValues([-1, *check.allowed[stop]])


def _add_breaks(problem: Problem, scaled: Scaled, built: BuiltModel) -> None:
    if not any(scaled.breaks):
        return
    routing, manager = built.routing, built.manager
    solver = routing.solver()
    visit = [0] * routing.Size()
    for index in range(routing.Size()):
        stop = built.stops[manager.IndexToNode(index)]
        visit[index] = scaled.service[scaled.stop_node[stop]] if stop >= 0 else 0
    for v, specs in enumerate(scaled.breaks):
        if not specs:
            continue
        intervals = [
            solver.FixedDurationIntervalVar(early, late, duration, False, f"break:{v}:{b}")
            for b, (early, late, duration) in enumerate(specs)
        ]
        built.time.SetBreakIntervalsOfVehicle(intervals, v, visit)
        built.breaks[v] = intervals
