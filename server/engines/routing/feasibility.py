"""Checks a plan against the problem itself, whichever engine produced it.

Works on the scaled integers both engines solve (``scaling``): every stop at most once and
only by a vehicle (one it is pinned to, if any), load within capacity in every dimension at every point, each pickup
before its delivery on the same route, service inside each window (waiting allowed), the
shift and the depots' opening hours, and the shift length with the departure delayed as
far as it shortens the route (Savelsbergh's forward time slack). Driver breaks are not
checked here: only OR-Tools models them, and plans with breaks are never compared.
"""

from __future__ import annotations

from collections.abc import Sequence

from server.engines.routing.model import Problem
from server.engines.routing.scaling import Scaled


def plan_errors(problem: Problem, scaled: Scaled, routes: Sequence[Sequence[int]]) -> list[str]:
    """Everything wrong with ``routes`` (stop indices per vehicle); empty when the plan is feasible."""
    errors: list[str] = []
    if len(routes) != len(problem.vehicles):
        return [f"{len(routes)} routes for {len(problem.vehicles)} vehicles"]
    seen: set[int] = set()
    for v, route in enumerate(routes):
        for stop in route:
            if not 0 <= stop < len(problem.stops) or stop in seen:
                errors.append(f"vehicle {v}: stop {stop} unknown or visited twice")
            elif problem.stops[stop].vehicles and problem.vehicles[v].id not in problem.stops[stop].vehicles:
                errors.append(f"vehicle {problem.vehicles[v].id}: stop {stop} is pinned to other vehicles")
            seen.add(stop)
        if route and not errors:
            errors += [f"vehicle {problem.vehicles[v].id}: {e}" for e in route_errors(problem, scaled, v, route)]
    on = {stop: v for v, route in enumerate(routes) for stop in route}
    for g, group in enumerate(problem.together):
        if len({on.get(stop) for stop in group}) > 1:
            errors.append(f"group {g} is split or only partly served")
    return errors


def route_errors(problem: Problem, scaled: Scaled, v: int, route: Sequence[int]) -> list[str]:
    """What is wrong with one vehicle's route."""
    return _load_errors(problem, v, route) + _time_errors(problem, scaled, v, route)


def _load_errors(problem: Problem, v: int, route: Sequence[int]) -> list[str]:
    dims = len(problem.dimensions)
    pickup_of = {p.delivery: p.pickup for p in problem.pairs}
    pickups = {p.pickup for p in problem.pairs}
    position = {stop: k for k, stop in enumerate(route)}
    errors = []
    for delivery, pickup in pickup_of.items():
        if (delivery in position) != (pickup in position):
            errors.append(f"stop {pickup} and its partner {delivery} are not on the same route")
        elif delivery in position and position[delivery] < position[pickup]:
            errors.append(f"delivery {delivery} before its pickup {pickup}")

    def demand(stop: int) -> tuple[int, ...]:
        return problem.stops[stop].demand or (0,) * dims

    load = [0] * dims
    for stop in route:
        if stop not in pickups and stop not in pickup_of:
            load = [a + b for a, b in zip(load, demand(stop), strict=True)]
    capacity = problem.vehicles[v].capacity
    for k, stop in enumerate([None, *route]):
        if stop in pickups:
            load = [a + b for a, b in zip(load, demand(stop), strict=True)]
        elif stop in pickup_of:
            load = [a - b for a, b in zip(load, demand(pickup_of[stop]), strict=True)]
        elif stop is not None:
            load = [a - b for a, b in zip(load, demand(stop), strict=True)]
        if any(x > c for x, c in zip(load, capacity, strict=True)):
            errors.append(f"load {tuple(load)} over capacity {capacity} after position {k}")
            break
    return errors


def _time_errors(problem: Problem, scaled: Scaled, v: int, route: Sequence[int]) -> list[str]:
    vehicle = problem.vehicles[v]
    start, end = scaled.depot_node[vehicle.start_depot], scaled.depot_node[vehicle.end_depot]
    loc = scaled.node_location
    shift = scaled.shift[v]
    depart = max(scaled.window[start][0], shift[0])
    latest_depart = min(scaled.window[start][1], shift[1])
    time, previous = depart, start
    waiting, slack = 0, latest_depart - depart  # forward time slack from the depot
    errors = []
    for stop in route:
        node = scaled.stop_node[stop]
        arrival = time + scaled.service[previous] + scaled.travel[loc[previous]][loc[node]]
        begin = max(arrival, scaled.window[node][0])
        if begin > scaled.window[node][1]:
            errors.append(f"stop {problem.stops[stop].id} starts at {begin}, after its window closes")
        waiting += begin - arrival
        slack = min(slack, waiting + scaled.window[node][1] - begin)
        time, previous = begin, node
    finish = time + scaled.service[previous] + scaled.travel[loc[previous]][loc[end]]
    if finish > min(scaled.window[end][1], shift[1]):
        errors.append(f"returns at {finish}, after the end depot or the shift closes")
    limit = scaled.max_duration[v]
    if limit is not None:
        # Leaving later removes waiting until some window would be missed.
        slack = min(slack, waiting + min(scaled.window[end][1], shift[1]) - finish)
        if finish - (depart + max(0, min(slack, waiting))) > limit:
            errors.append(f"route lasts longer than the shift length {limit}")
    return errors


def repair(problem: Problem, scaled: Scaled, routes: Sequence[Sequence[int]]) -> list[list[int]]:
    """A feasible plan from an infeasible one, by leaving out stops from the end of each bad route.

    A safety net for the rare plan that breaks a constraint (PyVRP's best when it found no
    feasible plan): what is left out is reported as not placed. A pair leaves together.
    """
    partner = {p.pickup: p.delivery for p in problem.pairs} | {p.delivery: p.pickup for p in problem.pairs}
    out = []
    for v, route in enumerate(routes):
        kept = list(route)
        while kept and route_errors(problem, scaled, v, kept):
            last = kept.pop()
            if last in partner and partner[last] in kept:
                kept.remove(partner[last])
        out.append(kept)
    return out
