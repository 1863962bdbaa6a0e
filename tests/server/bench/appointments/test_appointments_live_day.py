"""The appointment day played live: early, late, announced and absent trucks on tiny plants."""

from server.bench.appointments.behaviour import LATE, NO_SHOW, ON_TIME, Behaviour, draw_behaviour
from server.bench.appointments.live_day import LiveRules, play_day
from server.engines.common import Limits
from server.engines.docks import build_problem, solve
from server.engines.docks.generator import plant_day
from server.engines.docks.result import to_result
from tests.server.engines.docks.docks_helpers import FixedMinutes

RULES = LiveRules(ahead_min=0, replan_limit_s=0.3)  # drivers aim at the slot itself unless a test says
NO_STANDBY = LiveRules(ahead_min=0, replan_limit_s=0.3, standby=False)


def _day(docks: int, trucks: dict[str, tuple[int, int, str, int]], behaviour: dict[str, Behaviour],
         rules: LiveRules = RULES):
    """Play ``docks`` pallet docks; ``trucks`` maps id -> (requested, minutes, dock id, booked start)."""
    problem = build_problem(
        [{"id": f"D{d + 1}", "equipment": ["pallet_dock"]} for d in range(docks)],
        [{"id": t, "equipment": "pallet_dock", "arrival": req} for t, (req, _, _, _) in trucks.items()],
        durations=FixedMinutes({t: minutes for t, (_, minutes, _, _) in trucks.items()}),
    )
    plan = {problem.load_index[t]: (problem.dock_index[dock], start) for t, (_, _, dock, start) in trucks.items()}
    outcome = play_day(problem, to_result(problem, plan, 0.0), behaviour, rules)
    return outcome, {t.load_id: t for t in outcome.trucks}


def on_time(delta: int = 0) -> Behaviour:
    return Behaviour(ON_TIME, delta)


def test_trucks_that_keep_their_slots_start_at_them_and_never_wait():
    """Everyone on time: each truck starts at its slot, nobody waits on site, nothing is re-planned."""
    outcome, day = _day(2, {"A": (100, 30, "D1", 100), "B": (130, 30, "D1", 130), "C": (100, 20, "D2", 100)},
                        {"A": on_time(), "B": on_time(), "C": on_time()})
    assert [(day[t].gate_in, day[t].start) for t in "ABC"] == [(100, 100), (130, 130), (100, 100)]
    assert outcome.replan_seconds == [] and outcome.moves == 0


def test_an_early_truck_starts_when_a_dock_is_free_and_otherwise_waits_for_its_slot():
    """Early at a free dock: called in at once; early at a busy dock: it waits on site for its slot."""
    outcome, day = _day(1, {"X": (60, 40, "D1", 60), "A": (100, 30, "D1", 100), "B": (300, 30, "D1", 300)},
                        {"X": on_time(), "A": on_time(-10), "B": on_time(-20)})
    assert (day["A"].gate_in, day["A"].start) == (90, 100)
    assert (day["B"].gate_in, day["B"].start) == (280, 280)
    assert outcome.called_in_early == 1


def test_drivers_asked_to_come_ahead_of_their_slot_wait_that_long_on_site():
    """Asked to be there ten minutes early, a punctual driver waits ten minutes; a dock free early takes him."""
    outcome, day = _day(2, {"X": (60, 70, "D1", 60), "Y": (60, 80, "D2", 60), "A": (100, 30, "D1", 130),
                            "B": (300, 30, "D2", 300)},
                        {"X": on_time(10), "Y": on_time(10), "A": on_time(), "B": on_time()}, LiveRules(ahead_min=10))
    assert [(day[t].gate_in, day[t].start) for t in "XY"] == [(60, 60), (60, 60)]  # ten minutes late: on time
    assert (day["A"].gate_in, day["A"].start) == (120, 130)
    assert (day["B"].gate_in, day["B"].start) == (290, 290)
    assert outcome.called_in_early == 1


def test_a_truck_late_inside_its_grace_period_starts_on_arrival_and_the_next_truck_slides():
    """10 minutes late: it loads at once; the truck behind it on that dock moves back by the overlap."""
    outcome, day = _day(1, {"A": (100, 30, "D1", 100), "B": (130, 30, "D1", 130)},
                        {"A": on_time(10), "B": on_time()})
    assert day["A"].start == 110
    assert day["B"].start == 140 and day["B"].gate_in == 130  # told under half an hour ahead: came anyway
    assert outcome.moves >= 1 and len(outcome.replan_seconds) == 1


def test_a_no_show_frees_its_dock_after_the_grace_period_for_a_truck_waiting_on_site():
    """Nobody came for the 100 slot: after 10 minutes' grace the early truck behind it takes the dock."""
    outcome, day = _day(1, {"N": (100, 30, "D1", 100), "W": (130, 30, "D1", 130)},
                        {"N": Behaviour(NO_SHOW, None), "W": on_time(-25)}, LiveRules(ahead_min=0, grace_min=10, replan_limit_s=0.3))
    assert day["N"].start is None and day["N"].gate_in is None
    assert (day["W"].gate_in, day["W"].start) == (105, 110)
    assert outcome.grace_over == 1


def test_a_late_truck_found_out_at_the_gate_gets_the_next_gap():
    """An hour late and unannounced: its slot is given up after the grace period; at the gate it is
    re-planned into the first gap after the truck loading then."""
    outcome, day = _day(1, {"L": (100, 20, "D1", 100), "C": (150, 30, "D1", 150)},
                        {"L": Behaviour(LATE, 60, announced=False), "C": on_time()})
    assert day["L"].gate_in == 160 and day["L"].start == 180
    assert day["C"].start == 150
    assert outcome.grace_over == 1 and outcome.walk_ins == 1


def test_an_announced_late_truck_is_re_planned_before_it_arrives_and_waits_off_site():
    """Without stand-by, its GPS ETA half an hour before the slot makes Haul re-plan; the driver comes for
    the new slot."""
    outcome, day = _day(1, {"L": (100, 20, "D1", 100), "C": (140, 30, "D1", 140)},
                        {"L": Behaviour(LATE, 45, announced=True), "C": on_time()}, NO_STANDBY)
    assert day["L"].start >= 145
    assert day["L"].gate_in == day["L"].start == day["L"].aim  # no waiting on site
    assert len(outcome.replan_seconds) == 1


def test_a_generated_day_ends_with_a_valid_schedule_for_every_truck_that_came():
    """No two trucks share a dock at once, none loads in closed hours or before it came, all are loaded."""
    problem = build_problem(*plant_day(40, 4, 2))
    behaviour = draw_behaviour([load.id for load in problem.loads], 2)
    booked = solve(problem, Limits(time_limit_s=1.0, seed=2))
    outcome = play_day(problem, booked, behaviour, LiveRules(replan_limit_s=0.2, seed=2))
    by_dock: dict[int, list[tuple[int, int]]] = {}
    for truck in outcome.trucks:
        if behaviour[truck.load_id].kind == NO_SHOW:
            assert truck.start is None
            continue
        assert truck.start is not None and truck.start >= truck.gate_in
        i, d = problem.load_index[truck.load_id], problem.dock_index[truck.dock]
        assert truck.end - truck.start == problem.duration[i][d]
        by_dock.setdefault(d, []).append((truck.start, truck.end))
    for d, slots in by_dock.items():
        slots.sort()
        assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(slots, slots[1:], strict=False))
        assert not any(s < end and start < e for start, end in slots for s, e in problem.closed[d])


def test_a_walk_in_whose_next_gap_is_far_off_waits_for_it_off_site():
    """Without stand-by: its new slot is 40 minutes away, it leaves the gate with it and checks in when it
    comes back."""
    outcome, day = _day(1, {"L": (100, 20, "D1", 100), "C": (150, 50, "D1", 150)},
                        {"L": Behaviour(LATE, 60, announced=False), "C": on_time()}, NO_STANDBY)
    assert day["L"].aim == day["L"].gate_in == day["L"].start == 200
    assert outcome.walk_ins == 1 and outcome.sent_off_site == 1


def test_a_no_show_s_dock_goes_at_its_slot_start_to_the_truck_waiting_on_site():
    """Stand-by: nobody came for D1 at 100 and W waits on site for D2 at 110: D1 calls W at 100 (the
    absent truck would have had W's slot), without holding the dock empty through the grace period."""
    outcome, day = _day(2, {"N": (100, 30, "D1", 100), "X": (80, 30, "D2", 80), "W": (110, 30, "D2", 110)},
                        {"N": Behaviour(NO_SHOW, None), "X": on_time(), "W": on_time(-20)})
    assert (day["W"].gate_in, day["W"].start, day["W"].dock) == (90, 100, "D1")
    assert day["N"].start is None
    assert outcome.standby_calls == 1 and outcome.grace_over == 1


def test_a_truck_a_few_minutes_late_takes_the_slot_of_the_stand_by_and_nobody_behind_it_slides():
    """A is five minutes late for D1 at 100; W, on site for D2 at 110, takes D1 at 100 and A W's slot;
    B, booked behind A on D1, starts at its own slot and nothing is re-planned."""
    outcome, day = _day(2, {"A": (100, 30, "D1", 100), "B": (130, 30, "D1", 130), "X": (80, 30, "D2", 80),
                            "W": (110, 30, "D2", 110)},
                        {"A": on_time(5), "B": on_time(), "X": on_time(), "W": on_time(-15)})
    assert (day["W"].gate_in, day["W"].start, day["W"].dock) == (95, 100, "D1")
    assert (day["A"].gate_in, day["A"].start, day["A"].dock) == (105, 110, "D2")
    assert day["B"].start == 130
    assert outcome.replan_seconds == [] and outcome.standby_calls == 1 and outcome.bumped == 1


def test_without_stand_by_the_late_truck_holds_its_dock_and_the_truck_behind_slides():
    """The same day with the plant's stand-by off: the dock waits for A and B slides (the old rule)."""
    rules = LiveRules(ahead_min=0, replan_limit_s=0.3, standby=False)
    outcome, day = _day(2, {"A": (100, 30, "D1", 100), "B": (130, 30, "D1", 130), "X": (80, 30, "D2", 80),
                            "W": (110, 30, "D2", 110)},
                        {"A": on_time(5), "B": on_time(), "X": on_time(), "W": on_time(-15)}, rules)
    assert day["A"].start == 105 and day["B"].start == 135 and outcome.standby_calls == 0



def test_an_announced_late_truck_frees_its_slot_at_once_and_gets_the_first_gap_from_its_eta():
    """L's GPS says 45 minutes late half an hour ahead: its slot is released, B (asked for 100, booked
    at 120 behind L) is told in time to come at 100; L gets the first gap from its ETA, moving nobody,
    and waits for it off site."""
    outcome, day = _day(1, {"L": (100, 20, "D1", 100), "B": (100, 30, "D1", 120)},
                        {"L": Behaviour(LATE, 45, announced=True), "B": on_time()})
    assert (day["B"].aim, day["B"].gate_in, day["B"].start) == (100, 100, 100)
    assert day["L"].aim == day["L"].gate_in == day["L"].start >= 145
    assert outcome.released == 1


def test_by_default_drivers_are_asked_to_come_ten_minutes_ahead():
    """The plant's default buffer: a punctual driver is at the gate ten minutes before his slot."""
    outcome, day = _day(1, {"X": (50, 50, "D1", 50), "A": (100, 30, "D1", 100)},
                        {"X": on_time(), "A": on_time()}, LiveRules(replan_limit_s=0.3))
    assert (day["X"].gate_in, day["X"].start) == (40, 40)  # the dock is free: called in at once
    assert (day["A"].gate_in, day["A"].start) == (90, 90)
    assert outcome.called_in_early == 2
