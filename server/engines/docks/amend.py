"""Small changes to a built problem without rebuilding it: new ETAs, frozen appointments, cancelled loads."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import replace

from server.engines.docks.build import find_impossible
from server.engines.docks.model import CANCELLED, DockProblem, DockValidationError, Pin


def with_arrival(
    problem: DockProblem, load_id: str, arrival: int | float, due: int | float | None = None
) -> DockProblem:
    """``problem`` with load ``load_id``'s ETA (and, if given, due time) changed.

    The carrier's window is kept unless ``due`` is given, so an ETA that slips past it makes
    the truck late rather than moving the window.
    """
    errors = []
    i = problem.load_index.get(load_id)
    if i is None:
        errors.append(("load", f"unknown load {load_id!r}"))
    for name, value in (("arrival", arrival), ("due", due)):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value)
        ):
            errors.append((name, "must be a finite number"))
    if errors:
        raise DockValidationError(errors)
    load = problem.loads[i]
    new = replace(load, arrival=round(arrival), due=load.due if due is None else round(due))
    loads = problem.loads[:i] + (new,) + problem.loads[i + 1 :]
    amended = replace(problem, loads=loads)
    others = tuple(entry for entry in problem.impossible if entry[0] != i)
    return replace(amended, impossible=others + find_impossible(amended, only={i}))


def with_pins(problem: DockProblem, pins: Iterable[Pin]) -> DockProblem:
    """``problem`` with more appointments frozen (a load already pinned keeps its first pin)."""
    merged = {pin.load: pin for pin in pins}
    merged.update(problem.pinned)
    return replace(problem, pins=tuple(sorted(merged.values(), key=lambda p: (p.dock, p.start))))


def with_arrivals(problem: DockProblem, arrivals: Mapping[str, int | float]) -> DockProblem:
    """``problem`` with many ETAs changed at once (windows kept, as in :func:`with_arrival`).

    A live re-plan moves every waiting truck's earliest start to "now" at once, so the
    one-at-a-time :func:`with_arrival` would copy the day once per truck.
    """
    errors, changed = [], {}
    for load_id, arrival in arrivals.items():
        i = problem.load_index.get(load_id)
        if i is None:
            errors.append((f"arrivals/{load_id}", f"unknown load {load_id!r}"))
        elif isinstance(arrival, bool) or not isinstance(arrival, int | float) or not math.isfinite(arrival):
            errors.append((f"arrivals/{load_id}", "must be a finite number"))
        elif round(arrival) != problem.loads[i].arrival:
            changed[i] = round(arrival)
    if errors:
        raise DockValidationError(errors)
    if not changed:
        return problem
    loads = list(problem.loads)
    for i, arrival in changed.items():
        loads[i] = replace(loads[i], arrival=arrival)
    amended = replace(problem, loads=tuple(loads))
    kept = tuple(entry for entry in problem.impossible if entry[0] not in changed)
    return replace(amended, impossible=kept + find_impossible(amended, only=set(changed)))


def without_loads(problem: DockProblem, load_ids: Iterable[str]) -> DockProblem:
    """``problem`` with these loads cancelled (a no-show): the solvers leave them out, reason ``cancelled``."""
    indexes = {problem.load_index[x] for x in load_ids if x in problem.load_index}
    kept = tuple(entry for entry in problem.impossible if entry[0] not in indexes)
    return replace(problem, impossible=kept + tuple((i, CANCELLED) for i in sorted(indexes)))
