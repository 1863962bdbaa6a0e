"""Signing the driver in and out: e-mail and password, pairing by code, and the session kept on the phone.

Part of `DriverController` (a mixin, so the controller stays one object for the screens): it uses
the controller's ``runner``, ``timeout``, ``day``, ``tracker``, ``sessions``, ``client``, ``notices``,
``_save`` and ``flush_outbox``.
"""

from __future__ import annotations

import logging
from typing import Any

from driver_app.core import errors, rest_client
from driver_app.core.i18n import Msg
from driver_app.core.pairing import parse_pairing, refusal_message
from driver_app.core.rest_client import ApiClient
from driver_app.core.session_store import SavedSession
from driver_app.core.validation import FormInvalid
from driver_app.glue.explain import EXTRA_ENDPOINTS, OnError, OnOk, endpoint_missing, explain

log = logging.getLogger(__name__)

NO_HAUL_SERVER = Msg("No Haul server answers at this address. Check the server address.")
NOT_A_CODE = Msg("This is not a pairing code. Type the code your dispatcher shows (like ABCDE-FGHJK) or paste "
                 "the pairing link.")


class SessionActions:
    """Sign in, pair, resume and sign out (see the module docstring for what it needs)."""

    def _new_client(self, server_url: str) -> ApiClient:
        url = server_url.strip()
        if url and "://" not in url:
            url = "https://" + url  # drivers type "haul.example.com"
        client = ApiClient(url, timeout=self.timeout, endpoints=EXTRA_ENDPOINTS)
        client.set_language(self.settings.language)
        return client

    def sign_in(self, server_url: str, email: str, password: str, on_ok: OnOk = None,
                on_error: OnError = None) -> None:
        """Sign in with e-mail and password; raises ``FormInvalid`` for empty fields."""
        _required({"server_url": server_url, "email": email, "password": password})
        client = self._new_client(server_url)

        def signed_in(session: Any) -> None:
            self.client = client
            self._save(server_url=server_url.strip(), email=email.strip())
            self._keep_session(SavedSession(server_url.strip(), session.token, session.expires_at, session.user))
            self.day.sign_in(session.user)
            self.flush_outbox()
            if on_ok:
                on_ok(session)

        def refused(exc: BaseException) -> None:
            # A 404 on sign-in means the address is not a Haul server, not a missing feature.
            shown = NO_HAUL_SERVER if isinstance(exc, errors.NotFound) else explain(exc)
            if on_error:
                on_error(shown)

        self.runner.run(lambda: client.login(email.strip(), password), signed_in, refused)

    def pair(self, server_url: str, code: str, on_ok: OnOk = None, on_error: OnError = None) -> None:
        """Pair this phone with a code or the pairing link (scanned or pasted); starts MQTT tracking
        when the server gives MQTT settings. Raises ``FormInvalid`` before any call for an empty or
        malformed code, or a bare code without a server address (a link names its own server)."""
        _required({"pairing_code": code})
        target = parse_pairing(code)
        if target is None:
            raise FormInvalid([("pairing_code", NOT_A_CODE)])
        url = target.server_url or server_url.strip()
        _required({"server_url": url})
        if url and "://" not in url:
            url = "https://" + url  # drivers type "haul.example.com"

        def paired(result: tuple[ApiClient, Any]) -> None:
            client, pairing = result
            client.set_language(self.settings.language)
            self.client = client
            self._save(server_url=target.server_url or server_url.strip())
            self._keep_session(SavedSession(url, pairing.token, pairing.expires_at, pairing.driver, pairing.mqtt))
            if pairing.mqtt is not None:
                self.tracker.use_mqtt(pairing.mqtt)
            self.day.sign_in(pairing.driver)
            self.flush_outbox()
            if on_ok:
                on_ok(pairing)

        def refused(exc: BaseException) -> None:
            shown = refusal_message(getattr(exc, "reason", None))
            if shown is None and isinstance(exc, errors.NotFound) and not endpoint_missing(exc):
                shown = NO_HAUL_SERVER  # a 404 without a reason: not a Haul server at that address
            if on_error:
                on_error(shown or explain(exc))

        self.runner.run(lambda: rest_client.pair(url, target.code, timeout=self.timeout, endpoints=EXTRA_ENDPOINTS),
                        paired, refused)

    def resume(self) -> bool:
        """At start: carry on with the session kept on the phone, if there is one that has not expired."""
        saved = self.sessions.load()
        if saved is None:
            return False
        client = self._new_client(saved.server_url)
        client.token = saved.token
        self.client = client
        if saved.mqtt is not None:
            self.tracker.use_mqtt(saved.mqtt)
        self.day.sign_in(saved.who)
        self.flush_outbox()
        return True

    def _keep_session(self, session: SavedSession) -> None:
        try:
            self.sessions.save(session)
        except OSError as exc:  # a full or read-only disk: the driver signs in again next time
            log.warning("could not keep the session on the phone: %s", exc)

    def sign_out(self, expired: bool = False) -> None:
        self.sessions.clear()
        self.client = None
        self.tracker.stop()
        if expired:
            self.day.session_expired()
        else:  # the next driver of this phone must not read this one's messages (kept when only expired)
            self.notices.clear()
            self.day.sign_out()


def _required(fields: dict[str, str]) -> None:
    missing = [(name, Msg("This field is required.")) for name, value in fields.items()
               if not str(value or "").strip()]
    if missing:
        raise FormInvalid(missing)
