"""The phone's GPS: ``PlyerGps`` reads locations (and the battery level) through plyer.

plyer is imported when tracking starts, never at import time (see ``plyer_bridge``).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from driver_app.core.clock import Clock, SystemClock
from driver_app.core.gps import FixCallback
from driver_app.core.positions import Fix
from driver_app.platform_services.plyer_bridge import PlatformServiceUnavailable, import_plyer

log = logging.getLogger(__name__)


class PlyerGps:
    """Android GPS through ``plyer.gps``; battery level read through ``plyer.battery``.

    The app must have been granted ``ACCESS_FINE_LOCATION`` before ``start`` (the app asks
    through ``AndroidServices.request_permissions`` when it starts).
    ``min_time_s`` and ``min_distance_m`` are hints to the OS; the publishing policy filters
    again, so readings from a chatty OS cost nothing downstream.
    """

    def __init__(
        self,
        min_time_s: float = 1.0,
        min_distance_m: float = 0.0,
        clock: Clock | None = None,
        battery_every_s: float = 60.0,
    ):
        self.min_time_s = min_time_s
        self.min_distance_m = min_distance_m
        self.clock = clock or SystemClock()
        self.battery_every_s = battery_every_s
        self._callback: FixCallback | None = None
        self._gps: Any = None
        self._battery: float | None = None
        self._battery_read_at = -float("inf")

    def start(self, callback: FixCallback) -> None:
        self._callback = callback
        self._gps = import_plyer("gps")
        self._gps.configure(on_location=self._on_location, on_status=self._on_status)
        self._gps.start(minTime=int(self.min_time_s * 1000), minDistance=self.min_distance_m)

    def stop(self) -> None:
        if self._gps is not None:
            self._gps.stop()
        self._callback = None

    def _on_location(self, **kwargs: Any) -> None:
        callback = self._callback
        if callback is None or "lat" not in kwargs or "lon" not in kwargs:
            return
        fix = Fix(
            t_ms=int(self.clock.now() * 1000),
            lat=float(kwargs["lat"]),
            lon=float(kwargs["lon"]),
            speed=_float(kwargs.get("speed")),
            heading=_float(kwargs.get("bearing")),
            acc=_float(kwargs.get("accuracy")),
            batt=self._battery_level(),
        )
        callback(fix)

    def _on_status(self, stype: str, status: Any) -> None:
        log.info("gps status %s: %s", stype, status)

    def _battery_level(self) -> float | None:
        # Reading the battery goes through JNI; once a minute is plenty for a dashboard.
        now = time.monotonic()
        if now - self._battery_read_at >= self.battery_every_s:
            self._battery_read_at = now
            try:
                status = import_plyer("battery").status
                self._battery = _float(status.get("percentage"))
            except (PlatformServiceUnavailable, AttributeError, TypeError):
                self._battery = None
        return self._battery


def _float(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None
