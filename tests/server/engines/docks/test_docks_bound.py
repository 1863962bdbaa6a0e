"""Tests for server/engines/docks/bound.py: a valid and useful lower bound on waiting and cost."""

from server.engines.common import Limits
from server.engines.docks import build_problem, solve
from server.engines.docks.bound import lower_bound
from server.engines.docks.generator import plant_day
from tests.server.engines.docks.docks_helpers import FixedMinutes, read_fixture


def _one_dock(arrivals: dict[str, int], minutes: dict[str, int], pins=()):
    docks = [{"id": "D1", "site": "p", "equipment": ["pallet_dock"]}]
    loads = [{"id": k, "site": "p", "equipment": "pallet_dock", "arrival": a, "due": a} for k, a in arrivals.items()]
    return build_problem(docks, loads, durations=FixedMinutes(minutes), pins=pins)


def test_three_equal_trucks_on_one_dock_are_bounded_almost_exactly():
    """Three 30-minute trucks arriving together must wait 0 + 30 + 60; the bound gets within half a minute each."""
    problem = _one_dock({"A": 0, "B": 0, "C": 0}, {"A": 30, "B": 30, "C": 30})
    bound = lower_bound(problem, bucket=1)
    assert 88 <= bound.total_waiting <= 90
    assert 4 * 88 <= bound.cost <= 4 * 90  # every waiting minute is also a late minute here


def test_the_bound_never_exceeds_a_proven_optimum():
    """On the fixture and on small generated days, bound <= the exact solver's proven optimum."""
    data = read_fixture("three_trucks_one_dock.json")
    problem = build_problem(data["docks"], data["loads"], durations=FixedMinutes(data["minutes"]))
    assert 0 <= lower_bound(problem, bucket=1).total_waiting <= data["optimal_waiting"]
    for seed in (1, 2):
        problem = build_problem(*plant_day(16, 4, seed))
        result = solve(problem, Limits(time_limit_s=20, seed=1))
        assert result.proven_optimal
        bound = lower_bound(problem, bucket=2)
        assert bound.cost <= result.objective.cost + 1e-6
        assert bound.total_waiting <= result.objective.total_waiting + 1e-6


def test_pinned_appointments_count_as_they_are():
    """A pinned truck's own waiting is added to the bound, and its dock time is not available to others."""
    pinned = lower_bound(
        _one_dock({"A": 0, "B": 0}, {"A": 30, "B": 30}, pins=[{"load": "A", "dock": "D1", "start": 10}]), bucket=1
    )
    # A waits 10. B really starts at 40 (the pin holds 10-40); the relaxation may run B's first
    # ten minutes before the pin and the rest after it, which still means 19.5 minutes' wait.
    assert 10 + 19 <= pinned.total_waiting <= 10 + 40
