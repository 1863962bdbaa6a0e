"""A lower bound on what any schedule can reach: how far from optimal a solve (or a target) is.

``lower_bound(problem, bucket=5)`` returns :class:`Bound` with a bound on the total waiting
and, separately, on the cost (waiting + lateness weights); no schedule that books every load
does better. It is the optimum of a linear relaxation, per *family* (docks that share loads,
with the loads they share):

* the family's docks are pooled and loads may be split, paused and moved between docks
  (preemption and migration), but a load never runs faster than on its fastest dock, and the
  pool never works faster than its open docks together (``speed`` per open minute);
* a load's work is ``min over docks of speed * minutes``, so every real booking fits the pool;
* its start is bounded through its mean busy time ``M``: a booking of ``m`` minutes starting at
  ``S`` has ``M = S + m / 2``, so ``S >= M - (its longest duration) / 2``;
* time is cut into ``bucket``-minute slices and work in a slice is priced at the slice's start
  (or the load's arrival), which only lowers the price.

Each step relaxes the real problem, so the bound is valid; it is not tight (finer buckets
tighten it, at a cost in LP size: ``bucket=2`` takes minutes on a 1,000-truck day).

How loose, measured: on the generated 30-truck, 4-dock days (seeds 1-3) the proven optimal
cost is 2 to 3.2 times the bound (``bucket=1``), while on identical docks without breaks it
is within a few percent. Dock speeds (``longest / 2`` above, for the slowest dock) and breaks
(a real booking cannot straddle one, pooled work can) are what loosen it: on a 250-truck,
10-dock day, setting every speed to 1.0 raises the bound 6% and leaves the real waiting as it
was. So a target below the bound is out of reach, but the bound itself is no proof that a
schedule near it exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.linear_solver import pywraplp

from server.engines.docks.construct import families
from server.engines.docks.model import DockProblem


@dataclass(frozen=True)
class Bound:
    """Lower bounds (minutes, cost units) over schedules that book every load that has a compatible,
    open dock; None when no such schedule exists."""

    total_waiting: float | None
    cost: float | None
    bucket: int


def _family_bound(problem: DockProblem, members: list[int], bucket: int, lateness: int) -> float | None:
    loads, duration, docks = problem.loads, problem.duration, problem.docks
    dock_set = {d for i in members for d, _ in problem.options[i]}
    slices = -(-problem.horizon // bucket)
    capacity = [0.0] * slices
    for d in dock_set:
        cursor = problem.day_start
        for s, e in [*problem.blocked[d], (problem.horizon, problem.horizon)]:
            for t in range(max(cursor, problem.day_start), min(s, problem.horizon)):
                capacity[t // bucket] += docks[d].speed
            cursor = max(cursor, e)
    solver = pywraplp.Solver.CreateSolver("GLOP")
    infinity = solver.infinity()
    objective = solver.Objective()
    per_slice = [solver.Constraint(-infinity, capacity[k]) for k in range(slices)]
    for i in members:
        load = loads[i]
        work = min(docks[d].speed * m for d, m in duration[i].items())
        rate = max(work / m for m in duration[i].values())
        # wait >= mean busy time - longest duration / 2 - arrival, written as a row
        # sum(x * at / work) - wait <= arrival + longest / 2; the same for lateness with due.
        longest = max(duration[i].values()) / 2
        done = solver.Constraint(work, work)
        wait_row = solver.Constraint(-infinity, load.arrival + longest)
        late_row = solver.Constraint(-infinity, load.due + longest) if lateness else None
        for k in range(load.arrival // bucket, slices):
            at = max(load.arrival, k * bucket)
            most = min(((k + 1) * bucket - at) * rate, capacity[k])
            if most <= 0:
                continue
            x = solver.NumVar(0, most, "")
            done.SetCoefficient(x, 1)
            per_slice[k].SetCoefficient(x, 1)
            wait_row.SetCoefficient(x, at / work)
            if late_row is not None:
                late_row.SetCoefficient(x, at / work)
        wait = solver.NumVar(0, infinity, "")
        wait_row.SetCoefficient(wait, -1)
        objective.SetCoefficient(wait, problem.weights.waiting if lateness else 1)
        if late_row is not None:
            late = solver.NumVar(0, infinity, "")
            late_row.SetCoefficient(late, -1)
            objective.SetCoefficient(late, problem.weights.lateness)
    objective.SetMinimization()
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    return solver.Objective().Value()


def lower_bound(problem: DockProblem, bucket: int = 5) -> Bound:
    """Bounds on total waiting and on cost of every schedule that books all loads it can (pins included)."""
    fixed_wait = fixed_cost = 0
    for pin in problem.pins:
        load = problem.loads[pin.load]
        fixed_wait += max(0, pin.start - load.arrival)
        fixed_cost += problem.weights.waiting * max(0, pin.start - load.arrival)
        fixed_cost += problem.weights.lateness * max(0, pin.start - load.due)
    waiting, cost = float(fixed_wait), float(fixed_cost)
    for members in families(problem):
        wait_part = _family_bound(problem, members, bucket, lateness=0)
        cost_part = _family_bound(problem, members, bucket, lateness=1)
        if wait_part is None or cost_part is None:
            return Bound(None, None, bucket)
        waiting += wait_part
        cost += cost_part
    return Bound(waiting, cost, bucket)
