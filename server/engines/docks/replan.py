"""Re-planning after an ETA change: fix what drivers were told, move as little as possible.

``replan(problem, previous, changed=..., frozen=...)`` takes the *updated* problem (see
``amend.with_arrival``) and the schedule drivers know:

1. Frozen appointments (in progress or called) become pins: same dock, same start.
2. Every other previous appointment that is still valid stays; the changed loads and any
   appointment that no longer fits are re-inserted greedily, so a valid plan exists at once;
   with ``compact=True`` appointments then move up into time that came free where that saves
   more than a move costs (``compact.left_shift``).
3. CP-SAT re-solves a neighbourhood only: the changed loads plus the loads booked on docks
   they could use, nearest in time first, hinted with that plan; each appointment it moves
   away from what its driver was told costs ``weights.move``. Everything else is fixed.

The answer lists every appointment that moved, so those drivers can be told.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from server.engines.common import Limits
from server.engines.docks.amend import with_pins
from server.engines.docks.compact import left_shift
from server.engines.docks.construct import insert_all, timelines
from server.engines.docks.cpsat_window import solve_window
from server.engines.docks.model import DockProblem, DockValidationError, Pin
from server.engines.docks.result import DockResult, Move, Plan, ReplanResult, chunk_key, to_result

NEIGHBOURHOOD_LOADS = 40
MARGIN_MINUTES = 90  # loads this far around the changed loads' old and new times may move
SLACK_MINUTES = 120


def _previous_plan(problem: DockProblem, previous: DockResult) -> Plan:
    plan: Plan = {}
    for appointment in previous.appointments:
        i, d = problem.load_index.get(appointment.load_id), problem.dock_index.get(appointment.dock_id)
        if i is not None and d is not None:
            plan[i] = (d, appointment.start)
    return plan


def _repair(problem: DockProblem, told: Plan) -> tuple[Plan, set[int]]:
    """Keep every still-valid appointment; re-insert the others. Returns (plan, re-inserted)."""
    lines = timelines(problem, {})
    duration, loads = problem.duration, problem.loads
    plan: Plan = {}
    for i, (d, start) in sorted(told.items(), key=lambda item: item[1][1]):
        if i in problem.pinned or i not in problem.free_loads or d not in duration[i]:
            continue
        if start >= loads[i].arrival and lines[d].fits_at(start, duration[i][d]):
            plan[i] = (d, start)
            lines[d].add(start, start + duration[i][d])
    displaced = [i for i in problem.free_loads if i not in plan]
    insert_all(problem, sorted(displaced, key=lambda i: (loads[i].arrival, i)), plan, lines)
    return plan, set(displaced)


def _neighbourhood(problem: DockProblem, plan: Plan, told: Plan, centre: set[int], size: int) -> list[int]:
    """The centre loads plus the loads on docks they can use, booked nearest their earliest start."""
    duration, loads = problem.duration, problem.loads
    docks = {d for i in centre for d, _ in problem.options[i]}
    times = [loads[i].arrival for i in centre]
    times += [slot[1] + duration[i][slot[0]] for i in centre for slot in (plan.get(i), told.get(i)) if slot]
    times += [slot[1] for i in centre for slot in (plan.get(i), told.get(i)) if slot]
    lo, hi = min(times) - MARGIN_MINUTES, max(times) + MARGIN_MINUTES

    def distance(i: int) -> int:
        start = plan[i][1]
        return max(0, lo - start, start - hi)

    near = [
        i
        for i, (d, start) in plan.items()
        if i not in centre and d in docks and start < hi and start + duration[i][d] > lo
    ]
    # Nearest the centre loads' earliest start first: a truck that turns up late has its slot
    # behind it and a repair slot far ahead, and what makes room for it is booked around now.
    anchor = min(loads[i].arrival for i in centre)
    near.sort(key=lambda i: (distance(i), abs(plan[i][1] - anchor), i))
    return sorted(centre) + near[: max(0, size - len(centre))]


def replan(
    problem: DockProblem,
    previous: DockResult,
    *,
    changed: Iterable[str],
    frozen: Iterable[str] = (),
    limits: Limits | None = None,
    neighbourhood: int = NEIGHBOURHOOD_LOADS,
    compact: bool = False,
) -> ReplanResult:
    """Re-plan around the loads in ``changed``; ``frozen`` appointments never move; ``compact`` moves
    appointments up into time that came free (when drivers can still be told in time to come sooner)."""
    started = time.perf_counter()
    limits = limits or Limits(time_limit_s=1.0)
    deadline = started + limits.time_limit_s * 0.6  # leave room for the bookkeeping around the solve
    changed, frozen = list(changed), list(frozen)
    errors = [
        (f"changed/{k}", f"unknown load {x!r}") for k, x in enumerate(changed) if x not in problem.load_index
    ]
    told = _previous_plan(problem, previous)
    for k, load_id in enumerate(frozen):
        if problem.load_index.get(load_id) not in told:
            errors.append((f"frozen/{k}", f"load {load_id!r} has no previous appointment to freeze"))
    if errors:
        raise DockValidationError(errors)
    ends = {a.load_id: a.end for a in previous.appointments}  # a whole day may be frozen by evening
    pins = []
    for load_id in frozen:
        i = problem.load_index[load_id]
        d, start = told[i]
        pins.append(Pin(i, d, start, ends[load_id]))
    problem = with_pins(problem, pins)

    plan, displaced = _repair(problem, told)
    if compact:
        left_shift(problem, plan, problem.weights.move)
    centre = ({problem.load_index[x] for x in changed} | displaced) & set(problem.free_loads)
    free: list[int] = []
    if centre and time.perf_counter() < deadline:
        free = _neighbourhood(problem, plan, told, centre, neighbourhood)
        ends = [plan[i][1] + problem.duration[i][plan[i][0]] for i in free if i in plan]
        hi = problem.horizon if len(ends) < len(free) else min(problem.horizon, max(ends) + SLACK_MINUTES)
        stay = {i: told[i] for i in free if i in told}
        result = solve_window(
            problem,
            free,
            plan,
            time_limit=max(0.05, deadline - time.perf_counter()),
            seed=limits.seed,
            threads=limits.threads,
            hi=hi,
            stay=stay,
        )
        if _priced(problem, result.plan, free, stay) < _priced(problem, plan, free, stay):
            for i in free:
                plan.pop(i, None)
            plan.update(result.plan)

    moved = _moves(problem, told, plan)
    outcome = to_result(problem, plan, time.perf_counter() - started, method="replan")
    return ReplanResult(outcome, moved, len(free))


def _priced(problem: DockProblem, plan: Plan, free: list[int], stay: Plan) -> tuple[int, int]:
    missing, cost = chunk_key(problem, plan, free)
    return missing, cost + problem.weights.move * sum(plan.get(i) != slot for i, slot in stay.items())


def _moves(problem: DockProblem, told: Plan, plan: Plan) -> tuple[Move, ...]:
    docks, loads = problem.docks, problem.loads
    moves = []
    for i in sorted(told.keys() | plan.keys()):
        if i in problem.pinned or told.get(i) == plan.get(i):
            continue
        old, new = told.get(i), plan.get(i)
        moves.append(
            Move(
                loads[i].id,
                docks[old[0]].id if old else None,
                old[1] if old else None,
                docks[new[0]].id if new else None,
                new[1] if new else None,
            )
        )
    return tuple(moves)
