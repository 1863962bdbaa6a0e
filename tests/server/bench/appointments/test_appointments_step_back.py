"""A late truck steps back behind the trucks booked before its ETA; a no-show's time is pulled up into."""

from server.bench.appointments.behaviour import LATE, NO_SHOW, Behaviour
from server.bench.appointments.live_day import LiveRules
from server.bench.appointments.step_back import pull_up, step_back
from server.engines.docks import build_problem
from tests.server.bench.appointments.test_appointments_live_day import _day, on_time
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


def test_live_a_late_truck_that_needs_a_little_more_than_was_freed_slides_the_truck_behind_it():
    """Live: B may not start before 105, so L (30 min, 45 late) gets 135 and C slides from 160 to 165."""
    outcome, day = _day(1, {"L": (100, 30, "D1", 100), "B": (105, 30, "D1", 130), "C": (100, 30, "D1", 160)},
                        {"L": Behaviour(LATE, 35, announced=True), "B": on_time(), "C": on_time()})
    assert [(day[t].aim, day[t].start) for t in "BLC"] == [(105, 105), (135, 135), (165, 165)]


def test_an_announced_late_truck_loses_about_its_lateness_and_the_trucks_before_its_eta_come_sooner():
    """Live: L (45 min late, announced at 70) steps back behind A and B, who are told at 70 to come
    20 minutes sooner; L comes for the slot after B and waits for it off site; C keeps its slot."""
    outcome, day = _day(1, {"L": (100, 20, "D1", 100), "A": (100, 30, "D1", 120), "B": (100, 30, "D1", 150),
                            "C": (100, 30, "D1", 200)},
                        {"L": Behaviour(LATE, 45, announced=True), "A": on_time(), "B": on_time(), "C": on_time()})
    assert [(day[t].aim, day[t].start) for t in "ABC"] == [(100, 100), (130, 130), (200, 200)]
    assert day["L"].aim == day["L"].gate_in == day["L"].start == 160
    assert outcome.released == 1 and outcome.replan_seconds == []


def test_the_trucks_behind_a_no_show_that_can_still_be_told_move_up_into_its_time():
    """N never comes; after its grace period (115) the trucks booked behind it whose gate is at least
    half an hour away move up; B, too close to its gate, keeps its slot."""
    rules = LiveRules(ahead_min=0, replan_limit_s=0.3)
    outcome, day = _day(1, {"N": (100, 40, "D1", 100), "B": (100, 30, "D1", 140), "C": (100, 30, "D1", 170),
                            "E": (100, 30, "D1", 200)},
                        {"N": Behaviour(NO_SHOW, None), "B": on_time(), "C": on_time(), "E": on_time()}, rules)
    assert day["B"].start == 140
    assert (day["C"].aim, day["C"].start) == (170, 170)  # gate at 170: under half an hour after 115
    assert (day["E"].aim, day["E"].start) == (200, 200)  # nothing freed before it: the dock is full to 200
    assert outcome.grace_over == 1


def test_a_no_show_whose_trip_never_starts_loses_its_slot_half_an_hour_ahead_and_the_trucks_behind_move_up():
    """N shares GPS and is not on the road at 70: its booking is cancelled then, and B and C, told in
    time, come 40 minutes sooner; nobody waits through a grace period."""
    outcome, day = _day(1, {"N": (100, 40, "D1", 100), "B": (100, 30, "D1", 140), "C": (100, 30, "D1", 170)},
                        {"N": Behaviour(NO_SHOW, None, announced=True), "B": on_time(), "C": on_time()})
    assert [(day[t].aim, day[t].start) for t in "BC"] == [(100, 100), (130, 130)]
    assert day["N"].start is None and outcome.no_trip_released == 1 and outcome.grace_over == 0


def test_a_no_show_without_gps_holds_its_slot_through_the_grace_period():
    """The same no-show without GPS: nothing is known before the grace period runs out."""
    outcome, day = _day(1, {"N": (100, 40, "D1", 100), "B": (100, 30, "D1", 140)},
                        {"N": Behaviour(NO_SHOW, None), "B": on_time()})
    assert day["B"].start == 140 and outcome.no_trip_released == 0 and outcome.grace_over == 1
