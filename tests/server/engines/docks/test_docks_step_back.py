"""The dock office's moves on a plan: a late truck steps back behind the trucks booked before its ETA,
the trucks behind a freed slot move up, and trucks in the way of a place slide back."""

from server.engines.docks import build_problem
from server.engines.docks.step_back import next_gap, pull_up, slide_back, step_back
from tests.server.engines.docks.docks_helpers import FixedMinutes


def _problem(docks: int, trucks: dict[str, tuple[int, int]]):
    """``docks`` pallet docks; ``trucks`` maps id -> (requested, minutes)."""
    return build_problem(
        [{"id": f"D{d + 1}", "equipment": ["pallet_dock"]} for d in range(docks)],
        [{"id": t, "equipment": "pallet_dock", "arrival": req} for t, (req, _) in trucks.items()],
        durations=FixedMinutes({t: minutes for t, (_, minutes) in trucks.items()}),
    )


def _slots(problem, plan) -> dict[str, tuple[str, int]]:
    return {problem.loads[i].id: (problem.docks[d].id, start) for i, (d, start) in plan.items()}


def test_a_late_truck_goes_behind_the_trucks_booked_before_its_eta_and_they_move_up():
    """L (20 min at 100) will come at 150: A and B move up by 20 minutes; L takes the time after B;
    C, booked after L's ETA, stays."""
    problem = _problem(1, {"L": (100, 20), "A": (100, 30), "B": (100, 30), "C": (100, 30)})
    plan = {0: (0, 100), 1: (0, 120), 2: (0, 150), 3: (0, 200)}
    moved, place = step_back(problem, plan, 0, 150, lambda j: 100)
    assert _slots(problem, plan) == {"A": ("D1", 100), "B": ("D1", 130), "C": ("D1", 200)}
    assert sorted(moved) == [1, 2] and place == (0, 160)


def test_a_truck_that_cannot_be_told_in_time_stays_and_the_ones_behind_it_do_not_jump_it():
    """A cannot move (too close to its gate): it stays at 120; B moves up only into the time left after A."""
    problem = _problem(1, {"L": (100, 20), "A": (100, 30), "B": (100, 30)})
    plan = {0: (0, 100), 1: (0, 120), 2: (0, 160)}
    _, place = step_back(problem, plan, 0, 200, lambda j: None if j == 1 else 100)
    assert _slots(problem, plan)["A"] == ("D1", 120) and _slots(problem, plan)["B"] == ("D1", 150)
    assert place == (0, 200)


def test_no_truck_moves_before_the_time_it_can_start():
    """B may start at 140 at the earliest: it moves up from 160 to 140, not to 120."""
    problem = _problem(1, {"N": (100, 40), "B": (100, 30)})
    plan = {1: (0, 160)}
    moved, _ = pull_up(problem, plan, 0, 100, lambda j: 140)
    assert plan == {1: (0, 140)} and moved == [1]


def test_the_pull_up_stops_at_a_late_truck_s_eta():
    """With ``until`` (125), trucks stop moving up once the freed time reaches it: A moves up and the
    time freed after A (130-160) is what the late truck gets."""
    problem = _problem(1, {"A": (0, 30), "B": (0, 30), "C": (0, 30)})
    plan = {0: (0, 130), 1: (0, 160), 2: (0, 190)}
    assert pull_up(problem, plan, 0, 100, lambda j: 0, until=125) == ([0], 130)
    assert plan == {0: (0, 100), 1: (0, 160), 2: (0, 190)}


def test_a_truck_that_cannot_start_sooner_leaves_too_little_room_and_the_late_truck_still_goes_after_its_eta():
    """L (24 min at 448, ETA 487); T1 may not start before 450, so two minutes are lost and the time
    freed is 22 minutes: L's place is still right after the trucks moved up (497), and the caller
    slides T3 back two minutes, instead of L going to the first gap of a full day."""
    problem = _problem(2, {"L": (300, 24), "T1": (450, 23), "T2": (400, 24), "T3": (400, 24), "X": (0, 900)})
    plan = {0: (0, 448), 1: (0, 472), 2: (0, 495), 3: (0, 519), 4: (1, 0)}
    moved, place = step_back(problem, plan, 0, 487, lambda j: 450 if j == 1 else 448)
    assert _slots(problem, plan) == {"T1": ("D1", 450), "T2": ("D1", 473), "T3": ("D1", 519), "X": ("D2", 0)}
    assert place == (0, 497) and moved == [1, 2]




def test_the_trucks_in_the_way_of_a_place_slide_back_just_far_enough_and_push_the_ones_behind():
    """Room for 30 min from 100: A (110-140) slides to 130, B (150-180) is pushed to 160; C (250) stays."""
    problem = _problem(1, {"A": (0, 30), "B": (0, 30), "C": (0, 30)})
    plan = {0: (0, 110), 1: (0, 150), 2: (0, 250)}
    assert sorted(slide_back(problem, plan, 0, 100, 30, lambda j: True)) == [0, 1]
    assert plan == {0: (0, 130), 1: (0, 160), 2: (0, 250)}


def test_a_truck_in_the_way_that_may_not_move_leaves_the_plan_untouched():
    """B is called (may not move): no room is made, A is not moved either."""
    problem = _problem(1, {"A": (0, 30), "B": (0, 30)})
    plan = {0: (0, 110), 1: (0, 140)}
    assert slide_back(problem, plan, 0, 100, 30, lambda j: j != 1) is None
    assert plan == {0: (0, 110), 1: (0, 140)}


def test_the_next_gap_is_the_earliest_finish_on_any_dock_moving_nobody():
    """L (30 min) from 100: D1 is busy until 160, D2 free from 120: D2 at 120."""
    problem = _problem(2, {"L": (0, 30), "A": (0, 60), "B": (0, 20)})
    plan = {1: (0, 100), 2: (1, 100)}
    assert next_gap(problem, plan, 0, 100) == (1, 120)
