"""The carrier's dashboard in Chromium: a dispatcher shows a driver's pairing QR code using only the keyboard."""

from __future__ import annotations

import re

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
