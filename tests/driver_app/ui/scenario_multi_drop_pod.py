"""UI scenario (issue 18): the driver signs a multi-drop load stop by stop, against the stub API.

sign in -> the load with two buyers' deliveries (Köln, then Bonn) is on its way (the gate, dock
and evidence are the full flow's, scenario_full_flow.py, so the day is moved there directly) ->
the POD screen offers the Köln stop: signed with touches, sent to the stop's endpoint -> the
screen shows the Bonn stop with an empty form -> signed -> the load is delivered. Screenshots in
English and Chinese. Run by test_driver_ui_multi_drop_pod.py as ``python scenario_multi_drop_pod.py ARTIFACTS``.
"""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stub_haul_api import StubHaulApi, multi_drop_load  # noqa: E402
from ui_harness import gl_facts, start_app  # noqa: E402

SIGNATURE_STROKE = [(0.1, 0.3), (0.25, 0.7), (0.4, 0.3), (0.55, 0.7), (0.7, 0.35), (0.9, 0.6)]


def sign_stop(d, pod, receiver: str, quantity: str) -> None:
    d.scroll_to(pod.ids.receiver)
    d.type_into(pod.ids.receiver, receiver)
    d.type_into(pod.ids.quantity, quantity)
    pad = pod.ids.signature
    d.scroll_to(pad)
    d.drag(pad, SIGNATURE_STROKE)
    assert pad.signed
    d.tap(pod.ids.confirm)
    d.idle_network()


def main(artifacts: Path) -> None:
    with StubHaulApi() as api:
        api.state.loads = {103: multi_drop_load(103)}
        d = start_app(artifacts, server_url=api.url)
        app = d.app
        facts = gl_facts()
        from driver_app.glue.translation import tr

        d.sign_in_to_today(api.url, "driver@weber.demo", "right-password")
        day = app.controller.day
        load = next(item for item in day.assignments if item["id"] == 103)
        day.select_load(load)
        day.check_in({"id": 55, "status": "queued"}, 1)
        day.call_to_dock("2")
        day.start_loading()
        day.record_evidence({})
        day.depart()
        d.frames(5)
        d.on_screen("pod")
        pod = d.screen
        seen: dict = {"first": tr.render(pod.stop_text), "progress_before": pod.ids.stops_progress.text,
                      "confirm": pod.ids.confirm.text}
        assert pod.multi_drop and pod.stop_id == 31, (pod.multi_drop, pod.stop_id)
        d.shots_both_languages("pod-stop-1")

        sign_stop(d, pod, "M. Becker", "10")
        assert api.posts_to("/loads/103/pod") == [], "a multi-drop load takes no whole-load proof"
        assert set(api.state.stop_pods) == {31}, api.state.stop_pods
        assert not pod.delivered and pod.stop_id == 32, (pod.delivered, pod.stop_id)
        assert pod.ids.receiver.text == "" and not pod.ids.signature.signed, "a fresh form for the next stop"
        seen["second"] = tr.render(pod.stop_text)
        seen["progress_between"] = pod.ids.stops_progress.text
        seen["message_between"] = tr.render(pod.message)
        d.shots_both_languages("pod-stop-2")
        app.set_language("zh_CN")
        d.frames(3)
        seen["second_zh"] = pod.ids.stop.text
        seen["progress_zh"] = pod.ids.stops_progress.text
        app.set_language("en")
        d.frames(3)

        sign_stop(d, pod, "K. Schmitz", "8")
        assert pod.delivered and day.step.value == "delivered", day.step
        assert set(api.state.stop_pods) == {31, 32}
        first, second = api.state.stop_pods[31], api.state.stop_pods[32]
        assert first["signed_by"] == "M. Becker" and second["signed_by"] == "K. Schmitz"
        assert base64.b64decode(first["signature_base64"]).startswith(b"\x89PNG")
        assert second["received_quantity"] == 8.0 and "stop_id" not in second
        assert day.submissions_waiting == 0
        d.shots_both_languages("pod-stops-delivered")

        (artifacts / "summary-multi-drop-pod.json").write_text(json.dumps(
            {"gl": facts, "seen": seen, "screenshots": d.shots}, indent=1, ensure_ascii=False))
        app.stop()
        app.on_stop()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
