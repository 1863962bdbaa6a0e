"""Tests for server/engines/docks/replan.py and amend.py."""

import pytest

from server.engines.common import Limits
from server.engines.docks import DockValidationError, build_problem, replan, solve, with_arrival
from server.engines.docks.generator import plant_day
from server.engines.docks.result import check_plan
from tests.server.engines.docks.docks_helpers import plan_of

QUICK = Limits(time_limit_s=1.0, seed=0)


@pytest.fixture(scope="module")
def day():
    problem = build_problem(*plant_day(120, 8, seed=11))
    return problem, solve(problem, Limits(time_limit_s=1.5, seed=0), exact_max_loads=10)


def _busy_truck(problem, result):
    """A truck booked in the middle of the day that a 45-minute slip cannot keep in its slot."""
    return next(a for a in result.appointments if a.start > 600 and a.waiting < 45 and not a.frozen)


def test_eta_slip_moves_the_truck_and_reports_every_move(day):
    """After a 45-minute slip the truck starts after its new ETA; only reported loads changed."""
    problem, result = day
    truck = _busy_truck(problem, result)
    later = with_arrival(
        problem, truck.load_id, problem.loads[problem.load_index[truck.load_id]].arrival + 45
    )
    outcome = replan(later, result, changed=[truck.load_id], limits=QUICK)
    new = outcome.result.by_load()
    assert new[truck.load_id].start >= later.loads[later.load_index[truck.load_id]].arrival
    moved = {m.load_id for m in outcome.moved}
    assert truck.load_id in moved
    for old in result.appointments:
        if old.load_id not in moved:
            assert (new[old.load_id].dock_id, new[old.load_id].start) == (old.dock_id, old.start)
    assert 0 < outcome.neighbourhood <= 40
    assert check_plan(later, plan_of(later, outcome.result)) == []


def test_frozen_appointments_never_move(day):
    """Appointments in progress or called keep their dock and start even when neighbours move."""
    problem, result = day
    truck = _busy_truck(problem, result)
    same_dock = [a for a in result.appointments if a.dock_id == truck.dock_id and a.load_id != truck.load_id]
    frozen = [a.load_id for a in same_dock[:3]]
    later = with_arrival(
        problem, truck.load_id, problem.loads[problem.load_index[truck.load_id]].arrival + 45
    )
    outcome = replan(later, result, changed=[truck.load_id], frozen=frozen, limits=QUICK)
    new, old = outcome.result.by_load(), result.by_load()
    for load_id in frozen:
        assert new[load_id].frozen
        assert (new[load_id].dock_id, new[load_id].start) == (old[load_id].dock_id, old[load_id].start)
        assert load_id not in {m.load_id for m in outcome.moved}


def test_replan_without_a_real_change_moves_nothing():
    """Re-planning an optimal schedule whose ETAs did not change tells no driver anything."""
    problem = build_problem(*plant_day(30, 4, seed=1))
    result = solve(problem, Limits(time_limit_s=60, seed=0))
    assert result.proven_optimal
    outcome = replan(problem, result, changed=[result.appointments[10].load_id], limits=QUICK)
    assert outcome.moved == ()
    assert outcome.result.objective.cost == result.objective.cost


def test_replan_and_amend_refuse_unknown_loads(day):
    """Unknown load ids are validation errors with field paths."""
    problem, result = day
    with pytest.raises(DockValidationError) as caught:
        replan(problem, result, changed=["ghost"], frozen=["ghost"])
    assert [path for path, _ in caught.value.errors] == ["changed/0", "frozen/0"]
    with pytest.raises(DockValidationError):
        with_arrival(problem, "ghost", 10)
    with pytest.raises(DockValidationError):
        with_arrival(problem, problem.loads[0].id, float("nan"))
