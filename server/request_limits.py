"""Limits on reading a request's body, before Flask sees it: its size in every framing, and its time.

Size: Flask refuses a body whose Content-Length exceeds ``MAX_CONTENT_LENGTH`` (413, from the error
layer), but a chunked body (no Content-Length) was cut silently at the limit and the rest ignored:
a CSV import then went on with a truncated file. Here a chunked body is read first, up to one byte
past the limit, and handed on with its length, so Flask refuses it exactly like a declared one.

Time: the production server bounds how long a client takes to send the request line and headers
(its keep-alive timeout); ``BODY_TIMEOUT_S`` bounds the body, from the start of the request. A body
not in by then ends the request with a 408. The deadline works where reads can be interrupted,
under gevent (``haul serve``); elsewhere reads pass through unchanged.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable

from flask import Flask, request
from werkzeug.exceptions import RequestTimeout

TIMED_OUT = "haul.body_timed_out"


def _cooperative() -> bool:
    try:
        from gevent import monkey
    except ImportError:
        return False
    return monkey.is_module_patched("socket")


class _DeadlineInput:
    """``wsgi.input`` whose reads fail with ``RequestTimeout`` once the deadline (monotonic) has passed."""

    def __init__(self, stream, deadline: float | None, seconds: float):
        self._stream, self._deadline, self._seconds = stream, deadline, seconds

    def _bounded(self, method, *args):
        if self._deadline is None:
            return method(*args)
        from gevent import Timeout

        left = self._deadline - time.monotonic()
        if left <= 0:
            raise RequestTimeout(f"The request body did not arrive within {self._seconds:g} s.")
        try:
            with Timeout(left):
                return method(*args)
        except Timeout as exc:
            raise RequestTimeout(f"The request body did not arrive within {self._seconds:g} s.") from exc

    def read(self, *args):
        return self._bounded(self._stream.read, *args)

    def readline(self, *args):
        return self._bounded(self._stream.readline, *args)

    def readlines(self, *args):
        return self._bounded(self._stream.readlines, *args)

    def __iter__(self):
        return iter(self.readline, b"")


class RequestLimits:
    """WSGI middleware: chunked bodies measured against ``max_bytes``, every body read within ``seconds``."""

    def __init__(self, app, max_bytes: Callable[[], int | None], seconds: float):
        self.app, self.max_bytes, self.seconds = app, max_bytes, seconds
        self.timed = seconds > 0 and _cooperative()

    def __call__(self, environ, start_response):
        stream = environ.get("wsgi.input")
        if stream is not None:
            deadline = time.monotonic() + self.seconds if self.timed else None
            stream = environ["wsgi.input"] = _DeadlineInput(stream, deadline, self.seconds)
            if environ.get("CONTENT_LENGTH", "") == "" and "chunked" in environ.get("HTTP_TRANSFER_ENCODING", ""):
                self._buffer_chunked(environ, stream)
        return self.app(environ, start_response)

    def _buffer_chunked(self, environ, stream) -> None:
        """Read the chunked body (one byte past the limit at most) and pass it on with its length."""
        most = self.max_bytes()
        wanted = -1 if most is None else most + 1
        try:
            body = stream.read(wanted) if wanted < 0 else _read_up_to(stream, wanted)
        except RequestTimeout:
            environ[TIMED_OUT] = True  # Flask answers it (below), through the error layer
            body = b""
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))  # one past the limit: Flask's own 413
        environ.pop("HTTP_TRANSFER_ENCODING", None)


def _read_up_to(stream, size: int) -> bytes:
    parts, left = [], size
    while left > 0:
        chunk = stream.read(min(left, 65536))
        if not chunk:
            break
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


def init_app(app: Flask) -> None:
    """Wrap the app (outermost, around Socket.IO's middleware) and answer timed-out bodies with 408."""
    app.wsgi_app = RequestLimits(app.wsgi_app, lambda: app.config.get("MAX_CONTENT_LENGTH"),
                                 float(app.config.get("BODY_TIMEOUT_S") or 0))

    @app.before_request
    def _body_timed_out():
        if request.environ.get(TIMED_OUT):
            raise RequestTimeout(f"The request body did not arrive within {app.config['BODY_TIMEOUT_S']:g} s.")
