"""platform_services() picks the Android services on Android and the desktop ones elsewhere."""

from __future__ import annotations

from driver_app.platform_services import platform_services
from driver_app.platform_services.android import AndroidCamera, AndroidVibrator


def test_android_set_is_chosen_on_android(tmp_path, monkeypatch):
    """With python-for-android's ANDROID_ARGUMENT set, the Android services are chosen."""
    monkeypatch.setenv("ANDROID_ARGUMENT", "/data/app")

    services = platform_services(tmp_path)

    assert isinstance(services.camera, AndroidCamera) and isinstance(services.vibrator, AndroidVibrator)
