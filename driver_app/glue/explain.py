"""How failures are shown, and how calls are run (Kivy-free).

:func:`explain` turns any failure of an action into what the screen shows: a typed core
error becomes its translated sentence, or the server's own words for a refused request
(they name the business rule), and a 404 for a route the server lacks becomes "not
available on this server". Runners decide where calls run: the Kivy app's runner uses a
worker thread and reports on the UI thread; :class:`ImmediateRunner` calls at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

from driver_app.core import errors
from driver_app.core.endpoints import Endpoint
from driver_app.core.i18n import Msg
from driver_app.core.refusals import refusal_message
from driver_app.core.validation import FormInvalid
from driver_app.glue.load_view import NOT_AVAILABLE

log = logging.getLogger(__name__)

# Paths the app uses besides the core's table: "loads" is the fallback for a server without
# driver assignments; pickup authorizations carry the token for the gate QR.
EXTRA_ENDPOINTS = {
    "loads": Endpoint("GET", "/api/v1/loads?role=carrier"),
    "pickup_authorizations": Endpoint("GET", "/api/v1/pickup-authorizations?limit=200"),
}
_ROUTE_MISSING = "The requested URL was not found"
Shown = Msg | str
OnOk = Callable[[Any], None] | None
OnError = Callable[[Shown], None] | None


class Runner(Protocol):
    def run(self, fn: Callable[[], Any], on_ok: Callable[[Any], None] | None = None,
            on_error: Callable[[BaseException], None] | None = None) -> None: ...


class ImmediateRunner:
    """Calls at once on the calling thread (tests and command-line tools)."""

    def run(self, fn, on_ok=None, on_error=None) -> None:
        try:
            result = fn()
        except Exception as exc:
            if on_error is None:
                raise
            on_error(exc)
            return
        if on_ok is not None:
            on_ok(result)


def endpoint_missing(exc: BaseException) -> bool:
    """True when a 404 says the server has no such route (an older server), not a missing object."""
    return isinstance(exc, errors.NotFound) and (exc.detail or "").startswith(_ROUTE_MISSING)


def explain(exc: BaseException) -> Shown:
    """The message to show for a failure: a ``Msg`` (translated when shown) or the server's text."""
    if endpoint_missing(exc):
        return NOT_AVAILABLE
    if isinstance(exc, errors.AuthenticationFailed):
        return exc.msg  # names both ways of signing in, in the driver's language
    if isinstance(exc, errors.ApiError):
        known = refusal_message(exc.reason)
        if known is not None:
            return known  # a refusal the app can say in the driver's language
        if exc.shows_server_text and (exc.detail or exc.title):
            return exc.detail or exc.title or ""
        return exc.msg
    if isinstance(exc, FormInvalid):
        return Msg("Some fields are not valid.")
    log.error("unexpected failure", exc_info=exc)
    return Msg("Something went wrong. Try again.")
