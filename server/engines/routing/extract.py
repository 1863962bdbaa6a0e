"""Turns the chosen routes into a ``RoutingResult`` with a planned schedule and loads.

Service start times come from an earliest-start pass; with driver breaks they come from
OR-Tools instead (the routes are restored into a fresh model, so the breaks are placed), and
the earliest-start pass is the fallback if that fails. Each vehicle leaves its depot just in time for its first stop. Distances, costs and
loads are recomputed from the problem's own numbers.
"""

from __future__ import annotations

from server.engines.routing.model import Problem
from server.engines.routing.ortools_model import BuildOptions, build_model
from server.engines.routing.prechecks import Precheck
from server.engines.routing.result import (
    DroppedStop,
    DropReason,
    PlannedBreak,
    PlannedStop,
    Route,
    drop_codes,
)
from server.engines.routing.scaling import Scaled
from server.engines.routing.search import Routes, to_indices


def schedules(problem: Problem, scaled: Scaled, check: Precheck, routes: Routes) -> list[tuple]:
    """Per vehicle: (departure, service starts, return time, breaks) in scaled time units."""
    if not any(scaled.breaks):
        # Without breaks the earliest-start pass is exact and needs no second model (seconds at 1,000 stops).
        return [_earliest(problem, scaled, v, route) for v, route in enumerate(routes)]
    built = build_model(problem, scaled, check, BuildOptions())
    routing = built.routing
    assignment = routing.ReadAssignmentFromRoutes(to_indices(built, routes), True)
    solution = routing.RestoreAssignment(assignment) if assignment is not None else None
    out = []
    for v, route in enumerate(routes):
        if solution is None:
            out.append(_earliest(problem, scaled, v, route))
            continue
        time = built.time
        starts = [solution.Min(time.CumulVar(built.stop_index[s])) for s in route]
        end = solution.Min(time.CumulVar(routing.End(v)))
        depart = solution.Min(time.CumulVar(routing.Start(v)))
        breaks = [(solution.StartMin(b), solution.DurationMin(b)) for b in built.breaks.get(v, [])
                  if solution.PerformedMin(b)]
        out.append((depart, starts, end, breaks))
    return out


def _earliest(problem: Problem, scaled: Scaled, v: int, route: list[int]) -> tuple:
    """Earliest-start schedule of one route (fallback when OR-Tools cannot restore it)."""
    vehicle = problem.vehicles[v]
    node = scaled.depot_node[vehicle.start_depot]
    depart = t = max(scaled.window[node][0], scaled.shift[v][0])
    starts = []
    for stop in route:
        nxt = scaled.stop_node[stop]
        arrival = t + scaled.service[node] + scaled.travel[scaled.node_location[node]][scaled.node_location[nxt]]
        t = max(arrival, scaled.window[nxt][0])
        starts.append(t)
        node = nxt
    end_node = scaled.depot_node[vehicle.end_depot]
    end = t + scaled.service[node] + scaled.travel[scaled.node_location[node]][scaled.node_location[end_node]]
    return depart, starts, end, []


def build_route(problem: Problem, scaled: Scaled, v: int, route: list[int], schedule: tuple) -> Route:
    """One ``Route`` with arrival/start/departure and the load on board after each stop."""
    vehicle = problem.vehicles[v]
    ts = problem.time_scale
    depart, starts, end, breaks = schedule
    start_loc = problem.depot(vehicle.start_depot).location
    end_loc = problem.depot(vehicle.end_depot).location
    locations = [start_loc] + [problem.stops[s].location for s in route] + [end_loc]
    distance = sum(problem.matrix.distances[a][b] for a, b in zip(locations, locations[1:], strict=False))
    break_times = [(s / ts, d / ts) for s, d in breaks]
    if route and not any(s < starts[0] for s, _ in breaks):
        # Leave just in time for the first stop rather than waiting there.
        first = scaled.stop_node[route[0]]
        depart = max(depart, starts[0] - scaled.travel[start_loc][scaled.node_location[first]])
    loads = _loads(problem, route)
    planned = []
    previous_departure = depart / ts
    previous_loc = start_loc
    for k, stop in enumerate(route):
        spec = problem.stops[stop]
        begin = starts[k] / ts
        travel = problem.matrix.durations[previous_loc][spec.location]
        pause = sum(d for s, d in break_times if previous_departure <= s < begin)
        arrival = min(begin, previous_departure + travel + pause)
        departure = begin + spec.service_time
        planned.append(PlannedStop(stop, spec.id, arrival, begin, departure, loads[k + 1]))
        previous_departure, previous_loc = departure, spec.location
    cost = vehicle.fixed_cost + vehicle.cost_per_km * distance
    return Route(
        vehicle_id=vehicle.id,
        stops=tuple(planned),
        start_time=depart / ts,
        end_time=end / ts,
        distance=distance,
        duration=(end - depart) / ts,
        cost=cost,
        start_load=loads[0],
        breaks=tuple(PlannedBreak(s, d) for s, d in break_times),
    )


def _loads(problem: Problem, route: list[int]) -> list[tuple[int, ...]]:
    """On-board load at departure from the depot and after each stop, per dimension."""
    dims = len(problem.dimensions)
    pickups = {p.pickup: p.pickup for p in problem.pairs}
    deliveries = {p.delivery: p.pickup for p in problem.pairs}

    def demand(stop: int) -> tuple[int, ...]:
        return problem.stops[stop].demand or (0,) * dims

    load = [0] * dims
    for stop in route:
        if stop not in pickups and stop not in deliveries:
            load = [a + b for a, b in zip(load, demand(stop), strict=True)]
    out = [tuple(load)]
    for stop in route:
        if stop in pickups:
            load = [a + b for a, b in zip(load, demand(stop), strict=True)]
        elif stop in deliveries:
            load = [a - b for a, b in zip(load, demand(deliveries[stop]), strict=True)]
        else:
            load = [a - b for a, b in zip(load, demand(stop), strict=True)]
        out.append(tuple(load))
    return out


def dropped_stops(problem: Problem, check: Precheck, routes: Routes | None) -> list[DroppedStop]:
    """Every stop not on a route, with the reason it is not."""
    served = {stop for route in routes or [] for stop in route}
    out = []
    for i, stop in enumerate(problem.stops):
        if i in served:
            continue
        if i in check.excluded:
            reason = check.excluded[i]
        elif stop.optional:
            reason = DropReason.PENALTY_CHEAPER.value
        else:
            reason = DropReason.NO_ROUTE_FOUND.value
        out.append(DroppedStop(i, stop.id, reason, *drop_codes(reason)))
    return out
