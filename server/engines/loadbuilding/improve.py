"""CP-SAT improvement of a plan: an assignment model over truck slots.

Each vehicle type gets as many slots as a plan cheaper than the start could use (at most its
fleet count), so CP-SAT's best bound is a true lower bound on the cost; if that model would be
too big, or for LNS steps, each type gets the start's count plus two spares instead (no bound).
Variables say how many units of each line ride in each slot; constraints keep every slot
within its capacity in all three dimensions, at one pickup site, free of incompatible hazmat
classes, within the stop count and the stop spread. A redundant cover constraint (the slots
used hold everything carried) tightens the LP. The objective is the cost of the slots used,
plus, when the fleet is limited, a penalty per unit left behind that outweighs any truck cost.
The start plan is the hint. ``limits.should_stop`` is polled while CP-SAT runs.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from server.engines.common import Limits, new_cp_solver
from server.engines.loadbuilding.greedy import Construction
from server.engines.loadbuilding.prepare import Prepared, units_fitting
from server.engines.loadbuilding.rules import LoadState, Rules, great_circle_km

MAX_PAIRS = 60_000  # item-slot pairs; beyond this the model is too big to help within seconds
COST_SCALE = 100  # costs to integer cents


@dataclass
class Improvement:
    """The best plan found, CP-SAT's bound on its cost (None if not a valid bound), optimality."""

    plan: Construction
    bound: float | None
    optimal: bool


class _Model:
    def __init__(self, prepared: Prepared, items: Sequence[int], start: Construction,
                 quantities: Mapping[int, int] | None, reserved: Mapping[int, int] | None, max_pairs: int,
                 exact_slots: bool):
        self.max_pairs, self.exact_slots = max_pairs, exact_slots
        self.p, self.items = prepared, list(items)
        self.qty = {i: prepared.items[i].quantity for i in items} if quantities is None else dict(quantities)
        self.types = sorted({t for i in items for t in prepared.items[i].types})
        reserved = reserved or {}
        self.avail = {t: None if prepared.counts[t] is None else prepared.counts[t] - reserved.get(t, 0)
                      for t in self.types}
        self.limited = any(self.avail[t] is not None for t in self.types)
        self.slots, self.exact = self._slots(start)
        self.m = cp_model.CpModel()

    def _slots(self, start: Construction) -> tuple[list[int], bool]:
        """Slot types, and whether there are enough slots for any plan cheaper than ``start``.

        A cheaper plan has fewer than ``cost(start) / cost(t)`` trucks of type ``t``, and never
        more trucks than pieces that could ride on ``t``. If that many slots make the model too
        big, each type gets its greedy count plus a few spares and the bound is not exact.
        """
        total = start.cost(self.p)
        exact = []
        for t in self.types:
            pieces = sum(self.qty[i] if self.p.items[i].splittable else 1
                         for i in self.items if t in self.p.items[i].types)
            n = pieces if self.p.costs[t] <= 0 else min(pieces, int(total // self.p.costs[t]) + 1)
            count = self.avail[t]
            exact.append(n if count is None else min(n, count))
        used = [sum(1 for ld in start.loads if ld.vehicle == t) for t in self.types]
        spare = [min(e, u + 2) for e, u in zip(exact, used, strict=True)]
        for sizes, is_exact in ((exact, True), (spare, False))[0 if self.exact_slots else 1:]:
            slots = [t for t, n in zip(self.types, sizes, strict=True) for _ in range(n)]
            pairs = sum(1 for i in self.items for t in slots if t in self.p.items[i].types)
            if pairs <= self.max_pairs:
                return slots, is_exact
        return [], False

    def build(self, start: Construction) -> None:
        m, p = self.m, self.p
        self.use = [m.NewBoolVar("") for _ in self.slots]
        self.x: dict[tuple[int, int], cp_model.IntVar] = {}
        self.a: dict[tuple[int, int], cp_model.IntVar] = {}
        self.short: dict[int, cp_model.IntVar] = {}  # units left behind (fleet limits only)
        short_terms = []
        for i in self.items:
            item, quantity = p.items[i], self.qty[i]
            terms = []
            for k, t in enumerate(self.slots):
                fit = units_fitting(item.unit, p.caps[t])
                fit = quantity if fit is None else min(fit, quantity)
                if t not in item.types or fit == 0 or (not item.splittable and fit < quantity):
                    continue
                a = self.a[i, k] = m.NewBoolVar("")
                m.AddImplication(a, self.use[k])
                if item.splittable:
                    x = self.x[i, k] = m.NewIntVar(0, fit, "")
                    m.Add(x >= 1).OnlyEnforceIf(a)
                    m.Add(x == 0).OnlyEnforceIf(a.Not())
                    terms.append(x)
                else:
                    terms.append(quantity * a)
            if item.splittable:
                short = self.short[i] = m.NewIntVar(0, quantity if self.limited else 0, "")
            else:
                self.short[i] = m.NewBoolVar("") if self.limited else m.NewConstant(0)
                short = quantity * self.short[i]
            short_terms.append(short)
            m.Add(sum(terms) + short == quantity)
        self._capacity()
        self._rules()
        for k, k2 in itertools.pairwise(range(len(self.slots))):
            if self.slots[k] == self.slots[k2]:
                m.AddImplication(self.use[k2], self.use[k])  # symmetry: slots of a type fill in order
        cost = [round(p.costs[t] * COST_SCALE) for t in self.slots]
        penalty = sum(cost) + 1
        m.Minimize(sum(c * u for c, u in zip(cost, self.use, strict=True)) + penalty * sum(short_terms))
        self._hint(start)

    def _load(self, i: int, k: int):
        return self.x[i, k] if (i, k) in self.x else self.qty[i] * self.a[i, k]

    def _capacity(self) -> None:
        for k, t in enumerate(self.slots):
            on = [i for i in self.items if (i, k) in self.a]
            for d in range(3):
                cap = self.p.caps[t][d]
                terms = [self.p.items[i].unit[d] * self._load(i, k) for i in on if self.p.items[i].unit[d]]
                if cap is not None and terms:
                    self.m.Add(sum(terms) <= cap * self.use[k])  # tied to use: a stronger LP
        for d in range(3):
            # redundant cover: the slots used hold all that is carried (tightens the LP bound)
            if all(self.p.caps[t][d] is not None for t in self.slots):
                carried = sum(self.p.items[i].unit[d] * (self.qty[i] - self._short_units(i)) for i in self.items)
                self.m.Add(sum(self.p.caps[t][d] * u for t, u in zip(self.slots, self.use, strict=True)) >= carried)

    def _short_units(self, i: int):
        var = self.short[i]
        return var if self.p.items[i].splittable else self.qty[i] * var

    def _group(self, key: Callable[[int], object], k: int) -> dict[object, cp_model.IntVar]:
        """One Boolean per key value present on slot ``k``: true when any item with it rides there."""
        flags: dict[object, cp_model.IntVar] = {}
        for i in self.items:
            if (i, k) in self.a:
                value = key(i)
                if value not in flags:
                    flags[value] = self.m.NewBoolVar("")
                self.m.AddImplication(self.a[i, k], flags[value])
        return flags

    def _rules(self) -> None:
        p, m = self.p, self.m
        prob = p.problem
        items = [p.items[i] for i in self.items]
        pickups = {it.pickup for it in items}
        classes = sorted({it.hazmat for it in items if it.hazmat is not None})
        clash = [(a, b) for a, b in itertools.combinations(classes, 2) if not p.segregation.compatible(a, b)]
        points = {it.site: it.point for it in items}
        far = []
        if prob.max_stop_distance_km is not None:
            far = [(s, r) for s, r in itertools.combinations(sorted(points), 2)
                   if points[s] and points[r] and great_circle_km(points[s], points[r]) > prob.max_stop_distance_km]
        for k in range(len(self.slots)):
            if len(pickups) > 1:
                m.AddAtMostOne(self._group(lambda i: p.items[i].pickup, k).values())
            if clash:
                flags = self._group(lambda i: p.items[i].hazmat, k)
                for a, b in clash:
                    if a in flags and b in flags:
                        m.AddBoolOr([flags[a].Not(), flags[b].Not()])
            if far or (prob.max_stops is not None and len(points) > prob.max_stops):
                stops = self._group(lambda i: p.items[i].site, k)
                if prob.max_stops is not None and len(stops) > prob.max_stops:
                    m.Add(sum(stops.values()) <= prob.max_stops)
                for s, r in far:
                    if s in stops and r in stops:
                        m.AddBoolOr([stops[s].Not(), stops[r].Not()])

    def _hint(self, start: Construction) -> None:
        free = {t: [k for k, s in enumerate(self.slots) if s == t] for t in set(self.slots)}
        on: dict[tuple[int, int], int] = {}
        used = set()
        for load in start.loads:
            if not free.get(load.vehicle):
                return  # the start does not fit the slots; no hint
            k = free[load.vehicle].pop(0)
            used.add(k)
            for i, units in load.contents.items():
                if (i, k) not in self.a:
                    return
                on[i, k] = units
        for k, var in enumerate(self.use):
            self.m.AddHint(var, k in used)
        for (i, k), var in self.a.items():
            self.m.AddHint(var, (i, k) in on)
            if (i, k) in self.x:
                self.m.AddHint(self.x[i, k], on.get((i, k), 0))
        for i, var in self.short.items() if self.limited else ():  # unlimited: constants, no hint
            left = start.short.get(i, 0)
            self.m.AddHint(var, left if self.p.items[i].splittable else int(left > 0))

    def extract(self, solver: cp_model.CpSolver) -> Construction:
        rules = Rules(self.p)
        loads = []
        for k, t in enumerate(self.slots):
            if not solver.BooleanValue(self.use[k]):
                continue
            load = None
            for i in self.items:
                if (i, k) in self.a and solver.BooleanValue(self.a[i, k]):
                    item = self.p.items[i]
                    units = solver.Value(self.x[i, k]) if (i, k) in self.x else self.qty[i]
                    load = load or LoadState(t, item.pickup)
                    rules.add(load, i, item, units)
            if load is not None:
                loads.append(load)
        short = {}
        for i, var in self.short.items():
            if solver.Value(var):
                item = self.p.items[i]
                short[i] = solver.Value(var) if item.splittable else self.qty[i]
        return Construction(loads, short)


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(self, report: Callable[[float], None]):
        super().__init__()
        self.report = report

    def on_solution_callback(self) -> None:
        self.report(self.ObjectiveValue() / COST_SCALE)


def improve(prepared: Prepared, items: Sequence[int], start: Construction, limits: Limits, deadline: float,
            report: Callable[[float], None] = lambda cost: None, quantities: Mapping[int, int] | None = None,
            reserved: Mapping[int, int] | None = None, max_pairs: int = MAX_PAIRS,
            exact_slots: bool = True) -> Improvement | None:
    """Search for a cheaper plan than ``start`` for ``items`` until ``deadline`` (monotonic clock).

    ``quantities`` overrides the units to place per item (a part of a plan, for LNS);
    ``reserved`` counts vehicles per type already used elsewhere. ``exact_slots`` False gives
    each type only its count in ``start`` plus two (smaller, faster, no valid bound). None when
    the model has more than ``max_pairs`` item-slot pairs or no time is left after building it.
    """
    model = _Model(prepared, items, start, quantities, reserved, max_pairs, exact_slots)
    if not model.slots:
        return None
    model.build(start)
    seconds = deadline - time.monotonic()
    if seconds <= 0.05:
        return None
    solver = new_cp_solver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = limits.threads
    solver.parameters.random_seed = limits.seed
    finished = threading.Event()

    def watch() -> None:  # CP-SAT cannot poll a predicate itself
        while not finished.wait(0.05):
            if limits.should_stop():
                solver.stop_search()
                return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        status = solver.Solve(model.m, _Progress(report))
    finally:
        finished.set()
        watcher.join()
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    plan = model.extract(solver)
    exact = model.exact and not plan.short  # a bound on cost only when every unit is placed
    bound = solver.BestObjectiveBound() / COST_SCALE if exact else None
    return Improvement(plan, bound, exact and status == cp_model.OPTIMAL)
