"""Live: a late truck steps back behind the trucks booked before its ETA; a no-show's time is pulled up into
(the rules themselves: ``tests/server/engines/docks/test_docks_step_back.py``)."""

from server.bench.appointments.behaviour import LATE, NO_SHOW, Behaviour
from server.bench.appointments.live_day import LiveRules
from tests.server.bench.appointments.test_appointments_live_day import _day, on_time


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
