"""Headers every answer carries, so a browser keeps Haul's pages to themselves.

- ``Content-Security-Policy``: scripts only from this site (no inline script anywhere, the pages'
  scripts live in ``web/static/js``), no framing (``frame-ancestors 'none'``), forms post only
  here, map tiles from the configured tile server. Inline ``style`` attributes stay allowed: the
  Gantt chart positions its bars with them. The API docs page (Swagger UI from flask-smorest's
  template) starts itself with an inline script, so that one page may run inline script.
- ``X-Frame-Options: DENY`` for browsers without CSP, ``X-Content-Type-Options: nosniff``,
  ``Referrer-Policy: same-origin``; in production also ``Strict-Transport-Security``.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from flask import Flask, Response, request

from server.config import map_tiles_url

DOCS_PREFIX = "/api/docs"


def _tile_source(template: str) -> str:
    parts = urlsplit(template)
    if not parts.scheme or not parts.netloc:
        return ""
    host = parts.netloc.replace("{s}", "*")  # Leaflet's subdomains a, b, c
    return f" {parts.scheme}://{host}"


@lru_cache(maxsize=64)  # a few hosts and tile servers per process
def content_security_policy(tiles: str, docs_page: bool, host: str) -> str:
    scripts = "'self' 'unsafe-inline'" if docs_page else "'self'"
    # Socket.IO's WebSocket named outright: not every browser counts ws: of this host as 'self'.
    return "; ".join((
        "default-src 'self'", f"script-src {scripts}", "style-src 'self' 'unsafe-inline'",
        f"img-src 'self' data: blob:{_tile_source(tiles)}", f"connect-src 'self' ws://{host} wss://{host}", "font-src 'self'",
        "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
    ))


def init_app(app: Flask) -> None:
    production = app.config["ENV_NAME"] == "production"

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", content_security_policy(
            map_tiles_url(app.config), request.path.startswith(DOCS_PREFIX), request.host))
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        if production:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
