"""Inbox messages as the server sends them (server.yard.notify) move the driver's day."""

from __future__ import annotations

from driver_app.core.app_state import DriverDay, Step
from driver_app.core.tracking import bind_inbox


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
