"""The Android implementation (``AndroidServices``): camera, notifications and vibration via plyer.

plyer exists only in the Android build; it is imported when a service is used, never when
this module is imported or a service is built, so the desktop and the tests can import and
construct everything here.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from driver_app.platform_services.interface import PhotoCallback
from driver_app.platform_services.plyer_bridge import import_plyer


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


class AndroidNotifier:
    def __init__(self, app_name: str = "Haul"):
        self.app_name = app_name

    def notify(self, title: str, message: str) -> None:
        import_plyer("notification").notify(title=title, message=message, app_name=self.app_name)


class AndroidVibrator:
    def vibrate(self, seconds: float = 0.5) -> None:
        import_plyer("vibrator").vibrate(time=seconds)


class AndroidServices:
    """The phone's own services (``PlatformServices`` on Android); photos go to ``photo_dir``."""

    def __init__(self, photo_dir: str | Path):
        self.camera = AndroidCamera(photo_dir)
        self.notifier = AndroidNotifier()
        self.vibrator = AndroidVibrator()
