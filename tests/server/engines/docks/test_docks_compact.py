"""Tests for server/engines/docks/compact.py and ``replan(compact=True)``: moving trucks up into freed time."""

from server.engines.docks import Appointment, DockResult, ObjectiveParts, build_problem, replan
from server.engines.docks.compact import left_shift
from tests.server.engines.docks.docks_helpers import FixedMinutes


def _problem(arrivals: dict[str, int]):
    return build_problem(
        [{"id": "D1", "equipment": ["pallet_dock"]}],
        [{"id": t, "equipment": "pallet_dock", "arrival": a} for t, a in arrivals.items()],
        durations=FixedMinutes(dict.fromkeys(arrivals, 30)),
    )


def test_a_chain_moves_up_into_a_gap_and_small_gains_are_not_worth_a_move():
    """B and C slide up behind A; D would gain only 4 minutes, less than telling its driver costs."""
    problem = _problem({"A": 100, "B": 110, "C": 120, "D": 226})
    plan = {0: (0, 100), 1: (0, 170), 2: (0, 200), 3: (0, 230)}
    moved = left_shift(problem, plan, min_gain=5)
    assert plan == {0: (0, 100), 1: (0, 130), 2: (0, 160), 3: (0, 230)}
    assert moved == {1, 2}


def test_replan_compacts_only_when_asked():
    """A no-show's slot is taken off the day: with ``compact`` the truck behind moves up and is reported."""
    problem = _problem({"B": 100})
    told = (Appointment("B", "D1", 160, 190, 60, 0),)
    previous = DockResult("feasible", ObjectiveParts(60, 0, 0, 0, 0, 60), told, (), 0.0)
    plain = replan(problem, previous, changed=[])
    assert plain.moved == ()
    compacted = replan(problem, previous, changed=[], compact=True)
    assert [(m.load_id, m.old_start, m.new_start) for m in compacted.moved] == [("B", 160, 100)]
