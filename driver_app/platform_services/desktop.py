"""The desktop stand-ins for the phone's services (``DesktopServices``: demos and tests on a PC).

The camera asks a path provider (the Kivy layer passes a file chooser), a notification is
logged (and optionally printed), vibration does nothing, there is no QR scanner, links
(OpenStreetMap for navigation) open in the web browser, and there is no GPS: a desktop drives
a simulated route when asked (``haul driver --simulate LOAD``, see ``core.simulated_gps``).
"""

from __future__ import annotations

import logging
import os
import webbrowser
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from driver_app.platform_services.interface import PathProvider, PhotoCallback, ScanCallback

log = logging.getLogger(__name__)


class DesktopCamera:
    """Asks ``provider`` for an image path (a file chooser on a PC); refuses missing files."""

    def __init__(self, provider: PathProvider):
        self.provider = provider

    def take_photo(self, on_done: PhotoCallback) -> None:
        def chosen(path: str | None) -> None:
            if path and not os.path.isfile(path):
                log.warning("chosen photo %s does not exist", path)
                path = None
            on_done(path)

        self.provider(chosen)


def folder_path_provider(folder: str | Path) -> PathProvider:
    """A provider that hands out the newest image in ``folder`` (for demos without a chooser)."""

    def provide(on_done: PhotoCallback) -> None:
        images = sorted(
            (p for p in Path(folder).glob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".png")),
            key=lambda p: p.stat().st_mtime,
        )
        on_done(str(images[-1]) if images else None)

    return provide


class LogNotifier:
    """Logs notifications; with ``echo`` also prints them (for a desktop terminal)."""

    def __init__(self, echo: bool = False):
        self.echo = echo

    def notify(self, title: str, message: str) -> None:
        log.info("notification: %s: %s", title, message)
        if self.echo:
            print(f"[{title}] {message}")


class NoVibrator:
    def vibrate(self, seconds: float = 0.5) -> None:
        """Desktops do not vibrate."""


class NoScanner:
    """Desktops have no scanner: the driver types the pairing code or pastes the link."""

    available = False

    def scan(self, on_done: ScanCallback) -> None:
        on_done(None)


class DesktopServices:
    """``PlatformServices`` on a PC: photos from ``path_provider`` (default: the newest image in
    ``photo_dir``), notifications logged, no vibration, no QR scanner, links in the browser, no
    runtime permissions and no GPS."""

    def __init__(self, photo_dir: str | Path, path_provider: PathProvider | None = None):
        self.camera = DesktopCamera(path_provider or folder_path_provider(photo_dir))
        self.notifier = LogNotifier()
        self.vibrator = NoVibrator()
        self.scanner = NoScanner()

    def request_permissions(self) -> None:
        """A desktop grants the app everything it may do."""

    def gps(self, min_time_s: float, min_distance_m: float) -> None:
        """A desktop has no GPS of its own; ``haul driver --simulate LOAD`` drives a simulated one."""
        return None

    def navigation_link(self, stop: Mapping[str, Any]) -> str | None:
        """An OpenStreetMap link: the map at the stop's coordinates, else a search for its address."""
        lat, lon = stop.get("lat"), stop.get("lon")
        if lat is None or lon is None:
            if stop.get("address"):
                return f"https://www.openstreetmap.org/search?query={quote(str(stop['address']))}"
            return None
        return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=16/{lat}/{lon}"

    def open_link(self, url: str) -> None:
        """Opens ``url`` in the web browser, unless ``HAUL_DRIVER_NO_BROWSER`` is set (the UI tests)."""
        if not os.environ.get("HAUL_DRIVER_NO_BROWSER"):
            webbrowser.open(url)
