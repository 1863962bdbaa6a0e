"""Tests for server/engines/docks/construct.py."""

from server.engines.docks import build_problem
from server.engines.docks.construct import construct, dispatch_plan, insertion_plan
from server.engines.docks.generator import plant_day
from server.engines.docks.result import check_plan, evaluate
from tests.server.engines.docks.docks_helpers import FixedMinutes, read_fixture


def test_constructive_plans_are_valid_on_a_generated_day():
    """Insertion and dispatch both give valid plans that place every placeable load."""
    problem = build_problem(*plant_day(150, 8, seed=3))
    for plan in (insertion_plan(problem), dispatch_plan(problem), construct(problem)):
        assert check_plan(problem, plan) == []
        assert set(plan) == set(problem.free_loads)


def test_construct_picks_the_cheapest_of_its_plans():
    """construct returns a plan no worse than either builder alone."""
    problem = build_problem(*plant_day(150, 8, seed=4))
    best = evaluate(problem, construct(problem)).key()
    assert best <= evaluate(problem, insertion_plan(problem)).key()
    assert best <= evaluate(problem, dispatch_plan(problem)).key()


def test_dispatch_serves_the_short_job_first_when_trucks_queue():
    """When a dock frees up with several trucks waiting, the shortest one goes first."""
    docks = [{"id": "D1", "site": "p", "equipment": ["pallet_dock"]}]
    loads = [
        {"id": "busy", "site": "p", "equipment": "pallet_dock", "arrival": 0},
        {"id": "long", "site": "p", "equipment": "pallet_dock", "arrival": 1},
        {"id": "short", "site": "p", "equipment": "pallet_dock", "arrival": 2},
    ]
    problem = build_problem(docks, loads, durations=FixedMinutes({"busy": 30, "long": 50, "short": 10}))
    plan = dispatch_plan(problem)
    assert plan[2][1] == 30 and plan[1][1] == 40


def test_insertion_fills_gaps_before_breaks():
    """A short load goes into the gap before a break instead of waiting behind it."""
    data = read_fixture("three_trucks_one_dock.json")
    docks = [dict(data["docks"][0], breaks=[[70, 200]])]
    problem = build_problem(docks, data["loads"], durations=FixedMinutes(data["minutes"]))
    plan = insertion_plan(problem)
    assert check_plan(problem, plan) == []
    assert plan[0] == (0, 0) and plan[1] == (0, 60) and plan[2] == (0, 200)
