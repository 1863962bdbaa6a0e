"""Splitting the work: independent groups, the one-dimensional special case, and group bounds.

Loads never mix pickup sites, so with an unlimited fleet each pickup site is solved on its own.
A group is *effectively one-dimensional* when one vehicle type (without a binding count)
serves it, at most one capacity dimension can bind (the others hold the whole group's demand),
and no hazmat or stop rule can separate two of its lines: it is then plain bin packing.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from server.engines.loadbuilding.bounds import CoverDemand, fleet_bound
from server.engines.loadbuilding.prepare import Prepared
from server.engines.loadbuilding.rules import great_circle_km

MAX_PIECES_1D = 20_000  # bin packing works on single pieces; beyond this the general path is used


def independent_groups(prepared: Prepared) -> list[list[int]]:
    """Item indices per group that can be solved alone (per pickup site unless counts couple them)."""
    items = range(len(prepared.items))
    if not prepared.items:
        return []
    if any(prepared.counts[t] is not None for i in items for t in prepared.items[i].types):
        return [list(items)]
    by_site: dict[str, list[int]] = {}
    for i in items:
        by_site.setdefault(prepared.items[i].pickup, []).append(i)
    return [by_site[s] for s in sorted(by_site)]


@dataclass(frozen=True)
class OneDimensional:
    """A group as bin packing: vehicle type, dimension, piece sizes and their (item, units)."""

    vehicle: int
    dimension: int
    capacity: int
    sizes: tuple[int, ...]
    pieces: tuple[tuple[int, int], ...]


def _rules_never_bind(prepared: Prepared, items: Sequence[int]) -> bool:
    prob = prepared.problem
    its = [prepared.items[i] for i in items]
    if len({it.pickup for it in its}) > 1:
        return False
    classes = {it.hazmat for it in its if it.hazmat is not None}
    if any(not prepared.segregation.compatible(a, b) for a, b in itertools.combinations(classes, 2)):
        return False
    points = {it.site: it.point for it in its}
    if prob.max_stops is not None and len(points) > prob.max_stops:
        return False
    if prob.max_stop_distance_km is not None:
        if len(points) > 300:
            return False  # too many pairs to check; let the general path handle it
        pts = [p for p in points.values() if p is not None]
        if any(great_circle_km(a, b) > prob.max_stop_distance_km for a, b in itertools.combinations(pts, 2)):
            return False
    return True


def one_dimensional(prepared: Prepared, items: Sequence[int]) -> OneDimensional | None:
    """The bin-packing view of the group, or None when it is not effectively one-dimensional."""
    its = [prepared.items[i] for i in items]
    types = {t for it in its for t in it.types}
    if len(types) != 1 or not its:
        return None
    (t,) = types
    n_pieces = sum(it.quantity if it.splittable else 1 for it in its)
    count = prepared.counts[t]
    if n_pieces > MAX_PIECES_1D or (count is not None and count < n_pieces):
        return None
    if not _rules_never_bind(prepared, items):
        return None
    cap = prepared.caps[t]
    total = [sum(it.total[d] for it in its) for d in range(3)]
    binding = [d for d in range(3) if cap[d] is not None and total[d] > cap[d]]
    if len(binding) > 1:
        return None
    limited = [d for d in range(3) if cap[d]]
    d = binding[0] if binding else max(limited, key=lambda k: total[k] / cap[k]) if limited else 0
    sizes, pieces = [], []
    for i, it in zip(items, its, strict=True):
        if it.splittable:
            sizes += [it.unit[d]] * it.quantity
            pieces += [(i, 1)] * it.quantity
        else:
            sizes.append(it.total[d])
            pieces.append((i, it.quantity))
    capacity = cap[d] if cap[d] is not None else max(sum(sizes), 1)
    return OneDimensional(t, d, capacity, tuple(sizes), tuple(pieces))


def min_trucks(prepared: Prepared, items: Sequence[int]) -> dict[str, int]:
    """Per pickup site, trucks needed because some pieces or rules cannot share one truck."""
    prob = prepared.problem
    largest = [max((cap[d] for cap in prepared.caps if cap[d] is not None), default=None) for d in range(3)]
    out: dict[str, int] = {}
    by_site: dict[str, list[int]] = {}
    for i in items:
        by_site.setdefault(prepared.items[i].pickup, []).append(i)
    for site, members in by_site.items():
        its = [prepared.items[i] for i in members]
        need = 1
        for d in range(3):
            if largest[d] is None:
                continue
            # two pieces each over half the largest capacity never share a truck
            need = max(need, sum((it.quantity if it.splittable else 1) for it in its
                                 if 2 * it.piece[d] > largest[d]))
        classes = {it.hazmat for it in its if it.hazmat is not None}
        if any(not prepared.segregation.compatible(a, b) for a, b in itertools.combinations(classes, 2)):
            need = max(need, 2)
        if prob.max_stops is not None:
            need = max(need, math.ceil(len({it.site for it in its}) / prob.max_stops))
        out[site] = need
    return out


def group_bounds(prepared: Prepared, placed: dict[int, int], seconds: float) -> tuple[float, int, bool]:
    """(cost bound, truck bound, both proven) for carrying ``placed`` (item -> units)."""
    items = [i for i, units in placed.items() if units > 0]
    if not items:
        return 0.0, 0, True
    demands: dict[tuple[str, frozenset[int]], list[int]] = {}
    for i in items:
        it = prepared.items[i]
        for types in {frozenset(it.types), frozenset(range(len(prepared.caps)))}:
            acc = demands.setdefault((it.pickup, types), [0, 0, 0])
            for d in range(3):
                acc[d] += it.unit[d] * placed[i]
    cover = [CoverDemand(site, types, tuple(v)) for (site, types), v in demands.items()]
    floor = min_trucks(prepared, items)
    scale = 100  # cents, rounded down so the bound stays valid
    costs = [math.floor(c * scale + 1e-9) for c in prepared.costs]
    cost, proven_cost = fleet_bound(cover, prepared.caps, costs, prepared.counts, floor, seconds / 2)
    trucks, proven_trucks = fleet_bound(cover, prepared.caps, [1] * len(costs), prepared.counts, floor, seconds / 2)
    return cost / scale, trucks, proven_cost and proven_trucks
