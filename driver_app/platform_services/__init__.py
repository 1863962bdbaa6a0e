"""What the driver app does differently on an Android phone and on a desktop (Kivy-free).

``interface`` declares ``PlatformServices``, the one interface; ``android.AndroidServices``
implements it with plyer (and ``android_gps`` the phone's GPS), imported only when a service is
used; ``desktop.DesktopServices`` has the stand-ins a PC uses for demos and tests.
``platform_services()`` picks one for the running platform.
"""

from __future__ import annotations

import os
from pathlib import Path

from driver_app.platform_services.android import AndroidServices
from driver_app.platform_services.desktop import DesktopServices
from driver_app.platform_services.interface import PathProvider, PlatformServices


def is_android() -> bool:
    # python-for-android sets ANDROID_ARGUMENT in every app process.
    return "ANDROID_ARGUMENT" in os.environ


def platform_services(
    photo_dir: str | Path,
    path_provider: PathProvider | None = None,
    android: bool | None = None,
) -> PlatformServices:
    """The Android services on Android, else the desktop ones (``android`` overrides the guess)."""
    if is_android() if android is None else android:
        return AndroidServices(photo_dir)
    return DesktopServices(photo_dir, path_provider)
