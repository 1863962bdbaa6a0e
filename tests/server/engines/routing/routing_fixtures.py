"""Shared helpers for the routing engine tests: load named fixtures, solve them fast."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from server.engines.common import Limits
from server.engines.routing.model import Objective, Problem
from server.engines.routing.result import RoutingResult
from server.engines.routing.serialize import problem_from_dict
from server.engines.routing.solver import solve

DATA = Path(__file__).resolve().parents[3] / "data" / "routing"


def load(name: str, **overrides) -> Problem:
    """The named JSON fixture as a validated ``Problem`` (top-level keys may be overridden)."""
    data = json.loads((DATA / name).read_text()) | overrides
    return problem_from_dict(data)


def quick_solve(problem: Problem, seconds: float = 1.0, objective: Objective | None = None) -> RoutingResult:
    """Solve with a short time limit (optionally switching the objective)."""
    if objective is not None:
        problem = replace(problem, objective=objective)
    return solve(problem, Limits(time_limit_s=seconds, seed=1))


def route_of(result: RoutingResult, vehicle_id: str):
    """The route of this vehicle, or None when it is unused."""
    return next((route for route in result.routes if route.vehicle_id == vehicle_id), None)


def stop_ids(route) -> list[str]:
    return [stop.stop_id for stop in route.stops]
