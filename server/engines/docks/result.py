"""What a dock solve returns, and how a plan (load -> dock, start) is scored and checked.

Internally a *plan* is ``{load index: (dock index, start minute)}`` for the loads the
solver placed; pinned appointments are never in a plan, they are always there.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.engines.docks.model import NO_CAPACITY, DockProblem
from server.engines.docks.timeline import overlapping

Plan = dict[int, tuple[int, int]]

OPTIMAL, FEASIBLE, INFEASIBLE = "optimal", "feasible", "infeasible"


@dataclass(frozen=True)
class Appointment:
    """One booked slot. ``frozen`` marks a pinned (in progress or called) appointment."""

    load_id: str
    dock_id: str
    start: int
    end: int
    waiting: int
    lateness: int
    frozen: bool = False


@dataclass(frozen=True)
class Unscheduled:
    """A load without a slot and why (``no_compatible_dock``, ``no_opening_fits_duration``, ``no_capacity``)."""

    load_id: str
    reason: str


@dataclass(frozen=True)
class ObjectiveParts:
    """The schedule's quality. ``idle``: open, unused dock minutes between a dock's first and last load."""

    total_waiting: int
    total_lateness: int
    late_trucks: int
    idle: int
    unscheduled: int
    cost: int  # weights.waiting * total_waiting + weights.lateness * total_lateness

    def key(self) -> tuple[int, int, int]:
        """Lexicographic rank: fewer unscheduled loads, then lower cost, then less idle time."""
        return (self.unscheduled, self.cost, self.idle)


@dataclass(frozen=True)
class DockResult:
    """Answer of :func:`solve`.

    ``status`` is ``optimal`` (every load booked, proven best), ``feasible`` (every load
    booked, not proven best) or ``infeasible`` (some loads could not be booked: see
    ``unscheduled``; the other appointments are still a valid plan, and ``proven_optimal``
    says whether that plan was proven best).

    "Proven best" is about what the objective ranks first: the number of loads left out,
    then the weighted waiting and lateness. Idle time only breaks ties between such plans;
    ``idle_proven`` says whether the tie-break was proven too.
    """

    status: str
    objective: ObjectiveParts
    appointments: tuple[Appointment, ...]
    unscheduled: tuple[Unscheduled, ...]
    seconds: float
    proven_optimal: bool = False
    method: str = ""  # how it was found: "exact", "heuristic+lns", "replan", "fcfs", "fcfs-strict"
    idle_proven: bool = False

    def by_load(self) -> dict[str, Appointment]:
        return {a.load_id: a for a in self.appointments}


@dataclass(frozen=True)
class Move:
    """An appointment a re-plan changed; ``new_dock``/``new_start`` are None when it was dropped."""

    load_id: str
    old_dock: str | None
    old_start: int | None
    new_dock: str | None
    new_start: int | None


@dataclass(frozen=True)
class ReplanResult:
    """Answer of :func:`replan`: the new schedule and the appointments drivers must be told about."""

    result: DockResult
    moved: tuple[Move, ...]
    neighbourhood: int  # how many loads the re-plan was allowed to move


def evaluate(problem: DockProblem, plan: Plan) -> ObjectiveParts:
    """Score ``plan`` plus the pinned appointments."""
    weights = problem.weights
    waiting = lateness = late = 0
    per_dock: list[list[tuple[int, int]]] = [[] for _ in problem.docks]
    for i, dock, start, end in _all_slots(problem, plan):
        load = problem.loads[i]
        waiting += max(0, start - load.arrival)
        lateness += max(0, start - load.due)
        late += start > load.due
        per_dock[dock].append((start, end))
    idle = sum(_idle(slots, problem.closed[d]) for d, slots in enumerate(per_dock))
    missing = len(problem.loads) - len(plan) - len(problem.pins)
    cost = weights.waiting * waiting + weights.lateness * lateness
    return ObjectiveParts(waiting, lateness, late, idle, missing, cost)


def chunk_key(problem: DockProblem, plan: Plan, chunk) -> tuple[int, int]:
    """(loads left out, weighted waiting and lateness) of the loads in ``chunk``."""
    loads, weights = problem.loads, problem.weights
    cost = missing = 0
    for i in chunk:
        if i not in plan:
            missing += 1
            continue
        start = plan[i][1]
        cost += weights.waiting * (start - loads[i].arrival) + weights.lateness * max(0, start - loads[i].due)
    return missing, cost


def _idle(slots: list[tuple[int, int]], closed) -> int:
    if not slots:
        return 0
    first, last = min(s for s, _ in slots), max(e for _, e in slots)
    busy = sum(e - s for s, e in slots)
    shut = sum(min(e, last) - max(s, first) for s, e in overlapping(closed, first, last))
    return last - first - busy - shut


def _all_slots(problem: DockProblem, plan: Plan):
    duration = problem.duration
    for i, (dock, start) in plan.items():
        yield i, dock, start, start + duration[i][dock]
    for pin in problem.pins:
        yield pin.load, pin.dock, pin.start, pin.end


def check_plan(problem: DockProblem, plan: Plan) -> list[str]:
    """Every rule ``plan`` breaks (empty when it is a valid schedule)."""
    problems: list[str] = []
    per_dock: list[list[tuple[int, int, str]]] = [[] for _ in problem.docks]
    for i, (dock, start) in plan.items():
        load = problem.loads[i]
        if i in problem.pinned:
            problems.append(f"{load.id}: pinned load placed again")
        if dock not in problem.duration[i]:
            problems.append(f"{load.id}: dock {problem.docks[dock].id} cannot take it")
            continue
        end = start + problem.duration[i][dock]
        if start < load.arrival:
            problems.append(f"{load.id}: starts at {start} before its arrival {load.arrival}")
        if overlapping(problem.closed[dock], start, end) or end > problem.horizon:
            problems.append(
                f"{load.id}: {start}-{end} is outside the opening hours of {problem.docks[dock].id}"
            )
        per_dock[dock].append((start, end, load.id))
    for pin in problem.pins:
        per_dock[pin.dock].append((pin.start, pin.end, problem.loads[pin.load].id))
    for d, slots in enumerate(per_dock):
        slots.sort()
        for (_, end, a), (start, _, b) in zip(slots, slots[1:], strict=False):
            if start < end:
                problems.append(f"{a} and {b} overlap on {problem.docks[d].id}")
    return problems


def to_result(
    problem: DockProblem,
    plan: Plan,
    seconds: float,
    *,
    proven: bool = False,
    idle_proven: bool = False,
    method: str = "",
) -> DockResult:
    """Package ``plan`` as a :class:`DockResult` with every unplaced load and its reason."""
    loads, docks = problem.loads, problem.docks
    appointments = [
        Appointment(
            loads[i].id,
            docks[d].id,
            s,
            e,
            max(0, s - loads[i].arrival),
            max(0, s - loads[i].due),
            i in problem.pinned,
        )
        for i, d, s, e in _all_slots(problem, plan)
    ]
    appointments.sort(key=lambda a: (a.start, a.dock_id, a.load_id))
    reasons = dict(problem.impossible)
    unscheduled = tuple(
        Unscheduled(load.id, reasons.get(i, NO_CAPACITY))
        for i, load in enumerate(loads)
        if i not in plan and i not in problem.pinned
    )
    status = INFEASIBLE if unscheduled else OPTIMAL if proven else FEASIBLE
    return DockResult(
        status,
        evaluate(problem, plan),
        tuple(appointments),
        unscheduled,
        round(seconds, 3),
        proven,
        method,
        proven and idle_proven,
    )
