"""At the gate: check in, then the queue position, then a big "go to dock N" notice.

The dock call arrives over MQTT (on paho's thread; the app hops to the UI thread) or from
re-reading the yard visit every ``POLL_S`` while waiting; the sound, the vibration and the
notification are raised by the controller when the day reaches "called to dock".
"""

from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import ObjectProperty, OptionProperty, StringProperty

from driver_app.core.app_state import Step, go_to_dock
from driver_app.core.i18n import Msg
from driver_app.glue.load_view import dock_slot, load_title
from driver_app.screens.widgets import HaulScreen

POLL_S = 10.0


class GateScreen(HaulScreen):
    stage = OptionProperty("none", options=["none", "arrive", "queue", "called"])
    load_title = StringProperty("")
    slot = StringProperty("")  # "Dock 2, 16:50 CET": the booked slot on the plant's clock
    queue_text = ObjectProperty(None, allownone=True)
    called_text = ObjectProperty(None, allownone=True)
    _poll = None

    def update(self, day) -> None:
        self.load_title = load_title(day.load or {})
        self.slot = dock_slot(day.load or {})
        if day.step is Step.LOAD_SELECTED:
            self.stage = "arrive"
        elif day.step is Step.AT_GATE:
            self.stage = "queue"
            self.queue_text = Msg("At the gate: number {position} in the queue",
                                  position=day.queue_position if day.queue_position is not None else "?")
        elif day.step is Step.CALLED_TO_DOCK:
            self.stage = "called"
            self.called_text = go_to_dock(day.dock)
        else:
            self.stage = "none"

    def on_enter(self, *args) -> None:
        self._poll = Clock.schedule_interval(lambda _dt: self.controller.poll_visit(on_error=self.failed), POLL_S)

    def on_leave(self, *args) -> None:
        if self._poll is not None:
            self._poll.cancel()
            self._poll = None

    def check_in(self) -> None:
        self.start()
        self.controller.check_in(on_ok=lambda _v: self.done(), on_error=self.failed)

    def start_loading(self) -> None:
        self.controller.start_loading()
