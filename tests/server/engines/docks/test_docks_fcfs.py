"""Tests for server/engines/docks/fcfs.py."""

from server.engines.docks import build_problem, fcfs
from server.engines.docks.fcfs import fcfs_plan
from server.engines.docks.result import check_plan
from tests.server.engines.docks.docks_helpers import FixedMinutes, read_fixture


def test_fcfs_serves_in_arrival_order_without_looking_ahead():
    """The long load that came first is served first, so the short ones queue behind it."""
    data = read_fixture("three_trucks_one_dock.json")
    problem = build_problem(data["docks"], data["loads"], durations=FixedMinutes(data["minutes"]))
    result = fcfs(problem)
    assert [a.load_id for a in result.appointments] == ["A", "B", "C"]
    assert result.objective.total_waiting == data["fcfs_waiting"]
    assert result.method == "fcfs"


def test_fcfs_takes_the_dock_free_first_and_never_fills_earlier_gaps():
    """Each truck takes the compatible dock where it starts first; a dock does not go back in time."""
    docks = [
        {"id": "D1", "site": "p", "equipment": ["pallet_dock"], "breaks": [[30, 60]]},
        {"id": "D2", "site": "p", "equipment": ["pallet_dock"]},
    ]
    loads = [
        {"id": "long", "site": "p", "equipment": "pallet_dock", "arrival": 0},
        {"id": "next", "site": "p", "equipment": "pallet_dock", "arrival": 5},
        {"id": "short", "site": "p", "equipment": "pallet_dock", "arrival": 6},
    ]
    problem = build_problem(docks, loads, durations=FixedMinutes({"long": 40, "next": 40, "short": 10}))
    slots = {a.load_id: (a.dock_id, a.start) for a in fcfs(problem).appointments}
    # "long" cannot finish on D1 before its break, so it starts on D2 at once; "next" would
    # start on D1 at 60, so D2 at 40 is first; "short" fits on D1 before the break.
    assert slots == {"long": ("D2", 0), "next": ("D2", 40), "short": ("D1", 6)}
    assert check_plan(problem, fcfs_plan(problem)) == []


def test_strict_fcfs_lets_nobody_overtake():
    """In one gate queue a pallet truck waits behind an earlier tanker whose arm is busy."""
    docks = [
        {"id": "P1", "site": "p", "equipment": ["pallet_dock"]},
        {"id": "L1", "site": "p", "equipment": ["liquid_arm"]},
    ]
    loads = [
        {"id": "tank1", "site": "p", "equipment": "liquid_arm", "arrival": 0},
        {"id": "tank2", "site": "p", "equipment": "liquid_arm", "arrival": 1},
        {"id": "pallets", "site": "p", "equipment": "pallet_dock", "arrival": 2},
    ]
    problem = build_problem(docks, loads, durations=FixedMinutes({"tank1": 60, "tank2": 60, "pallets": 20}))
    assert fcfs(problem).by_load()["pallets"].start == 2
    strict = fcfs(problem, strict=True)
    assert strict.by_load()["pallets"].start == 60 and strict.method == "fcfs-strict"
