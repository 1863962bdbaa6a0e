"""The Android platform services and the plyer GPS, over a fake plyer."""

from __future__ import annotations

import sys

import pytest

from driver_app.core.clock import ManualClock
from driver_app.platform_services.android import AndroidCamera, AndroidNotifier, AndroidVibrator
from driver_app.platform_services.android_gps import PlyerGps
from driver_app.platform_services.plyer_bridge import PlatformServiceUnavailable


def test_android_services_without_plyer_raise_a_clear_error(monkeypatch):
    """Without plyer, an Android service raises PlatformServiceUnavailable, not ImportError."""
    monkeypatch.setitem(sys.modules, "plyer", None)
    with pytest.raises(PlatformServiceUnavailable):
        AndroidNotifier().notify("Dock", "Go to dock 3")
    with pytest.raises(PlatformServiceUnavailable):
        PlyerGps().start(lambda fix: None)


def test_android_notifier_and_vibrator_call_plyer(fake_plyer):
    """Notifications and vibration go to plyer with the app name and duration."""
    AndroidNotifier().notify("Dock call", "Go to dock 3")
    AndroidVibrator().vibrate(1.5)

    assert fake_plyer.notification.calls == [
        ("notify", (), {"title": "Dock call", "message": "Go to dock 3", "app_name": "Haul"})
    ]
    assert fake_plyer.vibrator.calls == [("vibrate", (), {"time": 1.5})]


def test_android_camera_reports_the_written_file(fake_plyer, tmp_path):
    """The Android camera asks plyer for a JPEG in the photo folder and reports its path."""
    got = []
    AndroidCamera(tmp_path / "photos").take_photo(got.append)
    ((_, _, kwargs),) = fake_plyer.camera.calls
    with open(kwargs["filename"], "wb") as handle:
        handle.write(b"jpeg")

    keep = kwargs["on_complete"](kwargs["filename"])

    assert got == [kwargs["filename"]] and keep is False
    assert kwargs["filename"].startswith(str(tmp_path / "photos"))


def test_plyer_gps_turns_locations_into_fixes(fake_plyer):
    """plyer location callbacks become Fixes with time from the clock and the battery level."""
    fixes = []
    gps = PlyerGps(min_time_s=2, clock=ManualClock(start=100.0))
    gps.start(fixes.append)
    (_, _, configure), (_, _, start) = fake_plyer.gps.calls

    configure["on_location"](lat=53.5, lon=9.9, speed=12.5, bearing=270.0, accuracy=4.0, altitude=3)
    configure["on_location"](speed=1.0)  # no position: ignored
    gps.stop()
    configure["on_location"](lat=1.0, lon=1.0)  # after stop: ignored

    assert start == {"minTime": 2000, "minDistance": 0.0}
    assert len(fixes) == 1
    fix = fixes[0]
    assert (fix.t_ms, fix.lat, fix.lon, fix.speed, fix.heading, fix.acc, fix.batt) == (
        100_000,
        53.5,
        9.9,
        12.5,
        270.0,
        4.0,
        57.0,
    )
