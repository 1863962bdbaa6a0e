"""Which GPS fixes are worth publishing: a minimum interval and a minimum distance.

A fix is accepted when it is the first, or when at least ``interval_s`` has passed since the
last accepted fix and the truck moved at least ``min_distance_m`` from it. A parked truck still
reports every ``heartbeat_s`` so the server knows the phone is alive. Fixes not newer than the
last accepted one are refused, so accepted fixes are in time order and the outbox's sequence
numbers follow time.
"""

from __future__ import annotations

from dataclasses import dataclass

from driver_app.core.positions import Fix, haversine_m


@dataclass(frozen=True)
class PolicySettings:
    interval_s: float = 5.0
    min_distance_m: float = 10.0
    heartbeat_s: float | None = 300.0
    max_accuracy_m: float | None = None

    def __post_init__(self):
        if self.interval_s < 0 or self.min_distance_m < 0:
            raise ValueError("interval and distance must not be negative")
        if self.heartbeat_s is not None and self.heartbeat_s < self.interval_s:
            raise ValueError("heartbeat must not be shorter than the interval")


class PublishPolicy:
    """Stateful filter: ``accept(fix)`` says whether to publish, and remembers what it accepted."""

    def __init__(self, settings: PolicySettings | None = None):
        self.settings = settings or PolicySettings()
        self._last: Fix | None = None
        self.accepted = 0
        self.rejected = 0

    def accept(self, fix: Fix) -> bool:
        ok = self._decide(fix)
        if ok:
            self._last = fix
            self.accepted += 1
        else:
            self.rejected += 1
        return ok

    def reset(self) -> None:
        """Forget the last fix (e.g. when tracking restarts for a new load)."""
        self._last = None

    def _decide(self, fix: Fix) -> bool:
        s = self.settings
        if s.max_accuracy_m is not None and fix.acc is not None and fix.acc > s.max_accuracy_m:
            return False
        last = self._last
        if last is None:
            return True
        elapsed_s = (fix.t_ms - last.t_ms) / 1000.0
        if elapsed_s <= 0 or elapsed_s < s.interval_s:
            return False
        if s.heartbeat_s is not None and elapsed_s >= s.heartbeat_s:
            return True
        return haversine_m(last.lat, last.lon, fix.lat, fix.lon) >= s.min_distance_m
