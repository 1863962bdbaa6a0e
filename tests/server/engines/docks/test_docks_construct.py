"""Tests for server/engines/docks/construct.py."""

from server.engines.docks import build_problem
from server.engines.docks.construct import (
    LOOKAHEADS,
    construct,
    dispatch_plan,
    families,
    insertion_plan,
)
from server.engines.docks.fcfs import fcfs_plan
from server.engines.docks.generator import plant_day
from server.engines.docks.result import check_plan, chunk_key, evaluate
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


def test_families_split_loads_by_the_docks_they_share():
    """A side-loader truck ties the pallet docks to the pallet+side dock; the liquid arm stands alone."""
    docks = [
        {"id": "P", "site": "p", "equipment": ["pallet_dock"]},
        {"id": "PS", "site": "p", "equipment": ["pallet_dock", "side_loader"]},
        {"id": "L", "site": "p", "equipment": ["liquid_arm"]},
    ]
    loads = [
        {"id": "pal", "site": "p", "equipment": "pallet_dock", "arrival": 0},
        {"id": "side", "site": "p", "equipment": "side_loader", "arrival": 0},
        {"id": "tank", "site": "p", "equipment": "liquid_arm", "arrival": 0},
    ]
    problem = build_problem(docks, loads, durations=FixedMinutes({"pal": 20, "side": 20, "tank": 40}))
    assert sorted(sorted(group) for group in families(problem)) == [[0, 1], [2]]


def test_construct_is_no_worse_than_any_builder_on_any_family():
    """Families never share a dock, so construct keeps, per family, the cheapest builder's plan."""
    for seed in (1, 3):
        problem = build_problem(*plant_day(300, 12, seed=seed))
        plan = construct(problem)
        assert check_plan(problem, plan) == []
        builders = [
            fcfs_plan(problem),
            insertion_plan(problem),
            *(dispatch_plan(problem, k) for k in LOOKAHEADS),
        ]
        for members in families(problem):
            assert chunk_key(problem, plan, members) == min(chunk_key(problem, b, members) for b in builders)
