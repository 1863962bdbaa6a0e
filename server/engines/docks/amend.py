"""Small changes to a built problem without rebuilding it: a new ETA, frozen appointments."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import replace

from server.engines.docks.build import find_impossible
from server.engines.docks.model import DockProblem, DockValidationError, Pin


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
