"""Settings: language (switches at once), GPS interval and distance filter, connection status."""

from __future__ import annotations

from kivy.properties import StringProperty

from driver_app.core.i18n import Msg
from driver_app.core.validation import FormInvalid
from driver_app.screens.widgets import HaulScreen


class SettingsScreen(HaulScreen):
    server_url = StringProperty("")

    def update(self, day) -> None:
        client = self.controller.client
        self.server_url = client.base_url if client is not None else self.controller.settings.server_url

    def on_pre_enter(self, *args) -> None:
        super().on_pre_enter(*args)
        settings = self.controller.settings
        self.ids.interval.text = f"{settings.gps_interval_s:g}"
        self.ids.distance.text = f"{settings.gps_distance_m:g}"
        self.message, self.field_errors = None, {}

    def save_gps(self) -> None:
        self.field_errors = {}
        try:
            self.controller.set_gps(self.ids.interval.text, self.ids.distance.text)
        except FormInvalid as exc:
            self.form_errors(exc)
            return
        self.done(Msg("Saved."))

    def sign_out(self) -> None:
        self.controller.sign_out()
