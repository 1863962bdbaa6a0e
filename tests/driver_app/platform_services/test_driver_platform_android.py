"""The Android platform services and the plyer GPS, over a fake plyer, jnius and android."""

from __future__ import annotations

import sys

import pytest

from driver_app.core.clock import ManualClock
from driver_app.platform_services.android import (
    AndroidCamera,
    AndroidNotifier,
    AndroidServices,
    AndroidVibrator,
    ZxingScanner,
)
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


def test_the_scanner_asks_a_scanner_app_for_a_qr_code_and_reports_its_text(fake_android):
    """A scan starts ZXing's SCAN intent in QR mode and reports SCAN_RESULT when the app answers OK."""
    got = []
    ZxingScanner().scan(got.append)
    ((intent, code),) = fake_android.started
    (on_result,) = fake_android.activity.bound
    answer = fake_android.Intent("result")
    answer.putExtra("SCAN_RESULT", "https://haul.example/pair#code=ABCDE-FGHJK")

    on_result(code + 1, -1, answer)  # another request's result: not ours
    on_result(code, -1, answer)

    assert (intent.action, intent.extras) == ("com.google.zxing.client.android.SCAN", {"SCAN_MODE": "QR_CODE_MODE"})
    assert got == ["https://haul.example/pair#code=ABCDE-FGHJK"] and fake_android.activity.bound == []


def test_a_cancelled_scan_or_a_phone_without_a_scanner_app_reports_none(fake_android):
    """Cancelling gives None; so does a phone where no app answers the SCAN intent."""
    got = []
    ZxingScanner().scan(got.append)
    ((_, code),) = fake_android.started
    fake_android.activity.bound[0](code, 0, None)  # RESULT_CANCELED

    def no_scanner_app(intent, code):
        raise RuntimeError("ActivityNotFoundException")

    fake_android.main_activity.startActivityForResult = no_scanner_app
    ZxingScanner().scan(got.append)

    assert got == [None, None] and fake_android.activity.bound == []


def test_the_scanner_without_jnius_reports_none(monkeypatch):
    """Where pyjnius is missing the scan reports None at once instead of failing."""
    monkeypatch.setitem(sys.modules, "jnius", None)
    got = []

    ZxingScanner().scan(got.append)

    assert got == [None] and ZxingScanner.available


def test_navigation_links_on_android_are_geo_uris(tmp_path):
    """Coordinates give a geo: URI with the stop's name; an address alone a geo: search; nothing, None."""
    android = AndroidServices(tmp_path)
    stop = {"name": "Werk Süd", "lat": 51.28, "lon": 7.04, "address": ""}

    assert android.navigation_link(stop) == "geo:51.28,7.04?q=51.28,7.04(Werk%20S%C3%BCd)"
    assert android.navigation_link({"lat": None, "lon": None, "address": "Hafenstraße 1"}) == \
        "geo:0,0?q=Hafenstra%C3%9Fe%201"
    assert android.navigation_link({"lat": None, "lon": None}) is None


def test_links_open_in_the_app_for_them(fake_android, tmp_path):
    """A link is handed to Android as an ACTION_VIEW intent (a geo: URI opens the navigation app)."""
    AndroidServices(tmp_path).open_link("geo:51.28,7.04?q=51.28,7.04(Werk)")

    ((intent, code),) = fake_android.started
    assert (intent.action, intent.data, code) == (
        "android.intent.action.VIEW", ("Uri", "geo:51.28,7.04?q=51.28,7.04(Werk)"), None)


def test_the_phone_asks_for_its_runtime_permissions(fake_android, tmp_path):
    """Location (also in the background), camera, vibration and notifications are asked for at run time."""
    AndroidServices(tmp_path).request_permissions()

    assert fake_android.permissions_asked == [
        "android.permission.ACCESS_FINE_LOCATION", "android.permission.ACCESS_BACKGROUND_LOCATION",
        "android.permission.CAMERA", "android.permission.VIBRATE", "android.permission.POST_NOTIFICATIONS"]


def test_without_a_permissions_module_the_manifest_decides(monkeypatch, tmp_path, caplog):
    """An older python-for-android without android.permissions logs a warning and carries on."""
    monkeypatch.setitem(sys.modules, "android", None)

    AndroidServices(tmp_path).request_permissions()

    assert "could not request permissions" in caplog.text


def test_the_phones_gps_is_plyer_with_the_drivers_settings(tmp_path):
    """The phone's GPS is a PlyerGps with the interval and distance filter asked for."""
    gps = AndroidServices(tmp_path).gps(5.0, 10.0)

    assert isinstance(gps, PlyerGps) and (gps.min_time_s, gps.min_distance_m) == (5.0, 10.0)
