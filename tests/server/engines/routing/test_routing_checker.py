"""The independent solution checker catches each kind of infeasibility."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.engines.routing.checker import check_solution
from server.engines.routing.readers import read_instance

DATA = Path(__file__).resolve().parents[3] / "data" / "routing"


@pytest.fixture
def solomon():
    return read_instance(DATA / "solomon_tiny.txt")


def test_feasible_solution_passes_with_recomputed_cost(solomon):
    """A valid plan is feasible and its cost is recomputed from coordinates (DIMACS)."""
    report = check_solution(solomon, [[1, 2], [3, 4], [5]], "dimacs")
    assert report.feasible, report.errors
    # 10+10+20 | 10+10+20 | 14.1+14.1
    assert report.cost == pytest.approx(40 + 40 + 28.2)
    assert report.vehicles == 3


def test_late_arrival_is_caught(solomon):
    """Serving 5 (opens at 100) before 1 reaches customer 1 after its due time 60."""
    report = check_solution(solomon, [[5, 1], [2], [3, 4]], "dimacs")
    assert not report.feasible
    assert any("customer 1" in e and "due" in e for e in report.errors)


def test_capacity_excess_is_caught(solomon):
    """Customers 1+2+3 need 35 > capacity 30."""
    report = check_solution(solomon, [[1, 2, 3], [4], [5]], "dimacs")
    assert any("capacity" in e for e in report.errors)


def test_missing_and_duplicate_customers_are_caught(solomon):
    """A customer left out and one visited twice are both reported."""
    report = check_solution(solomon, [[1, 2], [3, 3], [5]], "dimacs")
    assert any("visited twice" in e for e in report.errors)
    assert any("not visited: [4]" in e for e in report.errors)


def test_too_many_vehicles_is_caught(solomon):
    """Four routes exceed the fleet of three."""
    report = check_solution(solomon, [[1], [2], [3, 4], [5]], "dimacs")
    assert any("fleet has 3" in e for e in report.errors)


def test_precedence_and_same_route_are_checked():
    """A delivery before its pickup, or on another route, is infeasible."""
    lilim = read_instance(DATA / "lilim_tiny.txt")
    assert check_solution(lilim, [[1, 2, 3, 4]], "exact").feasible
    backwards = check_solution(lilim, [[2, 1], [3, 4]], "exact")
    assert any("before pickup" in e for e in backwards.errors)
    split = check_solution(lilim, [[1, 3], [2, 4]], "exact")
    assert any("different routes" in e for e in split.errors)
