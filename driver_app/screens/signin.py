"""Sign in with e-mail and password, or pair the device with a code (scanned or pasted)."""

from __future__ import annotations

from kivy.properties import BooleanProperty

from driver_app.core.i18n import Msg
from driver_app.core.platform_services import is_android
from driver_app.core.validation import FormInvalid
from driver_app.screens.widgets import HaulScreen


class SignInScreen(HaulScreen):
    can_scan = BooleanProperty(is_android())
    _notice = None

    def update(self, day) -> None:
        settings = self.controller.settings
        if not self.ids.server_url.text:
            self.ids.server_url.text = self.app.server_url or settings.server_url
        if not self.ids.email.text:
            self.ids.email.text = settings.email
        if day.notice is not None and day.notice is not self._notice:
            self.failed(day.notice)  # e.g. "Your session has expired", shown once per notice
        self._notice = day.notice

    def sign_in(self) -> None:
        self.start()
        try:
            self.controller.sign_in(self.ids.server_url.text, self.ids.email.text, self.ids.password.text,
                                    on_ok=self._signed_in, on_error=self.failed)
        except FormInvalid as exc:
            self.form_errors(exc)

    def _signed_in(self, _session) -> None:
        self.ids.password.text = ""
        self.done()

    def pair(self) -> None:
        self.start()
        try:
            self.controller.pair(self.ids.server_url.text, self.ids.pairing_code.text,
                                 on_ok=lambda _p: self.done(), on_error=self.failed)
        except FormInvalid as exc:
            self.form_errors(exc)

    def scan(self) -> None:
        from driver_app.platform.qr_scan import scan_qr

        scan_qr(self._scanned)

    def _scanned(self, code: str | None) -> None:
        if code:
            self.ids.pairing_code.text = code
            self.pair()
        else:
            self.message = Msg("No code was scanned. You can paste the pairing code instead.")
