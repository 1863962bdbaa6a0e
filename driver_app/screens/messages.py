"""Messages: every notice the app kept (inbox and server), newest first, with the time on the plant's clock.

Opening the list reads them all (the badge on Today goes to zero); tapping one opens its load.
"""

from __future__ import annotations

from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from driver_app.core import plant_time
from driver_app.core.i18n import Msg
from driver_app.screens.widgets import HaulScreen


class MessageRow(ButtonBehavior, BoxLayout):
    """One notice; tapping it opens the load it concerns."""

    when = StringProperty("")
    text = ObjectProperty("")  # a core Msg (translated when shown) or the server's words
    load_name = StringProperty("")
    unread = BooleanProperty(False)
    notice = ObjectProperty(None)

    def on_release(self) -> None:
        from kivy.app import App

        App.get_running_app().root_screen("messages").open(self.notice)


def _load_name(load_id: str | None, assignments: list[dict]) -> str:
    load = next((a for a in assignments if str(a.get("id")) == load_id), None)
    return str((load or {}).get("reference") or load_id or "")


class MessagesScreen(HaulScreen):
    empty = BooleanProperty(True)
    _fresh: frozenset[str] = frozenset()  # unread when the driver came in: they stand out until they leave

    def on_pre_enter(self, *args) -> None:
        self.message = None
        self._fresh = frozenset(n.key for n in self.controller.notices.items() if not n.read)
        self.show_notices()

    def on_enter(self, *args) -> None:
        self.controller.open_messages()

    def show_notices(self) -> None:
        notices = self.controller.notices.items()
        assignments = self.controller.day.assignments
        rows = self.ids.list
        rows.clear_widgets()
        for notice in notices:
            rows.add_widget(MessageRow(when=plant_time.moment(notice.received_at, notice.zone), text=notice.text,
                                       load_name=_load_name(notice.load_id, assignments),
                                       unread=not notice.read or notice.key in self._fresh,
                                       notice=notice))
        self.empty = not notices

    def open(self, notice) -> None:
        if notice.load_id is None:
            self.message = Msg("This message is not about a load.")
        elif not self.controller.open_notice(notice, on_error=self.app.root_screen("load").failed):
            self.message = Msg("Finish the current load first.")
