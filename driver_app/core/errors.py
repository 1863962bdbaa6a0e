"""Typed errors of the REST client, each with a message fit to show the driver.

Every failure of an API call surfaces as an :class:`ApiError` subclass; no ``requests``
exception, JSON error or ``KeyError`` escapes the client. Screens call
``error.user_message(_)`` and, for forms, ``error.field_messages(_)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from driver_app.core.i18n import Msg


@dataclass(frozen=True)
class FieldError:
    """One field problem from a ``problem+json`` ``errors`` list, e.g. ``("price", "must be positive")``."""

    path: str
    message: str


class ApiError(Exception):
    """An API call failed. ``retryable`` says whether trying again later may succeed."""

    default_msg = Msg("Something went wrong. Try again.")
    retryable = False
    # Server-written text is shown for 4xx problems (it names the business rule that failed);
    # for transport, auth and 5xx failures our own translated sentence is clearer.
    shows_server_text = True

    def __init__(
        self,
        msg: Msg | None = None,
        *,
        status: int | None = None,
        title: str | None = None,
        detail: str | None = None,
        field_errors: list[FieldError] | None = None,
        problem_type: str | None = None,
        reason: str | None = None,
    ):
        self.msg = msg or self.default_msg
        self.status = status
        self.title = title
        self.detail = detail
        self.field_errors = list(field_errors or [])
        self.problem_type = problem_type
        self.reason = reason  # the problem's machine-readable "reason", e.g. "expired" for a pairing code
        super().__init__(self._log_text())

    def _log_text(self) -> str:
        parts = [str(self.msg)]
        if self.status is not None:
            parts.append(f"(HTTP {self.status})")
        if self.detail or self.title:
            parts.append(f"server said: {self.detail or self.title}")
        return " ".join(parts)

    def user_message(self, _: Callable[[str], str] | None = None) -> str:
        """The sentence to show: the server's own ``detail``/``title`` for client errors, else ours."""
        if self.shows_server_text and (self.detail or self.title):
            return self.detail or self.title or ""
        return self.msg.render(_)

    def field_messages(self) -> dict[str, str]:
        """Field path -> message, for highlighting fields in a form (first message per field)."""
        out: dict[str, str] = {}
        for err in self.field_errors:
            out.setdefault(err.path, err.message)
        return out


class ServerUnreachable(ApiError):
    """No connection: wrong server address, DNS failure, connection refused or no network."""

    default_msg = Msg("Cannot reach the server. Check the server address and your connection.")
    retryable = True
    shows_server_text = False


class InvalidServerUrl(ApiError):
    """The configured server address is not a valid http(s) URL."""

    default_msg = Msg("The server address is not valid. Enter it like https://haul.example.com")
    shows_server_text = False


class SecureConnectionFailed(ServerUnreachable):
    """TLS failed (bad certificate, wrong clock on the phone, interception)."""

    default_msg = Msg("A secure connection to the server failed. Check the phone's date and time.")


class ServerTimeout(ApiError):
    """The server did not answer within the timeout."""

    default_msg = Msg("The server did not answer in time. Try again.")
    retryable = True
    shows_server_text = False


class SessionExpired(ApiError):
    """401 on an authenticated call: the token is expired or revoked; sign in again."""

    default_msg = Msg("Your session has expired. Please sign in again.")
    retryable = True
    shows_server_text = False


class AuthenticationFailed(ApiError):
    """401 on sign-in or pairing: the credentials or pairing code were refused."""

    default_msg = Msg("Sign-in failed. Check your email and password, or the pairing code.")


class Forbidden(ApiError):
    """403: signed in, but not allowed to do this."""

    default_msg = Msg("You are not allowed to do this.")


class NotFound(ApiError):
    """404: the load, tender or visit does not exist (any more)."""

    default_msg = Msg("Not found. It may have been removed.")


class Conflict(ApiError):
    """409: the action lost a race or no longer fits the state (e.g. tender already taken)."""

    default_msg = Msg("This was changed by someone else. Refresh and try again.")


class ValidationFailed(ApiError):
    """400/422: the server rejected the input; see ``field_errors``."""

    default_msg = Msg("Some fields are not valid.")


class RateLimited(ApiError):
    """429: too many requests."""

    default_msg = Msg("Too many requests. Wait a moment and try again.")
    retryable = True
    shows_server_text = False


class ServerError(ApiError):
    """5xx: the server failed; the details are for the server's logs, not the driver."""

    default_msg = Msg("The server had a problem. Try again later.")
    retryable = True
    shows_server_text = False


class BadResponse(ApiError):
    """The server answered, but not with the JSON this app expects (often a wrong URL)."""

    default_msg = Msg("The server sent an unexpected answer. Check the server address.")
    shows_server_text = False


class PhotoUnreadable(ApiError):
    """A photo to upload could not be read from the device (deleted, or storage unavailable)."""

    default_msg = Msg("A photo could not be read. Take it again.")
    shows_server_text = False


def error_for_status(status: int, *, authenticated: bool) -> type[ApiError]:
    """The error class for an HTTP error status."""
    if status == 401:
        return SessionExpired if authenticated else AuthenticationFailed
    if status >= 500:
        return ServerError
    return {
        400: ValidationFailed,
        403: Forbidden,
        404: NotFound,
        409: Conflict,
        422: ValidationFailed,
        429: RateLimited,
    }.get(status, ApiError)
