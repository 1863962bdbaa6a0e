"""Tests for server/engines/docks/solver.py, cpsat_window.py and lns.py."""

from server.engines.common import Limits
from server.engines.docks import (
    FEASIBLE,
    INFEASIBLE,
    NO_CAPACITY,
    NO_COMPATIBLE_DOCK,
    OPTIMAL,
    build_problem,
    solve,
)
from server.engines.docks.construct import construct
from server.engines.docks.generator import plant_day
from server.engines.docks.result import check_plan, evaluate
from tests.server.engines.docks.docks_helpers import FixedMinutes, plan_of, read_fixture

FAST = Limits(time_limit_s=20, seed=1)


def _one_dock(loads, minutes, **dock):
    docks = [{"id": "D1", "site": "p", "equipment": ["pallet_dock"], **dock}]
    loads = [{"site": "p", "equipment": "pallet_dock", **load} for load in loads]
    return build_problem(docks, loads, durations=FixedMinutes(minutes))


def test_small_instance_is_solved_to_proven_optimality():
    """Holding the dock one minute for two short loads beats first come, first served."""
    data = read_fixture("three_trucks_one_dock.json")
    problem = build_problem(data["docks"], data["loads"], durations=FixedMinutes(data["minutes"]))
    result = solve(problem, FAST)
    assert result.status == OPTIMAL and result.proven_optimal and result.method == "exact"
    assert result.objective.total_waiting == data["optimal_waiting"]
    assert [a.load_id for a in result.appointments] == ["B", "C", "A"]


def test_lateness_decides_the_order_when_waiting_ties():
    """Of two trucks arriving together, the one due first is loaded first."""
    problem = _one_dock(
        [{"id": "relaxed", "arrival": 0, "due": 100}, {"id": "urgent", "arrival": 0, "due": 10}],
        {"relaxed": 30, "urgent": 30},
    )
    result = solve(problem, FAST)
    assert result.by_load()["urgent"].start == 0
    assert result.objective.total_lateness == 0


def test_idle_time_breaks_ties():
    """With waiting equal, loads go where they leave no open dock time unused between them."""
    docks = [{"id": f"D{k}", "site": "p", "equipment": ["pallet_dock"]} for k in (1, 2)]
    loads = [
        {"id": "A", "site": "p", "equipment": "pallet_dock", "arrival": 0},
        {"id": "B", "site": "p", "equipment": "pallet_dock", "arrival": 100},
    ]
    problem = build_problem(docks, loads, durations=FixedMinutes({"A": 30, "B": 30}))
    result = solve(problem, FAST)
    assert result.status == OPTIMAL
    assert result.objective.idle == 0 and result.objective.total_waiting == 0
    assert len({a.dock_id for a in result.appointments}) == 2


def test_bookings_respect_breaks_opening_hours_and_pins():
    """No appointment overlaps a break, closed time or a pinned appointment."""
    loads = [
        {"id": "early", "arrival": 0},
        {"id": "second", "arrival": 400},
        {"id": "pinned", "arrival": 380},
    ]
    problem = build_problem(
        [
            {
                "id": "D1",
                "site": "p",
                "equipment": ["pallet_dock"],
                "opening": [[360, 1000]],
                "breaks": [[440, 470]],
            }
        ],
        [{"site": "p", "equipment": "pallet_dock", **load} for load in loads],
        pins=[{"load": "pinned", "dock": "D1", "start": 400}],
        durations=FixedMinutes({"early": 30, "second": 30, "pinned": 30}),
    )
    result = solve(problem, FAST)
    slots = {a.load_id: (a.start, a.end, a.frozen) for a in result.appointments}
    assert slots["pinned"] == (400, 430, True)
    assert slots["early"] == (360, 390, False)
    assert slots["second"][0] == 470  # after the pin, and the break leaves no 30-minute gap before it
    assert check_plan(problem, plan_of(problem, result)) == []


def test_unschedulable_loads_are_listed_with_reasons():
    """Loads without a compatible dock or without room are reported, and the status is infeasible."""
    docks = [{"id": "D1", "site": "p", "equipment": ["pallet_dock"], "opening": [[0, 60]]}]
    loads = [
        {"id": "a", "site": "p", "equipment": "pallet_dock", "arrival": 0},
        {"id": "b", "site": "p", "equipment": "pallet_dock", "arrival": 0},
        {"id": "wet", "site": "p", "equipment": "liquid_arm", "tonnes": 20, "arrival": 0},
    ]
    problem = build_problem(docks, loads, durations=FixedMinutes({"a": 40, "b": 40, "wet": 40}))
    result = solve(problem, FAST)
    assert result.status == INFEASIBLE
    reasons = sorted(u.reason for u in result.unscheduled)
    assert reasons == sorted([NO_CAPACITY, NO_COMPATIBLE_DOCK])
    assert len(result.appointments) == 1


def test_large_days_use_lns_and_never_get_worse_than_the_constructive_plan():
    """Above the exact threshold the plan is valid, complete and at least as good as the start."""
    problem = build_problem(*plant_day(160, 6, seed=2))
    progress = []
    result = solve(problem, Limits(time_limit_s=2, seed=0, on_progress=progress.append), exact_max_loads=10)
    assert result.method == "heuristic+lns" and result.status == FEASIBLE
    assert check_plan(problem, plan_of(problem, result)) == []
    assert result.objective.key() <= evaluate(problem, construct(problem)).key()
    assert progress and progress[-1].fraction == 1.0


def test_should_stop_ends_the_search_with_the_constructive_plan():
    """A cancelled solve still returns a valid schedule."""
    problem = build_problem(*plant_day(120, 6, seed=5))
    result = solve(problem, Limits(time_limit_s=30, should_stop=lambda: True), exact_max_loads=10)
    assert result.seconds < 30
    assert result.objective.key() == evaluate(problem, construct(problem)).key()


def test_generated_small_day_is_proven_optimal():
    """A generated 30-truck, 4-dock day is solved exactly."""
    problem = build_problem(*plant_day(30, 4, seed=1))
    result = solve(problem, Limits(time_limit_s=60, seed=0))
    assert result.status == OPTIMAL
    assert check_plan(problem, plan_of(problem, result)) == []
