"""The interfaces of the platform services: camera, notifications and vibration.

Implementations are in ``android.py`` (plyer, imported only when a service is used) and
``desktop.py`` (stand-ins on a PC); ``driver_app.platform_services.platform_services()``
picks the set for the running platform.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

PhotoCallback = Callable[[str | None], None]
PathProvider = Callable[[PhotoCallback], None]


class Camera(Protocol):
    def take_photo(self, on_done: PhotoCallback) -> None:
        """Take (or pick) a photo; ``on_done(path)``, or ``on_done(None)`` when cancelled."""
        ...


class Notifier(Protocol):
    def notify(self, title: str, message: str) -> None: ...


class Vibrator(Protocol):
    def vibrate(self, seconds: float = 0.5) -> None: ...


@dataclass(frozen=True)
class PlatformServices:
    camera: Camera
    notifier: Notifier
    vibrator: Vibrator
