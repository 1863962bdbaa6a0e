"""The seller's dashboard in Chromium: the dock Gantt chart's rescheduling reaches the driver's MQTT
inbox, and the live yard queue calls a truck to a dock."""

from __future__ import annotations

import json
import queue
import re
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import paho.mqtt.client as mqtt
from playwright.sync_api import expect

from tests.browser.conftest import wait_live


class Inbox:
    """A paho subscriber on one driver's inbox topic, as the driver app would be."""

    def __init__(self, port: int, driver_id: int):
        self.messages: queue.Queue = queue.Queue()
        self.ready = queue.Queue()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"browser-driver-{driver_id}",
                                  protocol=mqtt.MQTTv311)
        self.client.on_connect = lambda c, *_: c.subscribe(f"haul/v1/drivers/{driver_id}/inbox", qos=1)
        self.client.on_subscribe = lambda *_: self.ready.put(True)
        self.client.on_message = lambda _c, _u, msg: self.messages.put(json.loads(msg.payload))
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        self.ready.get(timeout=10)

    def wait_for(self, kinds: set[str], timeout_s: float = 20) -> dict:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                message = self.messages.get(timeout=max(deadline - time.monotonic(), 0.1))
            except queue.Empty:
                break
            if message.get("_type") in kinds:
                return message
        raise AssertionError(f"no {kinds} message in the driver's inbox")

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def test_rescheduling_a_dock_slot_reaches_the_drivers_inbox(open_as, api, stack, screenshots):
    """Moving a bar of the Gantt chart to another dock re-draws the chart and tells the driver over MQTT."""
    load = api.assigned_load(buyer="buyer", carrier="carrier")
    slot = api.call("seller", "GET", f"/api/v1/loads/{load['id']}/slots")["slots"][0]
    api.call("seller", "POST", f"/api/v1/loads/{load['id']}/appointment", {"dock_id": slot["dock_id"],
                                                                              "start": slot["start"]})
    other = next(d for d in api.plant()["docks"] if d["equipment"] == "pallet_dock" and d["id"] != slot["dock_id"])
    local_start = datetime.fromisoformat(slot["start"]).astimezone(ZoneInfo(api.plant()["timezone"]))
    inbox = Inbox(stack.mqtt_port, load["driver_id"])
    try:
        page = open_as("seller", f"/seller?day={local_start.date().isoformat()}")
        wait_live(page)
        bar = page.locator(f'.gantt-row[data-dock-id="{slot["dock_id"]}"] .bar[data-load-id="{load["id"]}"]')
        bar.focus()
        page.keyboard.press("Enter")  # keyboard only: the bar fills the reschedule form
        form = page.locator("#reschedule")
        assert form.get_by_label("Load").input_value() == str(load["id"])
        form.get_by_label("New start", exact=False).fill("")
        form.get_by_role("button", name="Move the slot").click()
        expect(page.locator("#reschedule-start-error")).to_have_text(re.compile(".+"))  # required, by the field
        form.get_by_label("New start", exact=False).fill(local_start.strftime("%H:%M"))
        form.get_by_label("Dock").select_option(str(other["id"]))
        form.get_by_role("button", name="Move the slot").click()
        page.locator(f'.gantt-row[data-dock-id="{other["id"]}"] .bar[data-load-id="{load["id"]}"]').wait_for()
        message = inbox.wait_for({"replan", "appointment"})
        assert message["load_id"] == load["id"]
        assert message["appointment"]["dock_id"] == other["id"]
        page.screenshot(path=str(screenshots / "dashboard-seller.png"), full_page=True)

        # The truck checks in at the gate: the yard queue shows it live, and "call to dock" tells the driver.
        grant = api.call("buyer", "POST", f"/api/v1/loads/{load['id']}/pickup-authorizations", {})
        api.call("seller", "POST", "/api/v1/yard/checkin", {"load_id": load["id"], "token": grant["token"],
                                                            "plate": grant["plate"]})  # the plate read at the gate
        entry = page.locator("#queue li", has_text=load["reference"])
        entry.get_by_role("button", name="Call to dock").click()
        page.locator("#queue li", has_text=load["reference"]).locator(".status-called").wait_for()
        call = inbox.wait_for({"dock_call"})
        assert call["load_id"] == load["id"] and call["dock_id"] == other["id"]
    finally:
        inbox.close()


def test_seller_previews_and_commits_a_load_plan(open_as, api):
    """Ticking an order and previewing shows the truckloads; committing adds them to the loads list."""
    plant = api.plant()
    buyer_site = api.call("buyer", "GET", "/api/v1/sites")["items"][0]
    buyer_id = api.call("buyer", "GET", "/api/v1/auth/me")["organisation_id"]
    from tests.browser.shipments import order_body

    order = api.call("seller", "POST", "/api/v1/orders", order_body(buyer_id, plant["id"], buyer_site["id"], tonnes=30))
    page = open_as("seller", "/seller")
    page.get_by_role("button", name="Preview loads for the ticked orders").click()
    expect(page.locator("#plan-form-order_ids-error")).to_have_text(re.compile(".+"))  # nothing ticked: said by the list
    page.get_by_label(f"Plan order {order['reference']}").check()
    page.get_by_role("button", name="Preview loads for the ticked orders").click()
    page.locator("#plan-preview table").wait_for()
    assert page.locator("#plan-preview tbody tr").count() == 2  # 30 t need two curtainsiders
    with page.expect_navigation():  # the page reloads so every list shows the new loads
        page.get_by_role("button", name="Create these loads").click()
    assert api.call("seller", "GET", f"/api/v1/orders/{order['id']}")["status"] == "planned"
    row = page.locator("#seller-orders tr", has_text=order["reference"])
    assert "planned" in row.inner_text()
