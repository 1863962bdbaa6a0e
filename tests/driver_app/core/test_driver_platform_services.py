"""Platform services and the plyer GPS: desktop stand-ins, and Android ones over a fake plyer."""

from __future__ import annotations

import logging
import sys
import types

import pytest

from driver_app.core.clock import ManualClock
from driver_app.core.gps import PlyerGps
from driver_app.core.platform_services import (
    AndroidCamera,
    AndroidNotifier,
    AndroidVibrator,
    DesktopCamera,
    LogNotifier,
    NoVibrator,
    folder_path_provider,
    platform_services,
)
from driver_app.core.plyer_bridge import PlatformServiceUnavailable


class Recorder:
    def __init__(self):
        self.calls = []

    def __getattr__(self, name):
        def record(*args, **kwargs):
            self.calls.append((name, args, kwargs))

        return record


@pytest.fixture
def fake_plyer(monkeypatch):
    """A stand-in ``plyer`` module whose facades record their calls."""
    module = types.ModuleType("plyer")
    for name in ("gps", "camera", "notification", "vibrator"):
        setattr(module, name, Recorder())
    module.battery = types.SimpleNamespace(status={"percentage": 57.0, "isCharging": False})
    monkeypatch.setitem(sys.modules, "plyer", module)
    return module


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


def test_desktop_camera_uses_the_path_provider_and_refuses_missing_files(tmp_path):
    """The desktop camera returns the chosen file, and None for a file that does not exist."""
    photo = tmp_path / "seal.jpg"
    photo.write_bytes(b"jpeg")
    got = []

    DesktopCamera(lambda done: done(str(photo))).take_photo(got.append)
    DesktopCamera(lambda done: done(str(tmp_path / "nope.jpg"))).take_photo(got.append)
    DesktopCamera(lambda done: done(None)).take_photo(got.append)

    assert got == [str(photo), None, None]


def test_folder_provider_hands_out_an_image(tmp_path):
    """The folder provider gives an image from the folder, or None when it has none."""
    got = []
    folder_path_provider(tmp_path)(got.append)
    (tmp_path / "a.png").write_bytes(b"png")
    (tmp_path / "notes.txt").write_text("x")
    folder_path_provider(tmp_path)(got.append)

    assert got == [None, str(tmp_path / "a.png")]


def test_desktop_set_logs_notifications_and_does_not_vibrate(tmp_path, caplog, capsys):
    """Off Android, notifications are logged (and echoed on request) and vibration does nothing."""
    services = platform_services(tmp_path, android=False)
    assert isinstance(services.notifier, LogNotifier) and isinstance(services.vibrator, NoVibrator)

    with caplog.at_level(logging.INFO):
        services.notifier.notify("Dock call", "Go to dock 3")
        LogNotifier(echo=True).notify("Re-plan", "New slot")
    services.vibrator.vibrate(2)

    assert "Dock call: Go to dock 3" in caplog.text
    assert capsys.readouterr().out == "[Re-plan] New slot\n"


def test_android_set_is_chosen_on_android(tmp_path, monkeypatch):
    """With python-for-android's ANDROID_ARGUMENT set, the Android services are chosen."""
    monkeypatch.setenv("ANDROID_ARGUMENT", "/data/app")

    services = platform_services(tmp_path)

    assert isinstance(services.camera, AndroidCamera) and isinstance(services.vibrator, AndroidVibrator)
