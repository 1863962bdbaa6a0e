"""The driver's Messages: the server's notifications fetched with Today and read when the list opens
(controller against the stub API), and the list and its badge in a real window (scenario_messages.py)."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from driver_app.core.app_state import Step
from driver_app.glue.controller import DriverController
from driver_app.glue.explain import ImmediateRunner


def note(note_id: int, load_id: int | None, read_at: str | None = None) -> dict:
    return {"id": note_id, "kind": "dock_rescheduled", "title": f"Dock slot moved for LD-{note_id}",
            "load_id": load_id, "url": None, "event_id": f"evt_{note_id}", "data": {"reference": f"LD-{note_id}"},
            "created_at": f"2026-12-07T08:0{note_id}:00+00:00", "read_at": read_at}


def sign_in(controller, api) -> None:
    errors = []
    controller.sign_in(api.url, "driver@weber.demo", "right-password", on_error=errors.append)
    assert not errors, errors


def test_today_fetches_the_drivers_notifications_once_each_and_opening_the_list_reads_them(controller, api,
                                                                                          tmp_path):
    """Refreshing twice keeps one entry per notification; opening marks the unread one read on the server;
    the list survives a restart; a notification opens its load."""
    api.state.notifications = [note(2, 101), note(1, None, read_at="2026-12-07T09:00:00+00:00")]
    sign_in(controller, api)
    controller.refresh_today()
    controller.refresh_today()

    assert [n.server_id for n in controller.notices.items()] == [2, 1]
    assert controller.notices.unread_count() == 1
    assert [r["path"] for r in api.state.requests if "notifications" in r["path"]][0].endswith("lang=en")

    controller.open_messages()
    marked = [r["path"] for r in api.state.requests if r["method"] == "POST" and "notifications" in r["path"]]
    assert marked == ["/api/v1/notifications/2/read"] and controller.notices.unread_count() == 0
    assert api.state.notifications[0]["read_at"] is not None

    again = DriverController(tmp_path / "data", ImmediateRunner(), timeout=(2.0, 5.0))
    assert [(n.server_id, n.read) for n in again.notices.items()] == [(2, True), (1, True)]
    first = controller.notices.items()[0]
    assert controller.open_notice(first)
    assert controller.day.step is Step.LOAD_SELECTED and controller.day.load["reference"] == "LD-4711"


def test_a_server_without_notifications_still_shows_today_and_signing_out_forgets_the_list(controller, api):
    """No notification route: Today refreshes without an error; the inbox's notices stay until sign-out."""
    sign_in(controller, api)
    controller.notices.add("kept from the inbox")
    errors = []
    controller.refresh_today(on_error=errors.append)

    assert not errors and controller.day.step is Step.TODAY
    assert [n.text for n in controller.notices.items()] == ["kept from the inbox"]
    controller.sign_out()
    assert controller.notices.items() == []


@pytest.mark.timeout(300)
def test_two_inbox_messages_show_as_a_badge_and_a_list_newest_first(run_scenario, ui_artifacts):
    """Slot moved, then authorization withdrawn: badge 2 -> Messages lists both, newest first -> badge 0."""
    run_scenario("messages")

    summary = json.loads((ui_artifacts / "summary-messages.json").read_text())
    seen = summary["seen"]
    assert seen["badge_before"] == "Messages (2)" and seen["badge_after"] == "Messages"
    assert seen["texts"] == ["The pickup authorization for LD-4712 was withdrawn. Ask your dispatcher.",
                             "Your dock slot moved: D2, 09:37 CET"]
    assert seen["times"][1].endswith("CET"), seen["times"]  # the slot's plant zone
    assert seen["times"][0].split(" ")[-1] == datetime.now().astimezone().tzname()  # else the phone's zone
    assert seen["loads"] == ["LD-4712", "LD-4711"] and seen["unread_shown"] == [True, True]
    assert "LD-4712" in seen["texts_zh"][0] and "月台" in seen["texts_zh"][1] and seen["badge_zh"] == "消息（{n}）"
    assert seen["opened_load"] == "LD-4711"
    assert summary["gl"]["window"] == "WindowSDL" and summary["gl"]["gl_backend"] != "mock"
