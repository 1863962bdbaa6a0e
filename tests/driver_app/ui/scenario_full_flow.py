"""UI scenario: the driver's whole day against the stub API, in a real offscreen window.

sign in -> today -> load (QR, navigation) -> gate: check in, queue, a dock call from a
background thread -> evidence (refused weights, offline queueing, photo, sent) -> proof of
delivery (signature drawn with touches) -> delivered; then the load board (grab, lost race,
bad bid, server error) and an expired session. Screenshots of every screen in English and
Chinese. Run by test_driver_ui_full_flow.py as ``python scenario_full_flow.py ARTIFACTS``.
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stub_haul_api import PICKUP_TOKEN, StubHaulApi  # noqa: E402
from ui_harness import gl_facts, start_app  # noqa: E402


def write_photo(folder: Path) -> Path:
    """A real PNG for the photo chooser (the QR writer makes one without Pillow)."""
    import segno

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "seal-photo.png"
    segno.make("seal 889120").save(str(path), scale=6)
    return path


def main(artifacts: Path) -> None:
    photos = artifacts / "photos-in"
    photo = write_photo(photos)
    with StubHaulApi() as api:
        # --simulate: after sign-in the app drives load 101's route with the simulated GPS.
        d = start_app(artifacts, server_url=api.url, photo_dir=photos, simulate_load="101")
        app = d.app
        facts = gl_facts()
        assert "llvmpipe" in facts["renderer"] or "Mesa" in facts["version"], facts
        from driver_app.glue.translation import tr

        # -- sign in ------------------------------------------------------------------------
        d.on_screen("signin")
        s = d.screen
        d.type_into(s.ids.email, "driver@weber.demo")
        d.tap(s.ids.sign_in)  # empty password: refused in the form
        assert s.field_errors.get("password") is not None
        d.type_into(s.ids.password, "wrong")
        d.tap(s.ids.sign_in)
        d.idle_network()
        assert "Sign-in failed" in tr.render(s.message), s.message
        d.shots_both_languages("signin")
        d.type_into(s.ids.password, "right-password")
        d.tap(s.ids.sign_in)
        d.idle_network()

        # -- today --------------------------------------------------------------------------
        d.on_screen("today")
        d.idle_network()
        rows = d.wait(lambda: list(reversed(d.ids("list").children)), "today's loads listed")
        assert [r.title for r in rows] == ["LD-4711", "LD-4712"]
        assert rows[0].dock.startswith("Dock 2") and rows[1].dock == ""
        d.shots_both_languages("today")
        before = len(api.state.requests)
        scroll = d.ids("scroll")
        d.drag(scroll, [(0.5, 0.6), (0.5, 0.45), (0.5, 0.3), (0.5, 0.2)])  # pull down from the top
        d.idle_network()
        assert any(r["path"] == "/api/v1/driver/assignments" for r in api.state.requests[before:]), "pull refresh"

        # -- load -----------------------------------------------------------------------------
        rows = list(reversed(d.ids("list").children))  # the refresh rebuilt the rows
        d.tap(rows[0])
        d.on_screen("load")
        d.idle_network()
        load = d.screen
        assert load.has_qr and load._qr_token == PICKUP_TOKEN, (load.has_qr, load._qr_token, app.controller.day.load, load.message)
        cards = list(reversed(load.ids.stops.children))
        assert [c.kind for c in cards] == ["pickup", "delivery"] and "Wülfrath" in cards[0].name
        d.scroll_to(cards[0])
        d.tap(cards[0].children[0])  # Navigate
        assert app.last_link.startswith("https://www.openstreetmap.org/?mlat=51.2817"), app.last_link
        d.shots_both_languages("load")

        # -- gate -------------------------------------------------------------------------------
        d.tap(load.ids.to_gate)
        d.on_screen("gate")
        gate = d.screen
        assert gate.stage == "arrive"
        d.tap(gate.ids.check_in)
        d.idle_network()
        assert gate.stage == "queue" and app.controller.day.queue_position == 3
        d.shots_both_languages("gate-queue")
        # The dock call arrives on a network thread, as paho delivers the MQTT inbox.
        from driver_app.core.inbox import bind_inbox

        class Inbox:
            handlers: dict = {}

            def on_inbox(self, kind, handler):
                self.handlers[kind] = handler

        inbox = Inbox()
        bind_inbox(inbox, app.controller.day)
        caller = threading.Thread(target=inbox.handlers["dock_call"],
                                  args=({"_type": "dock_call", "v": 1, "load_id": 101, "dock": "4"},))
        caller.start()
        caller.join()
        d.wait(lambda: gate.stage == "called", "the dock call on screen")
        assert app.controller.alert.count == 1
        assert "4" in tr.render(gate.called_text)
        d.shots_both_languages("gate-called")
        d.tap(gate.ids.start_loading)

        # -- evidence ---------------------------------------------------------------------------
        d.on_screen("evidence")
        ev = d.screen
        d.type_into(ev.ids.tare, "12,500")
        d.type_into(ev.ids.gross, "9000")
        d.tap(ev.ids.save)
        assert set(ev.field_errors) == {"ticket_number", "tare_kg"}, ev.field_errors
        d.type_into(ev.ids.tare, "14000")
        d.tap(ev.ids.save)
        assert "gross_kg" in ev.field_errors  # gross must exceed tare
        d.shots_both_languages("evidence-invalid")
        d.type_into(ev.ids.ticket_number, "WB-2026-0815")
        d.type_into(ev.ids.tare, "14000")
        d.type_into(ev.ids.gross, "38020.5")
        d.type_into(ev.ids.seals, "889120, 889121")
        d.type_into(ev.ids.samples, "S-77")
        d.scroll_to(ev.ids.add_photo)
        d.tap(ev.ids.add_photo)
        popup = d.wait(lambda: getattr(app, "photo_popup", None), "the photo chooser")
        popup.chooser.selection = [str(photo)]
        d.tap(popup.use_button)
        d.wait(lambda: ev.photos == [str(photo)], "the chosen photo listed")
        api.state.evidence_down = 1  # the network is down for the first try
        d.tap(ev.ids.save)
        d.idle_network()
        assert ev.recorded and "Saved on the phone" in tr.render(ev.message), (
            ev.message, dict(ev.field_errors), {n: ev.ids[n].text for n in ("ticket_number", "tare", "gross")},
            {n: ev.ids[n].ids.input.text for n in ("ticket_number", "tare", "gross")})
        assert app.controller.day.submissions_waiting == 1
        assert "1 report waiting" in app.status_text, app.status_text
        app.controller.flush_outbox(on_ok=ev.done)  # the connection is back
        d.idle_network()
        assert app.controller.day.submissions_waiting == 0 and "Sent" in tr.render(ev.message)
        sent = api.posts_to("/loads/101/evidence")[-1]
        assert sent["headers"].get("Idempotency-Key") and b"seal-photo.png" in sent["body"]
        assert b"WB-2026-0815" in sent["body"] and b"recorded_at" in sent["body"]
        assert b'"position": {"lat": 51.' in sent["body"], "evidence stamped with the simulated position"
        keys = {r["headers"].get("Idempotency-Key") for r in api.posts_to("/loads/101/evidence")}
        assert len(keys) == 1, "a resend keeps its idempotency key"
        d.shots_both_languages("evidence")
        d.tap(ev.ids.depart)

        # -- proof of delivery ------------------------------------------------------------------
        d.on_screen("pod")
        pod = d.screen
        d.type_into(pod.ids.receiver, "M. Becker")
        d.type_into(pod.ids.quantity, "38")
        d.tap(pod.ids.confirm)
        assert "signature" in pod.field_errors
        pad = pod.ids.signature
        d.scroll_to(pad)
        d.drag(pad, [(0.1, 0.3), (0.25, 0.7), (0.4, 0.3), (0.55, 0.7), (0.7, 0.35), (0.9, 0.6)])
        assert pad.signed and pad.stroke_count == 1
        d.scroll_to(pod.ids.exc_damage)
        d.tap(pod.ids.exc_damage)
        d.tap(pod.ids.confirm)
        assert "exception_note" in pod.field_errors  # an exception needs a description
        d.type_into(pod.ids.exception_note, "Two bags torn")
        d.shots_both_languages("pod")
        d.tap(pod.ids.confirm)
        d.idle_network()
        assert pod.delivered
        sent = api.posts_to("/loads/101/pod")[-1]
        assert b"signature-" in sent["body"] and b"\x89PNG" in sent["body"] and b"Two bags torn" in sent["body"]
        d.shots_both_languages("pod-delivered")
        d.tap(pod.ids.next_load)
        d.on_screen("today")
        d.idle_network()

        # -- load board -----------------------------------------------------------------------
        api.state.board_fails = 1
        app.show("board")
        d.on_screen("board")
        d.idle_network()
        board = d.screen
        assert "The server had a problem" in tr.render(board.message), board.message
        d.tap(board.children[0].children[0].children[0])  # Refresh
        d.idle_network()
        cards = {c.tender_id: c for c in board.ids.tenders.children}
        assert set(cards) == {"7", "8"}
        grab_button = [w for w in cards["7"].walk() if getattr(w, "text", "") == tr._("Grab")][0]
        d.tap(grab_button)
        d.idle_network()
        assert "The load is yours" in tr.render(cards["7"].message)
        d.tap(grab_button)
        d.idle_network()
        assert "already awarded" in tr.render(cards["7"].message)
        bid_button = [w for w in cards["8"].walk() if getattr(w, "text", "") == tr._("Bid")][0]
        d.tap(bid_button)  # no price
        assert "price above zero" in tr.render(cards["8"].message)
        d.type_into(cards["8"].ids.price, "1700")
        d.tap(bid_button)
        d.idle_network()
        assert "ceiling price" in tr.render(cards["8"].message)
        d.shots_both_languages("board")

        # -- settings and an expired session ----------------------------------------------------
        app.show("settings")
        d.on_screen("settings")
        st = d.screen
        d.type_into(st.ids.interval, "0")
        d.tap(st.ids.save_gps)
        assert "gps_interval_s" in st.field_errors
        d.type_into(st.ids.interval, "10")
        d.tap(st.ids.save_gps)
        assert app.controller.settings.gps_interval_s == 10.0
        assert app.positions_waiting >= 1 and "position" in app.status_text  # no MQTT: they wait on disk
        d.tap(st.ids.lang_zh)
        assert app.language == "zh_CN" and tr._("Settings") != "Settings"
        d.shot("settings")
        d.tap(st.ids.lang_en)
        d.shot("settings")
        api.state.expired = True
        app.go_today()
        d.on_screen("today")
        d.idle_network()
        d.on_screen("signin")
        assert "session has expired" in tr.render(d.screen.message)

        summary = {"gl": facts, "screenshots": d.shots, "requests": len(api.state.requests)}
        (artifacts / "summary-full-flow.json").write_text(json.dumps(summary, indent=1))
        app.stop()
        app.on_stop()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
