"""Widgets the screens share (their looks are in ``widgets.kv``) and the screens' base class."""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.properties import BooleanProperty, DictProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen

from driver_app.core.i18n import Msg
from driver_app.core.validation import FormInvalid


class FormField(BoxLayout):
    """A label, a text input and the field's error under it."""

    label = StringProperty("")
    text = StringProperty("")
    error = StringProperty("")
    hint = StringProperty("")
    password = BooleanProperty(False)
    multiline = BooleanProperty(False)
    input_filter = ObjectProperty(None, allownone=True)


class HaulScreen(Screen):
    """Base of every screen: a message line, a busy flag, field errors, and the day's updates.

    ``update(day)`` copies what the screen shows from the driver's day into Kivy properties;
    the app calls it when the screen is entered and after each change of the day.
    """

    message = ObjectProperty(None, allownone=True)  # a core Msg or a server's text
    message_ok = BooleanProperty(False)  # good news (saved, sent) rather than a problem
    busy = BooleanProperty(False)
    field_errors = DictProperty({})

    @property
    def app(self) -> Any:
        return App.get_running_app()

    @property
    def controller(self) -> Any:
        return self.app.controller

    def update(self, day: Any) -> None:
        """Refresh the screen from the day (override)."""

    def on_pre_enter(self, *args) -> None:
        self.update(self.controller.day)

    def start(self) -> None:
        """A call to the server begins: clear the old message, show busy."""
        self.busy = True
        self.message = None
        self.field_errors = {}

    def done(self, message: Any = None) -> None:
        self.busy = False
        self.message_ok = True
        self.message = message

    def failed(self, message: Any) -> None:
        self.busy = False
        self.message_ok = False
        self.message = message

    def form_errors(self, exc: FormInvalid) -> None:
        """Show each field's first problem under the field, and a summary line."""
        errors: dict[str, Msg] = {}
        for name, msg in exc.errors:
            errors.setdefault(name, msg)
        self.field_errors = errors
        self.failed(Msg("Some fields are not valid."))
