"""Constructive heuristics for multi-dimensional load building on a mixed fleet.

``construct`` places the items one by one, biggest first, into the open load where they fit
best (a splittable line fills loads unit by unit and opens new ones for the rest); a new load
gets the vehicle type chosen by a rule. Two clean-ups follow: every load moves to the cheapest
vehicle type that still carries it, and the emptiest loads are dissolved into the others when
everything they carry fits elsewhere. ``best_construction`` tries several orders and rules
(with seeded noise) and keeps the cheapest plan.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass

from server.engines.loadbuilding.prepare import Prepared
from server.engines.loadbuilding.rules import LoadState, Rules


@dataclass
class Construction:
    """Loads and the units left over because the fleet ran out (item index -> units)."""

    loads: list[LoadState]
    short: dict[int, int]

    def cost(self, prepared: Prepared) -> float:
        return sum(prepared.costs[load.vehicle] for load in self.loads)

    def key(self, prepared: Prepared) -> tuple[int, float]:
        """Fewer units left over first, then cheaper."""
        return (sum(self.short.values()), self.cost(prepared))


def _scale(prepared: Prepared) -> list[float]:
    """Per dimension, the largest capacity (to compare sizes across dimensions)."""
    out = []
    for d in range(3):
        caps = [cap[d] for cap in prepared.caps if cap[d]]
        out.append(float(max(caps)) if caps else 0.0)
    return out


class _Builder:
    def __init__(self, prepared: Prepared, items: Sequence[int], rule: str):
        self.p, self.items, self.rule = prepared, list(items), rule
        self.rules = Rules(prepared)
        self.left = [c for c in prepared.counts]
        self.big = _scale(prepared)

    def fullness(self, load: LoadState) -> float:
        cap = self.p.caps[load.vehicle]
        return max((u / c for u, c in zip(load.used, cap, strict=True) if c), default=0.0)

    def choose_vehicle(self, index: int, units: int) -> int | None:
        """The vehicle type for a new load that starts with ``units`` of item ``index``."""
        item = self.p.items[index]
        options = [t for t in item.types if self.left[t] is None or self.left[t] > 0]
        if not options:
            return None
        probe = LoadState(options[0], item.pickup)

        def carried(t: int) -> int:
            return self.rules.room_for(probe, item, t)

        if self.rule == "cheapest":  # cheapest type carrying all the units, else most units per cost
            whole = [t for t in options if carried(t) >= units]
            if whole:
                return min(whole, key=lambda t: (self.p.costs[t], t))
        # capacity per cost, measured in the item's own busiest dimension
        return max(options, key=lambda t: (self._value(t) / max(self.p.costs[t], 1e-9), -t))

    def _value(self, t: int) -> float:
        cap = self.p.caps[t]
        return min((c / b for c, b in zip(cap, self.big, strict=True) if c is not None and b), default=1.0)

    def open(self, index: int, units: int, loads: list[LoadState]) -> LoadState | None:
        t = self.choose_vehicle(index, units)
        if t is None:
            return None
        if self.left[t] is not None:
            self.left[t] -= 1
        load = LoadState(t, self.p.items[index].pickup)
        loads.append(load)
        return load

    def place(self, index: int, loads: list[LoadState], short: dict[int, int]) -> None:
        item = self.p.items[index]
        units = item.quantity
        candidates = [ld for ld in loads if self.rules.compatible(ld, item)]
        candidates.sort(key=lambda ld: -self.fullness(ld))  # fullest first: best fit
        for load in candidates:
            k = min(units, self.rules.room_for(load, item))
            if k:
                self.rules.add(load, index, item, k)
                units -= k
                if not units:
                    return
        while units:
            load = self.open(index, units, loads)
            if load is None:
                short[index] = units
                return
            k = min(units, self.rules.room_for(load, item))
            self.rules.add(load, index, item, k)
            units -= k

    def downsize(self, loads: list[LoadState]) -> None:
        for load in loads:
            for t in sorted(range(len(self.p.caps)), key=lambda t: self.p.costs[t]):
                if self.p.costs[t] >= self.p.costs[load.vehicle]:
                    break
                if (self.left[t] is None or self.left[t] > 0) and self.rules.fits_vehicle(load, t):
                    if self.left[t] is not None:
                        self.left[t] -= 1
                    if self.left[load.vehicle] is not None:
                        self.left[load.vehicle] += 1
                    load.vehicle = t
                    break

    def dissolve(self, loads: list[LoadState], deadline: float) -> list[LoadState]:
        """Empty the loads that can be emptied into the others, least full first."""
        for victim in sorted(loads, key=self.fullness):
            if time.monotonic() > deadline:
                break
            others = [ld for ld in loads if ld is not victim]
            moves: list[tuple[LoadState, int, int]] = []
            ok = True
            for index, units in list(victim.contents.items()):
                item = self.p.items[index]
                for load in sorted(others, key=lambda ld: -self.fullness(ld)):
                    if units and self.rules.compatible(load, item):
                        k = min(units, self.rules.room_for(load, item))
                        if k:
                            self.rules.add(load, index, item, k)
                            moves.append((load, index, k))
                            units -= k
                if units:
                    ok = False
                    break
            if ok:
                loads = others
                if self.left[victim.vehicle] is not None:
                    self.left[victim.vehicle] += 1
            else:
                for load, index, k in moves:
                    self.rules.remove(load, index, self.p.items[index], k)
        return loads


def construct(prepared: Prepared, items: Sequence[int], order: Sequence[int], rule: str,
              deadline: float) -> Construction:
    """One greedy plan for ``items`` (indices into ``prepared.items``) placed in ``order``."""
    builder = _Builder(prepared, items, rule)
    loads: list[LoadState] = []
    short: dict[int, int] = {}
    for index in order:
        builder.place(index, loads, short)
    builder.downsize(loads)
    loads = builder.dissolve(loads, deadline)
    builder.downsize(loads)
    return Construction(loads, short)


def best_construction(prepared: Prepared, items: Sequence[int], rng: random.Random, deadline: float,
                      rounds: int = 12) -> Construction:
    """The cheapest of several greedy plans (orders by size and dimension, two vehicle rules)."""
    big = _scale(prepared)

    def size(index: int, d: int | None) -> float:
        piece = prepared.items[index].piece
        rel = [p / b for p, b in zip(piece, big, strict=True) if b]
        return (max(rel) if d is None else rel[d] if d < len(rel) else 0.0) if rel else 0.0

    orders = [sorted(items, key=lambda i, d=d: -size(i, d)) for d in (None, 0, 1, 2)]
    best: Construction | None = None
    for attempt in range(rounds):
        if best is not None and time.monotonic() > deadline:
            break
        if attempt < 2 * len(orders):
            order = orders[attempt % len(orders)]
        else:  # noisy sizes: a different but still roughly decreasing order
            noise = {i: size(i, None) * rng.uniform(0.8, 1.2) for i in items}
            order = sorted(items, key=lambda i: -noise[i])
        rule = "cheapest" if (attempt // len(orders)) % 2 == 0 else "ratio"
        plan = construct(prepared, items, order, rule, deadline)
        if best is None or plan.key(prepared) < best.key(prepared):
            best = plan
    assert best is not None
    return best
