"""platform_services() picks the Android services on Android and the desktop ones elsewhere."""

from __future__ import annotations

import pytest

from driver_app.platform_services import platform_services
from driver_app.platform_services.android import AndroidCamera, AndroidServices, AndroidVibrator
from driver_app.platform_services.desktop import DesktopServices
from driver_app.platform_services.interface import PlatformServices


def test_android_set_is_chosen_on_android(tmp_path, monkeypatch):
    """With python-for-android's ANDROID_ARGUMENT set, the Android services are chosen."""
    monkeypatch.setenv("ANDROID_ARGUMENT", "/data/app")

    services = platform_services(tmp_path)

    assert isinstance(services, AndroidServices)
    assert isinstance(services.camera, AndroidCamera) and isinstance(services.vibrator, AndroidVibrator)


def test_desktop_set_is_chosen_elsewhere(tmp_path, monkeypatch):
    """Without ANDROID_ARGUMENT the desktop services are chosen; android= overrides the guess."""
    monkeypatch.delenv("ANDROID_ARGUMENT", raising=False)

    assert isinstance(platform_services(tmp_path), DesktopServices)
    assert isinstance(platform_services(tmp_path, android=True), AndroidServices)


@pytest.mark.parametrize("android", [True, False])
def test_both_sets_offer_every_member_of_the_interface(tmp_path, android):
    """Each implementation has every attribute and method PlatformServices declares."""
    members = set(PlatformServices.__annotations__) | {
        name for name, value in vars(PlatformServices).items() if callable(value) and not name.startswith("_")}

    services = platform_services(tmp_path, android=android)

    assert members and all(hasattr(services, name) for name in members), members
