"""Overbooking by the no-show rate: drivers are told the booking compressed by a share of dock time."""

import pytest

from server.bench.appointments.overbook import told_times
from server.engines.docks import build_problem
from tests.server.engines.docks.docks_helpers import FixedMinutes


def _problem(trucks: dict[str, tuple[int, int]]):
    """One pallet dock; ``trucks`` maps id -> (requested, minutes)."""
    return build_problem(
        [{"id": "D1", "equipment": ["pallet_dock"]}],
        [{"id": t, "equipment": "pallet_dock", "arrival": req} for t, (req, _) in trucks.items()],
        durations=FixedMinutes({t: minutes for t, (_, minutes) in trucks.items()}),
    )


def test_a_backlog_is_told_earlier_by_the_share_of_the_dock_time_booked_before_it():
    """Three 60-minute loads asked for at 0, booked back to back: with 10 % overbooking the second
    is told 54 and the third 108; the plan itself is not touched."""
    problem = _problem({"A": (0, 60), "B": (0, 60), "C": (0, 60)})
    plan = {0: (0, 0), 1: (0, 60), 2: (0, 120)}
    assert told_times(problem, plan, 0.1) == {0: 0, 1: 54, 2: 108}
    assert plan == {0: (0, 0), 1: (0, 60), 2: (0, 120)}


def test_nobody_is_told_to_come_before_the_time_asked_for_nor_after_the_booked_slot():
    """B asked for 100: its slot at 100 stays 100 though A's dock time shrinks; with no share every
    driver is told the booked slot."""
    problem = _problem({"A": (0, 60), "B": (100, 60)})
    plan = {0: (0, 0), 1: (0, 100)}
    assert told_times(problem, plan, 0.5) == {0: 0, 1: 100}
    assert told_times(problem, {0: (0, 0), 1: (0, 120)}, 0.0) == {0: 0, 1: 120}


def test_a_share_outside_zero_to_one_is_refused():
    with pytest.raises(ValueError):
        told_times(_problem({"A": (0, 60)}), {0: (0, 0)}, 1.0)
