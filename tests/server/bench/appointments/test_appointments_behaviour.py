"""Driver behaviour on the appointment day: seeded, with the mix the issue names."""

from server.bench.appointments.behaviour import LATE, NO_SHOW, ON_TIME, ArrivalNoise, draw_behaviour
from server.engines.docks.generator import plant_day

IDS = [f"T{n:04d}" for n in range(1, 2001)]


def test_the_same_seed_gives_the_same_drivers_and_another_seed_others():
    """One seed, one day of drivers; the draw is reproducible."""
    assert draw_behaviour(IDS, 7) == draw_behaviour(IDS, 7)
    assert draw_behaviour(IDS, 7) != draw_behaviour(IDS, 8)


def test_the_mix_has_three_to_five_percent_no_shows_late_trucks_and_small_noise():
    """No-shows 3-5%, late trucks 30-90 min, the rest within the clip and mostly within 15 min."""
    noise = ArrivalNoise()
    for seed in (1, 2, 3):
        drawn = draw_behaviour(IDS, seed)
        kinds = [b.kind for b in drawn.values()]
        assert 0.03 * len(IDS) <= kinds.count(NO_SHOW) <= 0.05 * len(IDS)
        late = [b for b in drawn.values() if b.kind == LATE]
        assert all(30 <= b.delta <= 90 for b in late)
        assert 0.05 < len(late) / len(IDS) < 0.11
        assert 0.5 < sum(b.announced for b in late) / len(late) < 0.95
        on_time = [b.delta for b in drawn.values() if b.kind == ON_TIME]
        assert all(abs(d) <= noise.clip_min for d in on_time)
        assert sum(abs(d) <= 15 for d in on_time) / len(on_time) > 0.9
        assert all(b.delta is None for b in drawn.values() if b.kind == NO_SHOW)


def test_drawing_drivers_leaves_the_generated_day_alone():
    """The behaviour has its own random stream: the plant day of a seed is the same with or without it."""
    before = plant_day(50, 4, 3)
    draw_behaviour(IDS, 3)
    assert plant_day(50, 4, 3) == before


def test_most_no_shows_share_gps_and_the_rest_of_the_draw_is_as_before():
    """About three in four no-shows are seen by their GPS (their trip never starts); drawing that from a
    stream of its own leaves every truck's kind and minutes as they were."""
    for seed in (1, 2, 3):
        drawn = draw_behaviour(IDS, seed)
        no_shows = [b for b in drawn.values() if b.kind == NO_SHOW]
        assert 0.5 < sum(b.announced for b in no_shows) / len(no_shows) < 0.95
    before = {"T0001": (ON_TIME, 3), "T0002": (ON_TIME, -23)}  # seed 1 before the GPS draw was added
    assert {t: (b.kind, b.delta) for t, b in draw_behaviour(IDS, 1).items() if t in before} == before
