"""The validate and filter steps: per-fix checks, each a named, counted drop reason.

* `ValidateStep` drops fixes whose values cannot be a place on Earth at a plausible time
  (``nan_or_inf``, ``time_out_of_range``, ``lat_out_of_range``, ``lon_out_of_range``) and
  normalises harmless oddities to "unknown": negative speed or accuracy, battery outside
  0..100, a sequence number outside 0..2**31-1 (the column is a 32-bit integer: one such
  value would fail the whole batch's insert); headings are wrapped into [0, 360).
* `FilterStep` drops implausible fixes: ``zero_fix``, ``future``, ``low_accuracy``,
  ``duplicate`` and ``impossible_jump``, in that order. Its memory is per vehicle, so one
  vehicle's bad input never changes what another vehicle's fixes are compared with.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from gps_ingest.geo import EARTH_RADIUS_M, haversine_m
from gps_ingest.metrics import Metrics
from gps_ingest.model import Clock, DropReason, Position
from gps_ingest.settings import IngestSettings

EARLIEST_FIX = datetime(2000, 1, 1, tzinfo=UTC)  # before this, the receiver's clock is wrong
MAX_SEQ = 2**31 - 1  # positions.seq is a 32-bit integer
_M_PER_DEGREE = math.radians(EARTH_RADIUS_M)  # metres of arc per degree of a great circle


class ValidateStep:
    """Drops fixes with impossible values; normalises optional fields."""

    def __init__(self, settings: IngestSettings, metrics: Metrics):
        self._metrics = metrics

    def __call__(self, p: Position) -> Position | None:
        # One sum tells the usual case: it is finite only if every term is (NaN and infinities
        # propagate); only a non-finite sum (maybe a mere overflow) looks at the values one by one.
        total = p.lat + p.lon + (p.speed or 0.0) + (p.heading or 0.0) + (p.accuracy or 0.0) + (
            p.altitude or 0.0) + (p.battery or 0.0)
        if not math.isfinite(total):
            fields = (("lat", p.lat), ("lon", p.lon), ("speed", p.speed), ("heading", p.heading),
                      ("accuracy", p.accuracy), ("altitude", p.altitude), ("battery", p.battery))
            bad = next((name for name, v in fields if v is not None and not math.isfinite(v)), None)
            if bad is not None:
                return self._drop(DropReason.NAN_OR_INF, p, "is not finite", bad)
        if p.time < EARLIEST_FIX:
            return self._drop(DropReason.TIME_OUT_OF_RANGE, p, f"before {EARLIEST_FIX.year}", "time")
        if not -90.0 <= p.lat <= 90.0:
            return self._drop(DropReason.LAT_OUT_OF_RANGE, p, f"lat={p.lat}", "lat")
        if not -180.0 <= p.lon <= 180.0:
            return self._drop(DropReason.LON_OUT_OF_RANGE, p, f"lon={p.lon}", "lon")
        changes: dict[str, float | None] = {}
        if p.speed is not None and p.speed < 0:
            changes["speed"] = None
        if p.heading is not None and not 0.0 <= p.heading < 360.0:
            changes["heading"] = None if p.heading < 0 else p.heading % 360.0
        if p.accuracy is not None and p.accuracy < 0:
            changes["accuracy"] = None
        if p.battery is not None and not 0.0 <= p.battery <= 100.0:
            changes["battery"] = None
        if p.seq is not None and not 0 <= p.seq <= MAX_SEQ:
            changes["seq"] = None
        return replace(p, **changes) if changes else p

    def _drop(self, reason: DropReason, p: Position, detail: str = "", path: str = "") -> None:
        self._metrics.drop(reason, p, detail, path)
        return None


class _VehicleMemory:
    """What the filter remembers about one vehicle."""

    __slots__ = ("times", "recent", "last", "rejected")

    def __init__(self, size: int):
        self.times: set[datetime] = set()
        self.recent: deque[datetime] = deque(maxlen=size)
        self.last: Position | None = None  # last accepted fix
        self.rejected: Position | None = None  # last fix dropped as an impossible jump


class FilterStep:
    """Drops zero, future, low-accuracy, duplicate and impossible-jump fixes.

    ``impossible_jump`` compares with the last accepted fix of the vehicle, if it is within
    ``jump_window_s``: the distance between them, less both accuracy radii, over the time
    between them, must not exceed ``max_speed_kmh``. If the last accepted fix was itself the
    outlier, every later fix would be dropped; so a fix that is consistent with the previously
    rejected one is accepted instead (two agreeing fixes outvote one).
    """

    def __init__(self, settings: IngestSettings, clock: Clock, metrics: Metrics):
        self._clock = clock
        self._metrics = metrics
        self._future = timedelta(seconds=settings.future_tolerance_s)
        self._max_accuracy = settings.max_accuracy_m
        self._max_speed = settings.max_speed_kmh / 3.6
        self._window = settings.jump_window_s
        self._memory_size = settings.duplicate_memory
        self._vehicles: dict[str, _VehicleMemory] = {}
        self._latest = datetime.min.replace(tzinfo=UTC)  # fixes up to here are not `future`

    def __call__(self, p: Position) -> Position | None:
        if abs(p.lat) < 1e-7 and abs(p.lon) < 1e-7:
            return self._drop(DropReason.ZERO_FIX, p)
        if p.time > self._latest:
            # Read the clock only for a fix later than the last limit: the clock does not go back,
            # so a limit from an earlier reading is never later than a fresh one and a fix within
            # it passes either way; a batch of fixes costs one clock reading instead of one per fix.
            self._latest = self._clock() + self._future
            if p.time > self._latest:
                return self._drop(DropReason.FUTURE, p)
        if p.accuracy is not None and p.accuracy > self._max_accuracy:
            return self._drop(DropReason.LOW_ACCURACY, p, f"acc={p.accuracy:g}m")
        memory = self._vehicles.get(p.vehicle_id)
        if memory is None:
            memory = self._vehicles[p.vehicle_id] = _VehicleMemory(self._memory_size)
        if p.time in memory.times:
            return self._drop(DropReason.DUPLICATE, p)
        if memory.last is not None:
            speed = self._implied_speed(memory.last, p)
            if speed > self._max_speed:
                rejected = memory.rejected
                if (
                    rejected is None
                    or rejected.time == p.time
                    or self._implied_speed(rejected, p) > self._max_speed
                ):
                    memory.rejected = p
                    return self._drop(DropReason.IMPOSSIBLE_JUMP, p, f"{speed * 3.6:.0f} km/h")
        self._remember(memory, p)
        self._metrics.add("accepted")
        return p

    def _implied_speed(self, a: Position, b: Position) -> float:
        """Metres per second between two fixes; 0 when too far apart in time to compare.

        When even an upper bound of the distance is within the speed limit, that bound's speed is
        returned instead (it decides the same): going along the meridian, then along the parallel,
        is never shorter than the great circle, and costs no trigonometry, unlike ``haversine_m``.
        """
        dt = abs((b.time - a.time).total_seconds())
        if dt > self._window:
            return 0.0
        slack = (a.accuracy or 0.0) + (b.accuracy or 0.0)  # both fixes may be off by their radius
        seconds = max(dt, 1.0)  # sub-second gaps are treated as one second of travel
        bound = max(0.0, _M_PER_DEGREE * (abs(b.lat - a.lat) + abs(b.lon - a.lon)) - slack) / seconds
        if bound <= self._max_speed:
            return bound
        distance = max(0.0, haversine_m((a.lat, a.lon), (b.lat, b.lon)) - slack)
        return distance / seconds

    def _remember(self, memory: _VehicleMemory, p: Position) -> None:
        if len(memory.recent) == memory.recent.maxlen:
            memory.times.discard(memory.recent[0])
        memory.recent.append(p.time)
        memory.times.add(p.time)
        memory.last = p
        memory.rejected = None

    def _drop(self, reason: DropReason, p: Position, detail: str = "") -> None:
        self._metrics.drop(reason, p, detail)
        return None
