"""Stops that no vehicle can serve, found before solving, each with the reason.

A stop is left out of the model when its demand exceeds every vehicle, when no vehicle can
reach it within its window from its start depot and still get back to its end depot in time
(or within its shift length), or when its pickup/delivery partner is unservable. A stop
pinned to vehicles (``Stop.vehicles``) is only checked against those. It also says which
vehicles may serve each remaining stop, so the model can forbid the others. A group of stops
(``Problem.together``) is left out whole when any member is, or when no vehicle suits them all.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.engines.routing.model import Problem
from server.engines.routing.result import DropReason
from server.engines.routing.scaling import Scaled


@dataclass(frozen=True)
class Precheck:
    """Reasons for stops excluded up front, and the vehicles allowed for each kept stop."""

    excluded: dict[int, str]
    allowed: dict[int, tuple[int, ...]]  # stop index -> vehicle indices (only when restricted)


def _fits(problem: Problem, stop: int, vehicle: int) -> bool:
    demand = problem.stops[stop].demand
    return all(d <= c for d, c in zip(demand, problem.vehicles[vehicle].capacity, strict=False))


def _leg_ok(problem: Problem, scaled: Scaled, vehicle: int, nodes: list[int]) -> bool:
    """Can ``vehicle`` serve ``nodes`` in this order, starting from its depot, on time?"""
    v = problem.vehicles[vehicle]
    start_node, end_node = scaled.depot_node[v.start_depot], scaled.depot_node[v.end_depot]
    loc = scaled.node_location
    time = max(scaled.window[start_node][0], scaled.shift[vehicle][0])
    first_departure = None
    previous = start_node
    for node in nodes:
        arrival = time + scaled.service[previous] + scaled.travel[loc[previous]][loc[node]]
        begin = max(arrival, scaled.window[node][0])
        if begin > scaled.window[node][1]:
            return False
        if first_departure is None:
            # Leaving the depot as late as possible removes any wait at the first stop.
            first_departure = begin - scaled.travel[loc[start_node]][loc[node]]
        time, previous = begin, node
    finish = time + scaled.service[previous] + scaled.travel[loc[previous]][loc[end_node]]
    if finish > min(scaled.window[end_node][1], scaled.shift[vehicle][1]):
        return False
    limit = scaled.max_duration[vehicle]
    return limit is None or finish - (first_departure or 0) <= limit


def _permitted(problem: Problem, stop: int) -> list[int]:
    """The vehicle indices that may serve ``stop``: all, or the ones it is pinned to."""
    pinned = set(problem.stops[stop].vehicles)
    return [v for v, vehicle in enumerate(problem.vehicles) if not pinned or vehicle.id in pinned]


def precheck(problem: Problem, scaled: Scaled) -> Precheck:
    """Find unservable stops and per-stop vehicle restrictions."""
    excluded: dict[int, str] = {}
    allowed: dict[int, tuple[int, ...]] = {}
    partner = {p.pickup: p.delivery for p in problem.pairs} | {p.delivery: p.pickup for p in problem.pairs}
    pickups = {p.pickup for p in problem.pairs}
    for i in range(len(problem.stops)):
        load_index = i if i not in partner or i in pickups else partner[i]
        vehicles = _permitted(problem, i)
        pinned = len(vehicles) < len(problem.vehicles)
        carriers = [v for v in vehicles if _fits(problem, load_index, v)]
        if not carriers:
            reason = DropReason.PINNED_VEHICLE_UNABLE if pinned else DropReason.DEMAND_EXCEEDS_EVERY_VEHICLE
            excluded[i] = reason.value
            continue
        node = scaled.stop_node[i]
        reachers = [v for v in carriers if _leg_ok(problem, scaled, v, [node])]
        if not reachers:
            any_reach = any(_leg_ok(problem, scaled, v, [node]) for v in vehicles)
            excluded[i] = (
                DropReason.PINNED_VEHICLE_UNABLE.value if pinned
                else DropReason.TIME_WINDOW_UNREACHABLE.value if not any_reach
                else DropReason.NO_CARRIER_REACHES.value
            )
            continue
        if len(reachers) < len(problem.vehicles):
            allowed[i] = tuple(reachers)
    for pair in problem.pairs:
        p, d = pair.pickup, pair.delivery
        if p in excluded or d in excluded:
            for own, other in ((p, d), (d, p)):
                excluded.setdefault(own, f"{DropReason.PARTNER_DROPPED.value} ({excluded[other]})"
                                    if other in excluded else DropReason.PARTNER_DROPPED.value)
            continue
        everyone = range(len(problem.vehicles))
        common = [v for v in allowed.get(p, everyone) if v in allowed.get(d, everyone)]
        nodes = [scaled.stop_node[p], scaled.stop_node[d]]
        able = [v for v in common if _leg_ok(problem, scaled, v, nodes)]
        if not able:
            pinned = bool(problem.stops[p].vehicles or problem.stops[d].vehicles)
            reason = DropReason.PINNED_VEHICLE_UNABLE if pinned else DropReason.PAIR_UNSERVABLE
            excluded[p] = excluded[d] = reason.value
            allowed.pop(p, None)
            allowed.pop(d, None)
        elif len(able) < len(problem.vehicles):
            allowed[p] = allowed[d] = tuple(able)
    for group in problem.together:
        _group_check(problem, group, excluded, allowed)
    return Precheck(excluded=excluded, allowed=allowed)


def _group_check(problem: Problem, group: tuple[int, ...], excluded: dict[int, str],
                 allowed: dict[int, tuple[int, ...]]) -> None:
    """A group goes whole or not at all, on a vehicle every member allows."""
    out = [i for i in group if i in excluded]
    common = set(range(len(problem.vehicles)))
    for i in group:
        common &= set(allowed.get(i, common))
    if out or not common:
        reason = excluded[out[0]] if out else DropReason.GROUP_UNSERVABLE.value
        for i in group:
            excluded.setdefault(i, reason)
            allowed.pop(i, None)
    elif len(common) < len(problem.vehicles):
        for i in group:
            allowed[i] = tuple(sorted(common))
