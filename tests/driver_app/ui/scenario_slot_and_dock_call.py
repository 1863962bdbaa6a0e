"""UI scenario (issue 17): the driver's slot on the plant's clock, the queue, and the dock call over MQTT.

A real ``haul serve`` whose driver inbox publishes to a private Mosquitto, and the app in a real
offscreen window connected to that broker with the driver's MQTT settings (what pairing the
phone gives it; here the driver signs in with a password, so the scenario hands them over, then
drives a simulated GPS as ``haul driver --simulate`` does):

sign in -> Today shows "Dock 2, HH:MM CET" -> the dock manager moves the slot through the API ->
a notice with the new time arrives over MQTT -> the load shows the places by name with a
Navigate link -> check in: the gate shows the slot and number 1 in the queue (screenshots en/zh
to docs/img/driver-app-slot-*.png) -> the gate stops polling, the dock manager calls the truck
through the API -> the call arrives over MQTT.
Run as ``python scenario_slot_and_dock_call.py ARTIFACTS SERVER_URL MQTT_URL SEEDED_JSON``.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ui_harness import gl_facts, start_app  # noqa: E402

DOCS_IMG = Path(__file__).resolve().parents[3] / "docs" / "img"


def main(artifacts: Path, server: str, mqtt_url: str, seeded: dict) -> None:
    from server.demo.api import ApiSession

    manager = ApiSession(server, seeded["manager_email"], seeded["password"]).sign_in()
    d = start_app(artifacts, server_url=server)
    app = d.app
    from driver_app.core.api_models import MqttSettings
    from driver_app.glue.translation import tr

    facts = gl_facts()
    seen: dict = {}

    # -- sign in -> Today: the booked slot on the plant's clock ----------------------------------
    d.sign_in_to_today(server, seeded["driver_email"], seeded["password"])
    rows = d.wait(lambda: [r for r in d.ids("list").children if r.title == seeded["reference"]],
                  "the seeded load listed on Today")
    seen["today"] = {"dock": rows[0].dock, "pickup": rows[0].pickup, "where": rows[0].where}
    load = next(item for item in app.controller.day.assignments if item["reference"] == seeded["reference"])

    # -- the phone's MQTT inbox (the settings pairing gives a phone) -----------------------------
    app.controller.tracker.use_mqtt(MqttSettings(url=mqtt_url, username=f"driver-{load['driver_id']}", password="",
                                                 vehicle_id=str(load["vehicle_id"]),
                                                 driver_id=str(load["driver_id"]), protocol="3.1.1"))
    app.controller.simulate(load, interval_s=5.0)
    d.wait(lambda: app.controller.tracker.service.mqtt.is_connected(), "the phone connected to the broker")
    d.wait(lambda: app.online, "the app showing online")
    d.frames(5)
    d.shots_both_languages("slot-today")

    # -- the dock manager moves the slot: a notice over MQTT ---------------------------------------
    manager.post(f"/api/v1/loads/{seeded['load_id']}/appointment",
                 {"dock_id": seeded["dock_id"], "start": seeded["moved_start"]})
    d.wait(lambda: app.notice is not None, "the slot-moved notice from the inbox", timeout_s=15)
    d.frames(3)
    seen["notice"] = tr.render(app.notice)
    seen["notice_bar"] = d.ids("notice").text
    seen["kept"] = [(tr.render(n.text), n.zone) for n in app.controller.notices.items()]  # issue 18: Messages
    seen["badge"] = d.ids("messages").text
    d.wait(lambda: [r for r in d.ids("list").children if r.title == seeded["reference"] and
                    r.dock == seen["notice"].split(": ", 1)[-1]], "Today's row showing the moved slot")
    d.shots_both_languages("slot-moved")
    app.dismiss_notice()

    # -- the load: places by name, Navigate -------------------------------------------------------
    rows = [r for r in d.ids("list").children if r.title == seeded["reference"]]
    d.tap(rows[0])
    d.on_screen("load")
    d.idle_network()
    screen = d.screen
    d.wait(lambda: screen.has_qr, "the buyer's pickup authorization as a QR code")
    cards = list(reversed(screen.ids.stops.children))
    seen["stops"] = [{"kind": c.kind, "name": c.name, "link": c.link, "window": c.window} for c in cards]
    seen["load_slot"] = screen.slot
    seen["qr_caption"] = screen.ids.qr_caption.text
    d.shots_both_languages("slot-load")

    # -- gate: check in, queue position, then the dock call over MQTT only -------------------------
    d.tap(screen.ids.to_gate)
    d.on_screen("gate")
    gate = d.screen
    d.tap(gate.ids.check_in)
    d.idle_network()
    assert gate.stage == "queue", (gate.stage, tr.render(gate.message) if gate.message else None)
    seen["queue_text"] = tr.render(gate.queue_text)
    seen["gate_slot"] = gate.ids.slot.text
    if gate._poll is not None:  # no polling from here: only the inbox can bring the call
        gate._poll.cancel()
        gate._poll = None
    for lang in ("en", "zh_CN"):  # the slot on the plant's clock and the queue position, for docs/img
        app.set_language(lang)
        d.frames(4)
        shot = d.shot("slot-gate-queue")
        shutil.copyfile(shot, DOCS_IMG / f"driver-app-slot-{'en' if lang == 'en' else 'zh'}.png")
    app.set_language("en")
    d.frames(3)
    visit = app.controller.day.visit
    manager.post(f"/api/v1/yard/visits/{visit['id']}/call", {"dock_id": seeded["dock_id"]})
    d.wait(lambda: gate.stage == "called", "the dock call over MQTT", timeout_s=15)
    seen["called_text"] = tr.render(gate.called_text)
    seen["alerts"] = app.controller.alert.count
    d.shots_both_languages("slot-gate-called")

    (artifacts / "summary-slot-and-dock-call.json").write_text(json.dumps(
        {"gl": facts, "seen": seen, "screenshots": d.shots}, indent=1, ensure_ascii=False))
    app.controller.tracker.stop()
    app.stop()
    app.on_stop()


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2], sys.argv[3], json.loads(sys.argv[4]))
