"""The demo's time acceleration, and the timers its actors wait on.

The server keeps real time (every timestamp it stores is real). The demo day is compressed
instead: with ``speed`` 60 a step that takes a simulated minute happens one real second
later, and trucks drive 60 times faster than a real truck. So the order of things, and what
the dashboards show, is a real day's, only faster.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

DEFAULT_SPEED = 60.0  # one simulated minute per real second
TRUCK_KMH = 80.0  # straight-line speed of a simulated truck (about 65 km/h on real roads)

# How long each step takes, in simulated minutes.
GRAB_REACTION = (1.0, 6.0)  # a dispatcher notices a fixed-price load on the board
BID_REACTION = (1.0, 8.0)
AUCTION_MINUTES = 20.0  # auction deadline after the tender opens
WAIT_BEFORE_CALL = 10.0  # a checked-in truck waits in the queue before the dock calls it
CALLED_TO_LOADING = 5.0  # the truck backs onto the dock
LOADING = 30.0
LOADED_TO_DEPARTED = 5.0  # papers, seal, out of the gate
UNLOADING = 15.0  # at the buyer before the proof of delivery is signed
AFTER_DELIVERY = 10.0  # the driver switches tracking off
BETWEEN_DAYS = 60.0
PARKED_HEARTBEAT = 5.0  # a parked phone still reports every few minutes

MIN_AUCTION_REAL_S = 6.0  # even at high speeds, carriers get a few real seconds to bid


def real_now() -> datetime:
    return datetime.now(UTC)


class SimulatedClock:
    """A clock that runs ``speed`` times faster than real time from ``start`` (a headless run's "now",
    so the server's deadlines, windows and dock slots pass as fast as the simulated day)."""

    def __init__(self, speed: float, start: datetime | None = None, monotonic: Callable[[], float] = time.monotonic):
        self.speed, self._monotonic = speed, monotonic
        self._start, self._t0 = start or real_now(), monotonic()

    def __call__(self) -> datetime:
        return self._start + timedelta(seconds=(self._monotonic() - self._t0) * self.speed)


@dataclass(frozen=True)
class Pace:
    """Converts simulated durations to real ones for a ``speed`` factor, and says what time it is
    (``now``: real time for the live demo, a `SimulatedClock` for a headless run)."""

    speed: float = DEFAULT_SPEED
    min_auction_real_s: float = MIN_AUCTION_REAL_S  # a headless run has no people to wait for
    now: Callable[[], datetime] = real_now

    def __post_init__(self):
        if not 1.0 <= self.speed <= 3600.0:
            raise ValueError("speed must be between 1 and 3600 (simulated seconds per real second)")

    def real_s(self, sim_minutes: float) -> float:
        return sim_minutes * 60.0 / self.speed

    def truck_mps(self) -> float:
        """How fast a simulated truck moves in real metres per real second."""
        return TRUCK_KMH / 3.6 * self.speed

    def after_real_s(self, real_s: float) -> datetime:
        """What ``now`` will say ``real_s`` real seconds from now."""
        return self.now() + timedelta(seconds=real_s * getattr(self.now, "speed", 1.0))

    def now_ms(self) -> int:
        return int(self.now().timestamp() * 1000)

    def describe(self) -> str:
        if self.speed == 60:
            return "60x: one simulated minute per second"
        return f"{self.speed:g}x: one simulated minute every {60 / self.speed:.2g} s"


@dataclass
class Timers:
    """Named waits: ``due(key, minutes)`` is False until ``minutes`` of simulated time passed since
    its first call for ``key``. The first call starts the wait."""

    pace: Pace
    clock: Callable[[], float] = time.monotonic
    _until: dict = field(default_factory=dict)

    def due(self, key, sim_minutes: float) -> bool:
        now = self.clock()
        until = self._until.setdefault(key, now + self.pace.real_s(sim_minutes))
        return now >= until

    def started(self, key) -> bool:
        return key in self._until

    def expire(self, key) -> None:
        """Make ``key`` due now."""
        self._until[key] = float("-inf")

    def clear(self, key) -> None:
        self._until.pop(key, None)

    def clear_load(self, load_id: int) -> None:
        for key in [k for k in self._until if isinstance(k, tuple) and k and k[0] == load_id]:
            del self._until[key]
