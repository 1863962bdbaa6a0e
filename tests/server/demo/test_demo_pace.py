"""The demo's time acceleration and its named waits."""

from __future__ import annotations

import pytest

from server.demo.pace import Pace, Timers


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_sixty_times_faster_makes_a_simulated_minute_one_second():
    """At speed 60, a simulated minute is one real second and trucks drive 60 times faster."""
    pace = Pace(60)
    assert pace.real_s(1) == pytest.approx(1.0)
    assert pace.real_s(30) == pytest.approx(30.0)
    assert pace.truck_mps() == pytest.approx(80 / 3.6 * 60)


@pytest.mark.parametrize("speed", [0, 0.5, 5000])
def test_speed_outside_one_to_3600_is_refused(speed):
    """A speed that would freeze or blur the day is a clear error."""
    with pytest.raises(ValueError, match="speed"):
        Pace(speed)


def test_a_timer_is_due_only_after_its_simulated_minutes():
    """The first call starts the wait; the timer is due once the simulated minutes passed."""
    clock = FakeClock()
    timers = Timers(Pace(60), clock=clock)
    assert not timers.due("call", 10)
    clock.now += 9.5
    assert not timers.due("call", 10)
    clock.now += 0.5
    assert timers.due("call", 10)


def test_expired_and_cleared_timers():
    """An expired timer is due at once; clearing a load's timers starts its waits again."""
    clock = FakeClock()
    timers = Timers(Pace(60), clock=clock)
    timers.expire(("day", 1))
    assert timers.due(("day", 1), 60)
    assert not timers.due((7, "call"), 10)
    clock.now += 10
    timers.clear_load(7)
    assert not timers.due((7, "call"), 10)
