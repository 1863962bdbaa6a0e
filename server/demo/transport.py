"""How a demo user's calls reach the server: over HTTP (``requests``), or in the same process.

A headless demo has no web server: each call goes through the app's WSGI interface with
Flask's test client instead, the same routes, checks and problem+json answers, without a socket.
``InProcessHttp`` answers the few parts of ``requests.Session`` that `ApiSession` uses.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

import requests
from flask import Flask


class InProcessResponse:
    """A test-client response as `ApiSession` reads a ``requests`` one."""

    def __init__(self, response):
        self.status_code = response.status_code
        self.content = response.get_data()
        self.text = self.content.decode("utf-8", "replace")
        self.ok = self.status_code < 400

    def json(self):
        import json

        return json.loads(self.content)


class InProcessHttp:
    """``request(method, url, ...)`` served by ``app``'s WSGI interface; the URL's host is ignored."""

    def __init__(self, app: Flask):
        self._client = app.test_client()

    def request(self, method: str, url: str, json=None, params=None, headers=None, timeout=None):
        parts = urlsplit(url)
        kwargs = {"headers": headers or {}, "query_string": params or None}
        if json is not None:
            kwargs["json"] = json
        return InProcessResponse(self._client.open(parts.path, method=method, **kwargs))

    def get(self, url: str, timeout=None):
        return self.request("GET", url)

    def close(self) -> None:
        pass


HttpFactory = Callable[[], object]


def over_http() -> requests.Session:
    return requests.Session()


def in_process(app: Flask) -> HttpFactory:
    return lambda: InProcessHttp(app)
