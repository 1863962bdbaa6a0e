"""The desktop stand-ins for the phone's services."""

from __future__ import annotations

import logging

from driver_app.platform_services import platform_services
from driver_app.platform_services.desktop import DesktopCamera, LogNotifier, NoVibrator, folder_path_provider


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


def test_the_desktop_has_no_qr_scanner(tmp_path):
    """The desktop scanner says it is unavailable, and a scan reports None at once."""
    scanner = platform_services(tmp_path, android=False).scanner
    got = []

    scanner.scan(got.append)

    assert scanner.available is False and got == [None]


def test_navigation_links_on_a_desktop_are_openstreetmap_links(tmp_path):
    """Coordinates give an OpenStreetMap map link; an address alone a search; nothing, None."""
    desktop = platform_services(tmp_path, android=False)
    stop = {"name": "Werk Süd", "lat": 51.28, "lon": 7.04, "address": ""}
    address_only = {"lat": None, "lon": None, "address": "Hafenstraße 1, Köln"}

    assert desktop.navigation_link(stop) == "https://www.openstreetmap.org/?mlat=51.28&mlon=7.04#map=16/51.28/7.04"
    assert desktop.navigation_link(address_only) == \
        "https://www.openstreetmap.org/search?query=Hafenstra%C3%9Fe%201%2C%20K%C3%B6ln"
    assert desktop.navigation_link({"lat": None, "lon": None}) is None


def test_links_open_in_the_browser_unless_the_tests_say_no(tmp_path, monkeypatch):
    """open_link opens the web browser; HAUL_DRIVER_NO_BROWSER keeps it shut."""
    opened = []
    monkeypatch.setattr("webbrowser.open", opened.append)
    desktop = platform_services(tmp_path, android=False)
    monkeypatch.delenv("HAUL_DRIVER_NO_BROWSER", raising=False)

    desktop.open_link("https://www.openstreetmap.org/?mlat=51.28&mlon=7.04")
    monkeypatch.setenv("HAUL_DRIVER_NO_BROWSER", "1")
    desktop.open_link("https://example.invalid/doc.pdf")

    assert opened == ["https://www.openstreetmap.org/?mlat=51.28&mlon=7.04"]


def test_a_desktop_has_no_gps_and_asks_no_permissions(tmp_path):
    """No GPS of its own (a simulated drive stands in) and nothing to ask for at run time."""
    desktop = platform_services(tmp_path, android=False)

    assert desktop.gps(5.0, 10.0) is None
    assert desktop.request_permissions() is None
