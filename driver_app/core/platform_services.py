"""Camera, notifications and vibration behind small interfaces.

Android implementations use plyer, imported only when a service is used. Desktop ones stand
in on a PC: the camera asks a path provider (the Kivy layer passes a file chooser), a
notification is logged (and optionally printed), vibration does nothing.
``platform_services()`` picks the set for the running platform.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from driver_app.core.plyer_bridge import import_plyer

log = logging.getLogger(__name__)

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


class AndroidCamera:
    """``plyer.camera``: writes a JPEG into ``photo_dir`` and reports its path."""

    def __init__(self, photo_dir: str | Path):
        self.photo_dir = Path(photo_dir)

    def take_photo(self, on_done: PhotoCallback) -> None:
        self.photo_dir.mkdir(parents=True, exist_ok=True)
        path = self.photo_dir / f"photo-{int(time.time() * 1000)}.jpg"

        def complete(filename: str | None) -> bool:
            ok = bool(filename) and os.path.exists(filename)
            on_done(str(filename) if ok else None)
            return False  # plyer deletes the file when the callback returns True

        import_plyer("camera").take_picture(filename=str(path), on_complete=complete)


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


class AndroidNotifier:
    def __init__(self, app_name: str = "Haul"):
        self.app_name = app_name

    def notify(self, title: str, message: str) -> None:
        import_plyer("notification").notify(title=title, message=message, app_name=self.app_name)


class LogNotifier:
    """Logs notifications; with ``echo`` also prints them (for a desktop terminal)."""

    def __init__(self, echo: bool = False):
        self.echo = echo

    def notify(self, title: str, message: str) -> None:
        log.info("notification: %s: %s", title, message)
        if self.echo:
            print(f"[{title}] {message}")


class AndroidVibrator:
    def vibrate(self, seconds: float = 0.5) -> None:
        import_plyer("vibrator").vibrate(time=seconds)


class NoVibrator:
    def vibrate(self, seconds: float = 0.5) -> None:
        """Desktops do not vibrate."""


@dataclass(frozen=True)
class PlatformServices:
    camera: Camera
    notifier: Notifier
    vibrator: Vibrator


def is_android() -> bool:
    # python-for-android sets ANDROID_ARGUMENT in every app process.
    return "ANDROID_ARGUMENT" in os.environ


def platform_services(
    photo_dir: str | Path,
    path_provider: PathProvider | None = None,
    android: bool | None = None,
) -> PlatformServices:
    """The Android services on Android, else the desktop ones."""
    if is_android() if android is None else android:
        return PlatformServices(AndroidCamera(photo_dir), AndroidNotifier(), AndroidVibrator())
    provider = path_provider or folder_path_provider(photo_dir)
    return PlatformServices(DesktopCamera(provider), LogNotifier(), NoVibrator())
