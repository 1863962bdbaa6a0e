"""Tests for server/engines/docks/result.py: scoring and checking plans."""

from server.engines.docks import INFEASIBLE, NO_CAPACITY, build_problem
from server.engines.docks.result import check_plan, evaluate, to_result
from tests.server.engines.docks.docks_helpers import FixedMinutes

DOCK = {"id": "D1", "site": "p", "equipment": ["pallet_dock"], "opening": [[0, 600]], "breaks": [[100, 130]]}


def _problem(arrivals, dues=None, minutes=30):
    loads = [
        {"id": f"L{k}", "site": "p", "equipment": "pallet_dock", "arrival": a, "due": (dues or {}).get(k)}
        for k, a in enumerate(arrivals)
    ]
    return build_problem(
        [DOCK], loads, durations=FixedMinutes({f"L{k}": minutes for k in range(len(arrivals))})
    )


def test_evaluate_counts_waiting_lateness_and_idle_without_breaks():
    """Waiting is start - arrival, lateness start - due, idle the open unused minutes between loads."""
    problem = _problem([0, 50], dues={1: 140})
    parts = evaluate(problem, {0: (0, 0), 1: (0, 150)})
    assert (parts.total_waiting, parts.total_lateness, parts.late_trucks) == (100, 10, 1)
    assert parts.idle == 180 - 60 - 30  # span 0..180, 60 loading, the 30-minute break is not idle
    assert parts.cost == 100 * 1 + 10 * 3


def test_check_plan_reports_every_broken_rule():
    """Early starts, loads over a break and overlaps are all reported."""
    problem = _problem([0, 10, 20])
    problems = check_plan(problem, {0: (0, 0), 1: (0, 5), 2: (0, 90)})
    assert any("before its arrival" in p for p in problems)
    assert any("overlap" in p for p in problems)
    assert any("outside the opening hours" in p for p in problems)


def test_result_marks_left_out_loads_and_infeasible_status():
    """A load missing from the plan is unscheduled for lack of capacity and the status says so."""
    problem = _problem([0, 0])
    result = to_result(problem, {0: (0, 0)}, 0.01)
    assert result.status == INFEASIBLE
    assert [(u.load_id, u.reason) for u in result.unscheduled] == [("L1", NO_CAPACITY)]
    assert result.by_load()["L0"].end == 30
