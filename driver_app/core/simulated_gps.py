"""A GPS that drives a route: for the desktop app, demos and tests.

``SimulatedGps`` moves along a polyline of waypoints at a constant speed and emits a fix every
``interval_s`` of clock time, ending with a fix at the last waypoint (speed 0). With a
``ManualClock`` the whole drive runs as fast as the callback allows.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from driver_app.core.clock import Clock, SystemClock
from driver_app.core.gps import FixCallback
from driver_app.core.positions import Fix, bearing_deg, haversine_m

LatLon = tuple[float, float]


class SimulatedGps:
    """Follows ``route`` (lat, lon waypoints) at ``speed_mps``; a ``GpsProvider``."""

    def __init__(
        self,
        route: Sequence[LatLon],
        speed_mps: float = 13.9,
        interval_s: float = 1.0,
        clock: Clock | None = None,
        accuracy_m: float = 5.0,
        battery: float | None = 80.0,
        loop: bool = False,
    ):
        if len(route) < 2:
            raise ValueError("a route needs at least two waypoints")
        if speed_mps <= 0 or interval_s <= 0:
            raise ValueError("speed and interval must be positive")
        self.route = [(float(lat), float(lon)) for lat, lon in route]
        self.speed_mps = speed_mps
        self.interval_s = interval_s
        self.clock = clock or SystemClock()
        self.accuracy_m = accuracy_m
        self.battery = battery
        self.loop = loop
        self._legs = [haversine_m(*a, *b) for a, b in zip(self.route, self.route[1:], strict=False)]
        self.length_m = sum(self._legs)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def from_file(cls, path: str | Path, **kwargs) -> SimulatedGps:
        """Load a route from JSON: ``{"waypoints": [[lat, lon], ...]}`` or a bare list."""
        data = json.loads(Path(path).read_text())
        waypoints = data["waypoints"] if isinstance(data, dict) else data
        return cls([tuple(p) for p in waypoints], **kwargs)

    def point_at(self, distance_m: float) -> tuple[float, float, float]:
        """``(lat, lon, heading)`` after ``distance_m`` along the route (clamped to its ends)."""
        remaining = max(0.0, distance_m)
        for (a, b), leg in zip(zip(self.route, self.route[1:], strict=False), self._legs, strict=True):
            if leg > 0 and remaining <= leg:
                f = remaining / leg
                # Linear interpolation is exact enough within one leg of a road polyline.
                return a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, bearing_deg(*a, *b)
            remaining -= leg
        a, b = self.route[-2], self.route[-1]
        return b[0], b[1], bearing_deg(*a, *b)

    def fixes(self, start_s: float) -> Iterator[Fix]:
        """The fixes of one drive starting at epoch ``start_s``, without sleeping."""
        step = 0
        while True:
            elapsed = step * self.interval_s
            travelled = elapsed * self.speed_mps
            arrived = travelled >= self.length_m
            lat, lon, heading = self.point_at(travelled)
            yield Fix(
                t_ms=int(round((start_s + elapsed) * 1000)),
                lat=round(lat, 7),
                lon=round(lon, 7),
                speed=0.0 if arrived else self.speed_mps,
                heading=round(heading, 1),
                acc=self.accuracy_m,
                batt=self.battery,
            )
            if arrived:
                return
            step += 1

    def start(self, callback: FixCallback) -> None:
        """Drive in a background thread, calling ``callback`` for each fix."""
        if self._thread is not None and self._thread.is_alive():
            raise RuntimeError("simulated GPS already running")
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(callback,), name="simulated-gps", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the drive to end; True when it has."""
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self, callback: FixCallback) -> None:
        while not self._stop.is_set():
            start = self.clock.now()
            for n, fix in enumerate(self.fixes(start)):
                if self._stop.is_set():
                    return
                # Sleep to each fix's own time, so slow callbacks do not stretch the drive.
                if not self._sleep_until(start + n * self.interval_s):
                    return
                callback(fix)
            if not self.loop:
                return
            self.route.reverse()
            self._legs.reverse()

    def _sleep_until(self, t: float) -> bool:
        """Sleep in short slices so ``stop()`` is prompt; False when stopped meanwhile."""
        while not self._stop.is_set():
            remaining = t - self.clock.now()
            if remaining <= 0:
                return True
            self.clock.sleep(min(remaining, 0.25))
        return False
