"""The cookie session, skipped for API calls that carry a bearer token.

Flask opens the signed cookie session on every request. A bearer-token call (an ERP, a carrier's
load-board client) never reads it, yet paid for decoding and verifying the cookie's signature on
every call. Such a call now gets an empty session that is never saved: the cookie it may also
carry is neither read nor rewritten, so a browser's dashboard login is left exactly as it was.
"""

from __future__ import annotations

from flask.sessions import SecureCookieSession, SecureCookieSessionInterface


class BearerCallSession(SecureCookieSession):
    """The session of a bearer-token call: empty, and dropped at the end of the request."""


class BearerSkipsCookieSession(SecureCookieSessionInterface):
    def open_session(self, app, request):
        if request.headers.get("Authorization", "").startswith("Bearer "):
            return BearerCallSession()
        return super().open_session(app, request)

    def save_session(self, app, session, response) -> None:
        if isinstance(session, BearerCallSession):
            return  # the cookie was never read, so it must not be rewritten or cleared
        super().save_session(app, session, response)
