"""What the driver app does differently on an Android phone and on a desktop (Kivy-free).

``interface`` declares the services; ``android`` implements them with plyer (and
``android_gps`` the phone's GPS), imported only when a service is used; ``desktop`` has the
stand-ins a PC uses for demos and tests. ``platform_services()`` picks the set for the running
platform.
"""

from __future__ import annotations

import os
from pathlib import Path

from driver_app.platform_services.android import AndroidCamera, AndroidNotifier, AndroidVibrator
from driver_app.platform_services.desktop import DesktopCamera, LogNotifier, NoVibrator, folder_path_provider
from driver_app.platform_services.interface import PathProvider, PlatformServices


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
