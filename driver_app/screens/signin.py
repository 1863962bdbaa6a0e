"""Sign in with e-mail and password, or pair the phone: scan the dispatcher's QR code (Android),
or type the pairing code or paste the pairing link (desktop)."""

from __future__ import annotations

from kivy.properties import BooleanProperty

from driver_app.core.i18n import Msg
from driver_app.core.validation import FormInvalid
from driver_app.screens.widgets import HaulScreen


class SignInScreen(HaulScreen):
    can_scan = BooleanProperty(False)  # the platform has a QR scanner (Android)
    _notice = None

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.can_scan = self.app.services.scanner.available

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
                                 on_ok=self._paired, on_error=self.failed)
        except FormInvalid as exc:
            self.form_errors(exc)

    def _paired(self, _pairing) -> None:
        self.ids.pairing_code.text = ""  # the code is spent; the next sign-in needs a new one
        self.done()

    def scan(self) -> None:
        self.app.scan_qr(self._scanned)

    def _scanned(self, payload: str | None) -> None:
        # The QR code holds the pairing link (server and code); the controller reads it.
        if payload:
            self.ids.pairing_code.text = payload
            self.pair()
        else:
            self.message = Msg("No code was scanned. You can type the pairing code instead.")
