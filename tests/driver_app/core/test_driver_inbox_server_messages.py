"""Inbox messages as the server sends them (server.yard.notify) move the driver's day."""

from __future__ import annotations

from driver_app.core.app_state import DriverDay, Step
from driver_app.core.inbox import bind_inbox


class Inbox:
    """Collects the handlers ``bind_inbox`` registers, as ``DriverMqttClient.on_inbox`` would."""

    def __init__(self):
        self.handlers = {}

    def on_inbox(self, kind, handler):
        self.handlers[kind] = handler


def _at_gate(load_id: int) -> tuple[DriverDay, Inbox]:
    day = DriverDay()
    day.sign_in({"id": "9", "name": "Jan"})
    day.show_today([{"id": load_id, "reference": "LD-1"}])
    day.select_load({"id": load_id, "reference": "LD-1"})
    day.check_in({"id": 55, "position": 2}, 2)
    inbox = Inbox()
    bind_inbox(inbox, day)
    return day, inbox


def test_server_dock_call_names_the_dock_by_its_name():
    """The server's dock_call carries dock_id and dock_name (no ``dock``): the driver sees the name."""
    day, inbox = _at_gate(123)
    inbox.handlers["dock_call"]({"_type": "dock_call", "v": 1, "visit_id": 55, "load_id": 123, "site_id": 1,
                                 "dock_id": 7, "dock_name": "Arm A", "appointment": None})
    assert day.step is Step.CALLED_TO_DOCK and day.dock == "Arm A"


def test_dock_call_for_another_load_is_ignored():
    day, inbox = _at_gate(123)
    inbox.handlers["dock_call"]({"_type": "dock_call", "v": 1, "load_id": 124, "dock_id": 7, "dock_name": "Arm A"})
    assert day.step is Step.AT_GATE and day.dock is None


def test_a_moved_slot_updates_the_load_and_leaves_a_notice_on_the_plants_clock():
    day, inbox = _at_gate(123)
    moved = {"_type": "replan", "v": 1, "load_id": 123, "reference": "LD-1", "why": "replan",
             "site_timezone": "Europe/Berlin",
             "appointment": {"dock_name": "D2", "start": "2030-12-09T09:15:00+00:00",
                             "start_local": "2030-12-09T10:15:00+01:00", "abbr": "CET"},
             "previous": {"dock_name": "D1"}}
    inbox.handlers["replan"](moved)
    assert day.notice.render() == "Your dock slot moved: D2, 10:15 CET"
    assert day.load["dock_slot"]["dock_name"] == "D2" and day.assignments[0]["dock_slot"]["dock_name"] == "D2"


def test_a_withdrawn_authorization_is_a_visible_notice_and_drops_the_code():
    day, inbox = _at_gate(123)
    inbox.handlers["authorization_withdrawn"]({"_type": "authorization_withdrawn", "load_id": 123,
                                               "reference": "LD-1", "reason": "truck_or_driver_changed"})
    assert day.notice.render() == "The pickup authorization for LD-1 was withdrawn. Ask your dispatcher."
    assert day.load["pickup_authorization"] is None


def test_a_named_dock_is_called_by_its_name_and_the_call_pins_the_slot():
    day, inbox = _at_gate(123)
    inbox.handlers["dock_call"]({"_type": "dock_call", "v": 1, "load_id": 123, "dock_id": 7, "dock_name": "Dock 2",
                                 "appointment": {"dock_name": "Dock 2", "start_local": "2030-12-09T09:40:00+01:00",
                                                 "abbr": "CET"}})
    assert day.title() == "Go to Dock 2" and day.load["dock_slot"]["start_local"].startswith("2030-12-09T09:40")
