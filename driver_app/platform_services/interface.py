"""The one interface of the platform: ``PlatformServices``, and the small parts it is made of.

``android.AndroidServices`` implements it on a phone (plyer, pyjnius and python-for-android,
imported only when a service is used) and ``desktop.DesktopServices`` on a PC (stand-ins for
demos and tests);
``driver_app.platform_services.platform_services()`` picks one for the running platform.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from driver_app.core.gps import GpsProvider

PhotoCallback = Callable[[str | None], None]
PathProvider = Callable[[PhotoCallback], None]
ScanCallback = Callable[[str | None], None]


class Camera(Protocol):
    def take_photo(self, on_done: PhotoCallback) -> None:
        """Take (or pick) a photo; ``on_done(path)``, or ``on_done(None)`` when cancelled."""
        ...


class Notifier(Protocol):
    def notify(self, title: str, message: str) -> None: ...


class Vibrator(Protocol):
    def vibrate(self, seconds: float = 0.5) -> None: ...


class QrScanner(Protocol):
    available: bool  # False where scan() can never read a code (the sign-in screen hides its button)

    def scan(self, on_done: ScanCallback) -> None:
        """Scan a QR code; ``on_done(text)``, or ``on_done(None)`` when cancelled or unavailable.

        ``on_done`` may be called on any thread (Android's UI thread); the Kivy layer hops.
        """
        ...


class PlatformServices(Protocol):
    """Everything the driver app does differently on an Android phone and on a desktop."""

    camera: Camera
    notifier: Notifier
    vibrator: Vibrator
    scanner: QrScanner

    def request_permissions(self) -> None:
        """Ask for the runtime permissions the app needs (location, camera, ...), where there are any."""
        ...

    def gps(self, min_time_s: float, min_distance_m: float) -> GpsProvider | None:
        """The device's own GPS (the times and distances are hints to the OS), or None where there
        is none: a desktop drives a simulated route instead (``haul driver --simulate``)."""
        ...

    def navigation_link(self, stop: Mapping[str, Any]) -> str | None:
        """A link that opens ``stop`` (``lat``, ``lon``, ``name``, ``address``) in a maps app;
        None for a stop with neither coordinates nor an address."""
        ...

    def open_link(self, url: str) -> None:
        """Open a navigation or document link in the app for it, or the browser."""
        ...
