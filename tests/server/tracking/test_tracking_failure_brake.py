"""server.tracking.failure_brake: at most ``limit`` failures per key in a sliding window, keys bounded."""

from __future__ import annotations

from server.tracking.failure_brake import FailureBrake


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_a_key_is_braked_after_its_limit_and_released_after_the_window():
    """The limit-th failure engages the brake for that key only; the window's end lifts it."""
    clock = Clock()
    brake = FailureBrake(limit=3, window_s=60, clock=clock)
    assert [brake.failed("a") for _ in range(3)] == [False, False, True]
    assert brake.retry_after("a") == 61 and brake.retry_after("b") == 0
    assert brake.failed("a") is False  # counted no further while braked
    clock.now += 60.5
    assert brake.retry_after("a") == 0


def test_the_number_of_keys_is_bounded():
    """A flood of keys forgets the oldest ones instead of growing without end."""
    brake = FailureBrake(limit=2, window_s=60, clock=Clock(), max_keys=10)
    for n in range(100):
        brake.failed(f"address-{n}")
    assert len(brake._failures) == 10 and "address-99" in brake._failures
