"""UI scenario: a driver's day against a real ``haul serve``, in a real offscreen window.

sign in -> today (the seeded load) -> load (the buyer's pickup QR) -> gate: check in through
the real API -> the seller's dock manager calls the truck through the real API, and the gate
screen's poll of the yard visit shows the call (this server has no MQTT broker, so the inbox
is not used) -> evidence (weigh ticket, seals, sample, photo) sent -> the dock manager
moves the visit to loaded and departed -> proof of delivery (signature drawn with touches).
Run by test_driver_ui_real_server_day.py as
``python scenario_real_server_day.py ARTIFACTS SERVER_URL LOAD_JSON``, where LOAD_JSON names the
load, its visit's site, the driver's and the dock manager's logins and the dock to call.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scenario_full_flow import write_photo  # noqa: E402
from ui_harness import gl_facts, start_app  # noqa: E402

POLL_WAIT_S = 30.0  # the gate screen re-reads the visit every 10 s


def main(artifacts: Path, server: str, seeded: dict) -> None:
    from server.demo.api import ApiSession

    photos = artifacts / "photos-in-day"
    photo = write_photo(photos)
    manager = ApiSession(server, seeded["manager_email"], seeded["password"]).sign_in()
    d = start_app(artifacts, server_url=server, photo_dir=photos)
    app = d.app
    from driver_app.glue.translation import tr

    facts = gl_facts()
    seen: dict = {}

    # -- sign in -> today -> load -------------------------------------------------------------
    d.sign_in_to_today(server, seeded["driver_email"], seeded["password"])
    assert d.screen.message is None, tr.render(d.screen.message)
    rows = d.wait(lambda: [r for r in d.ids("list").children if r.title == seeded["reference"]],
                  "the seeded load listed on Today")
    seen["today"] = sorted(r.title for r in d.ids("list").children)
    d.shots_both_languages("real-day-today")
    d.tap(rows[0])
    d.on_screen("load")
    d.idle_network()
    load = d.screen
    d.wait(lambda: load.has_qr, "the buyer's pickup authorization as a QR code")
    d.shots_both_languages("real-day-load")

    # -- gate: check in, then the dock manager calls the truck ---------------------------------
    d.tap(load.ids.to_gate)
    d.on_screen("gate")
    gate = d.screen
    assert gate.stage == "arrive", gate.stage
    d.tap(gate.ids.check_in)
    d.idle_network()
    assert gate.stage == "queue", (gate.stage, tr.render(gate.message) if gate.message else None)
    visit = app.controller.day.visit
    seen["visit"] = {"id": visit["id"], "status": visit["status"], "position": visit.get("position")}
    d.shots_both_languages("real-day-gate-queue")
    manager.post(f"/api/v1/yard/visits/{visit['id']}/call", {"dock_id": seeded["dock_id"]})
    d.wait(lambda: gate.stage == "called", "the dock call shown by the visit poll", timeout_s=POLL_WAIT_S)
    seen["called_text"] = tr.render(gate.called_text)
    assert seeded["dock_name"] in seen["called_text"], seen["called_text"]
    assert app.controller.alert.count == 1
    d.shots_both_languages("real-day-gate-called")
    d.tap(gate.ids.start_loading)
    manager.post(f"/api/v1/yard/visits/{visit['id']}/transition", {"to": "loading"})

    # -- evidence -------------------------------------------------------------------------------
    d.on_screen("evidence")
    ev = d.screen
    d.type_into(ev.ids.ticket_number, "WB-UI-0815")
    d.type_into(ev.ids.tare, "14000")
    d.type_into(ev.ids.gross, str(14000 + seeded["weight_kg"]))
    d.type_into(ev.ids.seals, "889120, 889121")
    d.type_into(ev.ids.samples, "S-77")
    d.scroll_to(ev.ids.add_photo)
    d.tap(ev.ids.add_photo)
    popup = d.wait(lambda: getattr(app, "photo_popup", None), "the photo chooser")
    popup.chooser.selection = [str(photo)]
    d.tap(popup.use_button)
    d.wait(lambda: ev.photos == [str(photo)], "the chosen photo listed")
    d.tap(ev.ids.save)
    d.idle_network()
    seen["evidence_message"] = tr.render(ev.message)
    assert ev.recorded and "Sent" in seen["evidence_message"], seen["evidence_message"]
    assert app.controller.day.submissions_waiting == 0
    d.shots_both_languages("real-day-evidence")
    for step in ("loaded", "departed"):  # the dock manager lets the truck go: the load is in transit
        manager.post(f"/api/v1/yard/visits/{visit['id']}/transition", {"to": step})
    d.tap(ev.ids.depart)

    # -- proof of delivery ------------------------------------------------------------------------
    d.on_screen("pod")
    pod = d.screen
    d.type_into(pod.ids.receiver, "M. Becker")
    d.type_into(pod.ids.quantity, str(seeded["quantity"]))
    pad = pod.ids.signature
    d.scroll_to(pad)
    d.drag(pad, [(0.1, 0.3), (0.25, 0.7), (0.4, 0.3), (0.55, 0.7), (0.7, 0.35), (0.9, 0.6)])
    assert pad.signed
    d.scroll_to(pod.ids.exc_damage)
    d.tap(pod.ids.exc_damage)
    d.type_into(pod.ids.exception_note, "Two bags torn")
    d.tap(pod.ids.confirm)
    d.idle_network()
    assert pod.delivered, dict(pod.field_errors)
    d.wait(lambda: app.controller.day.submissions_waiting == 0 and not app.controller.desk.busy,
           "the proof of delivery sent")
    seen["rejected"] = len(app.controller.desk.outbox.rejected())
    d.shots_both_languages("real-day-pod-delivered")

    (artifacts / "summary-real-server-day.json").write_text(json.dumps(
        {"gl": facts, "seen": seen, "screenshots": d.shots}, indent=1))
    app.stop()
    app.on_stop()


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3]))
