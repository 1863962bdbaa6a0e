"""Cross-site request forgery: a state change on the strength of the session cookie must come from this site.

A browser attaches the session cookie to requests that another site makes it send (a form post, a
``text/plain`` fetch). So every cookie-authenticated POST, PUT, PATCH or DELETE must show it came
from Haul's own pages: an ``Origin`` (or, without one, a ``Referer``) naming this site, or with
neither header a valid CSRF token (``X-CSRF-Token`` header or ``csrf_token`` form field, the same
Flask-WTF token the forms carry). Anything else is a 403 problem. Bearer-token calls carry no ambient
credential and are exempt, and so are calls without a session cookie, except that a sign-in from
another site's Origin is refused too (a forged sign-in would put a victim into the attacker's
account); a sign-in with neither header is an app's or a script's, not a browser's.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, request
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf, validate_csrf
from wtforms import ValidationError

from server.errors import ApiProblem

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SIGN_IN_PATHS = frozenset({"/login", "/api/v1/auth/login", "/api/v1/auth/token"})
TOKEN_HEADER = "X-CSRF-Token"


def _origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def own_origins() -> set[str]:
    """This site's origins: the one the request was addressed to, and the configured public URL.

    The request's host over HTTPS counts too: behind a proxy that ends TLS the app sees plain HTTP
    while the browser names ``https://`` (the host itself must still match)."""
    host = request.host.lower()
    origins = {f"{request.scheme}://{host}", f"https://{host}"}
    public = _origin_of(current_app.config.get("PUBLIC_URL") or "")
    if public:
        origins.add(public)
    return origins


def _needs_check() -> bool:
    if request.method not in UNSAFE or request.headers.get("Authorization", "").startswith("Bearer "):
        return False
    return current_app.config["SESSION_COOKIE_NAME"] in request.cookies or request.path in SIGN_IN_PATHS


def _has_valid_token() -> bool:
    token = request.headers.get(TOKEN_HEADER) or (request.form.get("csrf_token") if request.form else None)
    try:
        validate_csrf(token)
    except ValidationError:
        return False
    return True


def check_cross_site() -> None:
    """``before_request``: refuse a cookie-authenticated state change that another site could have sent."""
    if not _needs_check():
        return
    claimed = request.headers.get("Origin") or request.headers.get("Referer")
    if claimed:
        if _origin_of(claimed) in own_origins():
            return
        raise ApiProblem(403, _("Cross-site requests may not change anything with this site's session cookie."),
                         reason="cross_site")
    if request.path in SIGN_IN_PATHS or current_app.config["SESSION_COOKIE_NAME"] not in request.cookies:
        # A sign-in acts on the credentials it carries, not on the cookie: without Origin it is an app's
        # or a script's (the sign-in form checks its own token, server.web.auth_pages).
        return
    if not _has_valid_token():
        raise ApiProblem(403, _("This request needs an Origin header or a CSRF token (%(TOKEN_HEADER)s).",
                                TOKEN_HEADER=TOKEN_HEADER),
                         reason="csrf_token_missing")


def init_app(app: Flask) -> None:
    app.before_request(check_cross_site)
    app.jinja_env.globals["csrf_token"] = generate_csrf  # pages put it in forms and in a meta tag for fetch
