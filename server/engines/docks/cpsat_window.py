"""One CP-SAT model over a set of *free* loads; every other appointment stays where it is.

Each free load has one start variable and one optional fixed-size interval per dock it can
use; exactly one of them is present, or the load is left out at a prohibitive price. Per
dock, ``AddNoOverlap`` keeps the free intervals apart from each other and from fixed
intervals: closed times, breaks, pinned appointments and the loads that are not free.
The objective is lexicographic: first the number of loads left out (priced above any
possible cost), then the cost ``waiting * wait + lateness * late`` (+ ``move`` per changed
appointment in a re-plan). A second pass (``idle_within``) keeps both at the first pass's
optimum and minimises the docks' idle time, the tie-breaker.
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from server.engines.common import new_cp_solver
from server.engines.docks.model import DockProblem
from server.engines.docks.result import Plan
from server.engines.docks.timeline import overlapping

_STATUS = {
    cp_model.OPTIMAL: "optimal",
    cp_model.FEASIBLE: "feasible",
    cp_model.INFEASIBLE: "infeasible",
    cp_model.MODEL_INVALID: "invalid",
    cp_model.UNKNOWN: "unknown",
}


@dataclass(frozen=True)
class WindowSolve:
    """Outcome for the free loads: their new slots (loads left out are absent) and the proof status."""

    plan: Plan
    status: str


def solve_window(
    problem: DockProblem,
    free: list[int],
    plan: Plan,
    *,
    time_limit: float,
    seed: int = 0,
    threads: int = 1,
    hi: int | None = None,
    idle_within: tuple[int, int] | None = None,
    stay: Plan | None = None,
    docks: set[int] | None = None,
) -> WindowSolve:
    """Re-place the loads in ``free`` around the rest of ``plan``; ``plan`` is the hint.

    ``hi`` bounds every free load's end (default: the horizon); the hint must respect it.
    ``stay`` (re-plans) maps a load to the slot drivers were told, moving it costs
    ``weights.move``. ``docks``, when given, are the only docks the free loads may use.
    ``idle_within=(left_out, cost)`` switches to the idle-time pass under those caps.
    """
    loads, weights, duration = problem.loads, problem.weights, problem.duration
    free_set = set(free)
    hi = problem.horizon if hi is None else hi
    lo = min(loads[i].arrival for i in free)
    span = max(1, hi - min(lo, min(loads[i].due for i in free)))  # no free load costs more per weight unit
    # No load in a better plan can wait longer than the hint's whole cost allows: this cuts
    # each start's domain from the rest of the day to a short window, which is what lets
    # CP-SAT prove small days optimal.
    max_wait = _max_wait(problem, free, plan, stay, docks)
    if max_wait is not None:
        hi = min(hi, max(loads[i].arrival + max_wait + max(m for _, m in problem.options[i]) for i in free))
    model = cp_model.CpModel()
    fixed: list[list[tuple[int, int]]] = [list(overlapping(b, lo, hi)) for b in problem.blocked]
    appointments: list[list[tuple[int, int]]] = [[] for _ in problem.docks]
    for pin in problem.pins:
        appointments[pin.dock].append((pin.start, pin.end))
    for i, (dock, start) in plan.items():
        if i not in free_set:
            end = start + duration[i][dock]
            appointments[dock].append((start, end))
            if start < hi and end > lo:
                fixed[dock].append((start, end))

    per_dock: list[list[tuple[cp_model.IntervalVar, cp_model.IntVar, int, cp_model.IntVar]]] = [
        [] for _ in problem.docks
    ]
    cost_terms, dropped, moves = [], [], []
    present: dict[tuple[int, int], cp_model.IntVar] = {}
    starts: dict[int, cp_model.IntVar] = {}
    for i in free:
        load = loads[i]
        options = [
            (d, m) for d, m in problem.options[i] if m <= hi - load.arrival and (docks is None or d in docks)
        ]
        shortest = min((m for _, m in options), default=1)
        latest = hi - shortest if max_wait is None else min(hi - shortest, load.arrival + max_wait)
        start = model.NewIntVar(load.arrival, max(load.arrival, latest), f"s{i}")
        starts[i] = start
        lits = []
        for dock, minutes in options:
            lit = model.NewBoolVar(f"p{i}_{dock}")
            interval = model.NewOptionalFixedSizeIntervalVar(start, minutes, lit, f"x{i}_{dock}")
            if hi - minutes < hi - shortest:
                model.Add(start + minutes <= hi).OnlyEnforceIf(lit)
            per_dock[dock].append((interval, lit, minutes, start))
            present[i, dock] = lit
            lits.append(lit)
        out = model.NewBoolVar(f"u{i}")
        model.AddExactlyOne([*lits, out])
        dropped.append(out)
        cost_terms.append(weights.waiting * (start - load.arrival))
        hinted = plan.get(i)
        if load.due < hi and weights.lateness:
            late = model.NewIntVar(0, hi - load.due, f"l{i}")
            model.Add(late >= start - load.due)
            cost_terms.append(weights.lateness * late)
            model.AddHint(late, max(0, hinted[1] - load.due) if hinted else 0)
        if stay and i in stay and (i, stay[i][0]) in present:
            kept = model.NewBoolVar(f"k{i}")
            model.AddImplication(kept, present[i, stay[i][0]])
            model.Add(start == stay[i][1]).OnlyEnforceIf(kept)
            moves.append(kept)
            model.AddHint(kept, plan.get(i) == stay[i])
        if hinted is not None and (i, hinted[0]) in present:
            model.AddHint(start, hinted[1])
        for dock, _ in options:
            model.AddHint(present[i, dock], hinted is not None and hinted[0] == dock)
        model.AddHint(out, hinted is None or (i, hinted[0]) not in present)

    for dock, items in enumerate(per_dock):
        if items:
            blocks = [model.NewFixedSizeIntervalVar(s, e - s, f"b{dock}_{s}") for s, e in fixed[dock]]
            model.AddNoOverlap([item[0] for item in items] + blocks)

    _pool_cumulatives(model, problem, present, starts, dict(zip(free, dropped, strict=True)), fixed)
    cost = sum(cost_terms) + weights.move * (len(moves) - sum(moves))
    if idle_within is None:
        drop_price = ((weights.waiting + weights.lateness) * span + weights.move) * len(free) + 1
        model.Minimize(drop_price * sum(dropped) + cost)
    else:
        # Second pass of the lexicographic objective: keep the first pass's optimum, then
        # spend what freedom is left on less idle dock time.
        model.Add(sum(dropped) <= idle_within[0])
        model.Add(cost <= idle_within[1])
        model.Minimize(sum(_idle_terms(model, problem, per_dock, appointments, plan, free_set)))

    solver = new_cp_solver()
    solver.parameters.max_time_in_seconds = max(0.01, time_limit)
    solver.parameters.num_workers = threads
    # Interleave the portfolio (LNS included) over the given threads rather than running one
    # fixed search per thread, but skip the two subsolvers that would take most of each
    # turn: on these models the core-based search proves small days optimal within a
    # second or two when they are out of its way, and in tens of seconds otherwise.
    solver.parameters.interleave_search = True
    solver.parameters.ignore_subsolvers.extend(["default_lp", "fixed"])
    solver.parameters.random_seed = seed
    solver.parameters.cp_model_probing_level = 0  # probing costs ~0.6 s on a 48-load window and finds little
    code = solver.Solve(model)
    status = _STATUS.get(code, "unknown")
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return WindowSolve({i: plan[i] for i in free if i in plan}, status)
    new_plan: Plan = {}
    for (i, dock), lit in present.items():
        if solver.BooleanValue(lit):
            new_plan[i] = (dock, solver.Value(starts[i]))
    return WindowSolve(new_plan, status)


def _pool_cumulatives(model: cp_model.CpModel, problem: DockProblem, present, starts, dropped, fixed) -> None:
    """Redundant: docks that share loads form a pool; at any time at most one load per pool dock runs.

    Each pool gets a cumulative over the loads' shortest intervals plus the docks' fixed
    intervals, with capacity = its number of docks. It adds no restriction, but its
    energetic reasoning and LP cuts give CP-SAT the lower bounds that prove dense peaks
    (a dozen trucks on two docks) optimal in seconds instead of minutes.
    """
    parent: dict = {}

    def root(node):
        while parent.setdefault(node, node) != node:
            node = parent[node]
        return node

    for i, dock in present:
        parent[root(("load", i))] = root(("dock", dock))
    pools: dict = {}
    for i, dock in present:
        pool = pools.setdefault(root(("dock", dock)), ({}, set()))
        minutes = problem.duration[i][dock]
        pool[0][i] = min(pool[0].get(i, minutes), minutes)
        pool[1].add(dock)
    for shortest, docks in pools.values():
        if len(docks) < 2:
            continue  # one dock: the no-overlap constraint already says it all
        intervals = [
            model.NewOptionalFixedSizeIntervalVar(starts[i], minutes, dropped[i].Not(), f"pool{i}")
            for i, minutes in shortest.items()
        ]
        intervals += [
            model.NewFixedSizeIntervalVar(s, e - s, f"poolb{d}_{s}") for d in docks for s, e in fixed[d]
        ]
        model.AddCumulative(intervals, [1] * len(intervals), len(docks))


def _max_wait(problem: DockProblem, free: list[int], plan: Plan, stay: Plan | None, docks) -> int | None:
    """Longest wait any free load can have in a plan at least as good as the hint (None: unbounded).

    Only valid when the hint places every free load on an allowed dock.
    """
    weights, loads, duration = problem.weights, problem.loads, problem.duration
    allowed = (lambda d: True) if docks is None else docks.__contains__
    if weights.waiting <= 0 or any(
        i not in plan or plan[i][0] not in duration[i] or not allowed(plan[i][0]) for i in free
    ):
        return None
    cost = 0
    for i in free:
        start = plan[i][1]
        cost += weights.waiting * (start - loads[i].arrival) + weights.lateness * max(0, start - loads[i].due)
        if stay and i in stay and stay[i] != plan[i]:
            cost += weights.move
    return cost // weights.waiting


def _idle_terms(
    model: cp_model.CpModel, problem: DockProblem, per_dock, appointments, plan: Plan, free
) -> list:
    """Per dock: open minutes between its first start and last end that no load uses (hinted from ``plan``)."""
    terms = []
    lo, hi = problem.day_start, problem.horizon
    hinted: list[list[tuple[int, int]]] = [list(slots) for slots in appointments]
    for i, (dock, start) in plan.items():
        if i in free and dock in problem.duration[i]:
            hinted[dock].append((start, start + problem.duration[i][dock]))
    for dock, items in enumerate(per_dock):
        if not items:
            continue
        first, last = model.NewIntVar(lo, hi, f"first{dock}"), model.NewIntVar(lo, hi, f"last{dock}")
        model.Add(first <= last)
        first_hint = min((s for s, _ in hinted[dock]), default=lo)
        last_hint = max((e for _, e in hinted[dock]), default=lo)
        model.AddHint(first, first_hint)
        model.AddHint(last, last_hint)
        for _, lit, minutes, start in items:
            model.Add(first <= start).OnlyEnforceIf(lit)
            model.Add(last >= start + minutes).OnlyEnforceIf(lit)
        for s, e in appointments[dock]:
            model.Add(first <= s)
            model.Add(last >= e)
        # A closed spell lies wholly inside or wholly outside [first, last], as no load
        # overlaps it; counting it when inside makes the idle time exact.
        shut = []
        for s, e in problem.closed[dock]:
            if lo < s and e < hi:
                inside = model.NewBoolVar(f"in{dock}_{s}")
                model.AddHint(inside, first_hint <= s and e <= last_hint)
                model.Add(first <= s).OnlyEnforceIf(inside)
                model.Add(last >= e).OnlyEnforceIf(inside)
                shut.append((e - s) * inside)
        busy = sum(minutes * lit for _, lit, minutes, _ in items) + sum(e - s for s, e in appointments[dock])
        terms.append(last - first - busy - sum(shut))
    return terms
