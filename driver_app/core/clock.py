"""Clocks the GPS and tracking code read time from, so tests and demos can run time faster.

``SystemClock`` is real time. ``ManualClock`` only moves when slept on or advanced, so a
simulated drive of an hour runs in milliseconds. ``ScaledClock`` runs ``factor`` times faster
than real time, for demos.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch."""
        ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        time.sleep(max(0.0, seconds))


class ManualClock:
    """Time stands still except when ``sleep`` or ``advance`` moves it forward (thread-safe)."""

    def __init__(self, start: float = 1_767_225_600.0):  # 2026-01-01T00:00:00Z
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += max(0.0, seconds)


class ScaledClock:
    """Runs ``factor`` times faster than real time from the moment it is made."""

    def __init__(self, factor: float, start: float | None = None):
        if factor <= 0:
            raise ValueError("factor must be positive")
        self.factor = factor
        self._real_start = time.monotonic()
        self._start = time.time() if start is None else start

    def now(self) -> float:
        return self._start + (time.monotonic() - self._real_start) * self.factor

    def sleep(self, seconds: float) -> None:
        time.sleep(max(0.0, seconds) / self.factor)
