"""The buyer's dashboard in Chromium: live map fed by the real MQTT ingest path, the load page, isolation."""

from __future__ import annotations

import json
import re
import time

import paho.mqtt.client as mqtt

from tests.browser.conftest import PHONE, wait_live


def _publisher(port: int) -> mqtt.Client:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="browser-test-truck", protocol=mqtt.MQTTv311)
    client.connect("127.0.0.1", port)
    client.loop_start()
    return client


def _publish(client: mqtt.Client, vehicle_id: int, lat: float, lon: float, seq: int, t_ms: int) -> None:
    fix = {"_type": "position", "v": 1, "t": t_ms, "lat": lat, "lon": lon, "speed": 15.0,
           "heading": 90.0, "acc": 5.0, "batt": 80, "seq": seq}
    client.publish(f"haul/v1/vehicles/{vehicle_id}/position", json.dumps(fix), qos=1).wait_for_publish(5)


def _marker(page, vehicle_id: int):
    return page.evaluate("(id) => { const m = window.HaulLiveMapState && window.HaulLiveMapState.markers[id];"
                         " return m ? m.getLatLng() : null; }", str(vehicle_id))


def test_truck_marker_moves_when_positions_are_published(open_as, api, stack, screenshots):
    """Positions published over MQTT reach the buyer's map through the ingest worker and move the marker."""
    load = api.assigned_load(buyer="buyer")
    vehicle_id = load["vehicle_id"]
    page = open_as("buyer", "/buyer")
    wait_live(page)
    client = _publisher(stack.mqtt_port)
    try:
        # The ingest worker learns which load a truck drives within ~10 s: publish until the map shows it.
        # Fixes are 10 s apart in GPS time (about 25 km/h) and never in the future.
        lat, lon, seq = 51.30, 6.90, 0
        start_ms = int(time.time() * 1000) - 600_000
        deadline = time.monotonic() + 40
        first = None
        while first is None and time.monotonic() < deadline:
            seq += 1
            lon += 0.001
            _publish(client, vehicle_id, lat, lon, seq, start_ms + seq * 10_000)
            time.sleep(1.0)
            first = _marker(page, vehicle_id)
        assert first is not None, stack.log("ingest").read_text()[-2000:]
        for _ in range(5):
            seq += 1
            lon += 0.001
            _publish(client, vehicle_id, lat, lon, seq, start_ms + seq * 10_000)
            time.sleep(0.3)
        page.wait_for_function("([id, lon]) => { const m = window.HaulLiveMapState.markers[id];"
                               " return m && m.getLatLng().lng > lon + 0.003; }", arg=[str(vehicle_id), first["lng"]],
                               timeout=15_000)
    finally:
        client.loop_stop()
        client.disconnect()
    moved = _marker(page, vehicle_id)
    assert moved["lng"] > first["lng"]
    row = page.locator(f'[data-vehicle-row="{vehicle_id}"] [data-field="position"]')
    assert row.inner_text().startswith(f"{moved['lat']:.4f}")
    page.screenshot(path=str(screenshots / "dashboard-buyer.png"), full_page=True)


def test_buyer_cannot_open_another_buyers_load(open_as, api):
    """A buyer who is not party to a load gets the 404 page, with nothing of the load on it."""
    load = api.draft_load(buyer="buyer")
    page = open_as("buyer2", f"/loads/{load['id']}")
    response = page.request.get(f"/loads/{load['id']}")
    assert response.status == 404
    assert "404" in page.locator("h1").inner_text()
    assert load["reference"] not in page.content()
    owner = open_as("buyer", f"/loads/{load['id']}")
    assert load["reference"] in owner.locator("h1").inner_text()


def test_buyer_authorizes_pickup_and_sees_the_qr(open_as, api, screenshots):
    """The buyer's pickup form validates next to the field, then issues the authorization and shows its QR."""
    load = api.assigned_load(buyer="buyer", carrier="carrier2")
    page = open_as("buyer", f"/loads/{load['id']}")
    page.get_by_label("Licence plate").fill("bad plate!!")
    page.get_by_role("button", name="Authorize the pickup").click()
    error = page.locator("#pickup-form-plate-error")
    error.wait_for(state="visible")
    assert error.inner_text()
    assert page.get_by_label("Licence plate").get_attribute("aria-invalid") == "true"
    page.get_by_label("Licence plate").fill("")
    page.get_by_role("button", name="Authorize the pickup").click()
    page.locator("#pickup-qr img").wait_for()
    assert page.locator("#pickup-qr img").get_attribute("src").endswith("/qr.svg")
    page.wait_for_function("() => { const i = document.querySelector('#pickup-qr img'); return i && i.complete && i.naturalWidth > 0; }")
    caption = page.locator("#pickup-qr p").inner_text()  # words on the plant's clock, not a raw ISO time
    assert re.fullmatch(r"Pickup at .+, \d{1,2} [A-Z][a-z]{2} \d\d:\d\d [A-Z+\-0-9]+, truck .+", caption), caption
    page.locator("#load-authorizations li", has_text="valid until").first.wait_for()
    page.locator("#load-facts .status-authorized").wait_for()
    page.screenshot(path=str(screenshots / "dashboard-load.png"), full_page=True)


def test_buyer_dashboard_fits_a_phone_and_speaks_chinese(open_as, api, screenshots):
    """On a phone-sized screen the dashboard needs no sideways scrolling, and ?lang=zh_CN is Chinese."""
    page = open_as("buyer", "/buyer?lang=zh_CN", viewport=PHONE)
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("#loads-h").inner_text() == "货运"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    page.screenshot(path=str(screenshots / "dashboard-buyer-phone.png"), full_page=False)
