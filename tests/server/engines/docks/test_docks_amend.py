"""Tests for server/engines/docks/amend.py: many ETAs at once, and loads taken off the day."""

import pytest

from server.engines.common import Limits
from server.engines.docks import (
    CANCELLED,
    DockValidationError,
    build_problem,
    solve,
    with_arrival,
    with_arrivals,
    without_loads,
)
from tests.server.engines.docks.docks_helpers import FixedMinutes


def _problem():
    return build_problem(
        [{"id": "D1", "equipment": ["pallet_dock"], "opening": [[0, 600]]}],
        [{"id": t, "equipment": "pallet_dock", "arrival": a, "due": a + 60} for t, a in (("A", 100), ("B", 110))],
        durations=FixedMinutes({"A": 30, "B": 30}),
    )


def test_many_arrivals_at_once_match_one_at_a_time():
    """Changing two ETAs together gives the problem that two single changes give; windows stay."""
    problem = _problem()
    together = with_arrivals(problem, {"A": 140, "B": 90.4})
    one_by_one = with_arrival(with_arrival(problem, "A", 140), "B", 90)
    assert together.loads == one_by_one.loads
    assert [load.due for load in together.loads] == [160, 170]
    assert with_arrivals(problem, {"A": 100}) is problem


def test_an_arrival_past_closing_makes_the_load_impossible_and_bad_input_names_the_field():
    """An ETA after the docks close cannot be placed; unknown loads and non-numbers are refused by path."""
    late = with_arrivals(_problem(), {"A": 590})
    assert dict(late.impossible) == {0: "no_opening_fits_duration"}
    with pytest.raises(DockValidationError) as refused:
        with_arrivals(_problem(), {"Z": 1, "A": float("nan")})
    assert [path for path, _ in refused.value.errors] == ["arrivals/Z", "arrivals/A"]


def test_a_cancelled_load_is_left_out_with_its_reason_and_frees_its_time():
    """A no-show taken off the day gets no slot (reason ``cancelled``) and the other truck starts on time."""
    result = solve(without_loads(_problem(), ["A"]), Limits(time_limit_s=1.0))
    assert [(u.load_id, u.reason) for u in result.unscheduled] == [("A", CANCELLED)]
    assert [(a.load_id, a.start) for a in result.appointments] == [("B", 110)]
