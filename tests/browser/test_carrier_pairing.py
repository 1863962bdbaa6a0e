"""The carrier's dashboard in Chromium: a dispatcher shows a driver's pairing QR code using only the keyboard, and
reinstates a device login the ingest suspended."""

from __future__ import annotations

import re
import sqlite3

import requests


def test_dispatcher_shows_a_pairing_qr_code_with_the_keyboard_and_the_code_pairs(open_as, api, stack, screenshots):
    """Tab to a driver's button, press Enter: the QR code and the code appear and take the focus; the code pairs once."""
    vehicle_id, driver_id = api.add_truck("carrier")
    driver = api.call("carrier", "GET", f"/api/v1/drivers/{driver_id}")
    page = open_as("carrier", "/carrier")
    row = page.locator(f'#drivers-h ~ div tr[data-driver-id="{driver_id}"]')
    row.get_by_label(f"Truck for the phone of {driver['name']}").select_option(str(vehicle_id))
    row.get_by_role("button", name=f"Show pairing QR code for {driver['name']}").focus()
    page.keyboard.press("Enter")

    result = page.locator("#pairing-result")
    result.locator("#pairing-qr").wait_for()
    assert page.evaluate("document.activeElement.id") == "pairing-result"
    assert result.get_by_role("img", name=f"Pairing QR code for {driver['name']}").is_visible()
    assert page.evaluate("document.getElementById('pairing-qr').naturalWidth") > 100  # the SVG really drew
    code = result.locator("#pairing-code").inner_text()
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}", code)
    assert f"/pair#code={code}" in result.inner_text()
    page.screenshot(path=str(screenshots / "dashboard-carrier-pairing.png"), full_page=False)
    assert not getattr(page.context, "js_errors", [])

    paired = requests.post(f"{stack.base_url}/api/v1/devices/pair", json={"code": code, "device_name": "test"},
                           timeout=30)
    assert paired.status_code == 200 and paired.json()["vehicle"]["id"] == vehicle_id
    again = requests.post(f"{stack.base_url}/api/v1/devices/pair", json={"code": code}, timeout=30)
    assert again.status_code == 409


def test_dispatcher_reinstates_a_suspended_device_login_from_the_dashboard(open_as, api, stack, screenshots):
    """A login the ingest suspended is listed with its truck; pressing Reinstate lets it in again and clears the row."""
    vehicle_id, _ = api.add_truck("carrier")
    login = api.call("carrier", "POST", "/api/v1/device-credentials", {"vehicle_id": vehicle_id})
    with sqlite3.connect(stack.database) as db:  # what the garbage brake does (server.tracking.device_abuse)
        db.execute("UPDATE device_credentials SET suspended_at = '2026-01-05 08:00:00.000000', "
                   "suspended_reason = '3000 garbage messages braked in one window' WHERE id = ?", (login["id"],))
    page = open_as("carrier", "/carrier")
    row = page.locator(f'tr[data-credential-id="{login["id"]}"]')
    assert login["username"] in row.inner_text()
    page.screenshot(path=str(screenshots / "dashboard-carrier-suspended-device.png"), full_page=False)
    row.get_by_role("button", name=f"Reinstate the device login {login['username']}").click()
    row.wait_for(state="detached")  # the page reloaded without it
    listed = {c["id"]: c for c in api.call("carrier", "GET", "/api/v1/device-credentials")["items"]}
    assert listed[login["id"]]["suspended_at"] is None
    assert not getattr(page.context, "js_errors", [])
