"""Errors the HTTP server answers by itself, before the app sees the request, as problem+json.

A request line that is too long (414), too many or too large headers (431) and requests that
cannot be parsed (400) are refused by the server in front of the app, and each server writes its
own HTML page for them:

* Werkzeug's development server (``haul serve``, ``haul demo``) refuses a request line over 64 KiB
  and more than 100 headers; `ProblemRequestHandler` is its request handler with problem+json
  answers (``run_simple(..., request_handler=ProblemRequestHandler)``).
* gunicorn refuses a request line over ``--limit-request-line`` (4094 bytes by default) with 414, and
  more than ``--limit-request-fields`` headers (100) or one over ``--limit-request-field_size`` (8190
  bytes) with 431. Its workers write every such answer through one function,
  ``gunicorn.util.write_error``; `use_problem_errors_in_gunicorn` replaces it with one that writes
  problem+json. ``server.wsgi`` calls it, so any gunicorn serving ``server.wsgi:app`` answers so.

Shorter URIs that are still over ``HAUL_MAX_URI_BYTES`` are refused by the app itself
(`server.request_guard`), the same on every server.
"""

from __future__ import annotations

import json
from http import HTTPStatus

from werkzeug.serving import WSGIRequestHandler

from server.errors import PROBLEM_JSON, count_refusal, problem_document


def problem_http_response(status: int, reason: str, detail: str) -> bytes:
    """A whole HTTP/1.1 error response, closing the connection, with a problem+json body."""
    body = json.dumps(problem_document(status, detail, title=reason)).encode()
    head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: {PROBLEM_JSON}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n")
    return head.encode("latin-1") + body


class ProblemRequestHandler(WSGIRequestHandler):
    """Werkzeug's request handler, answering its own refusals (414, 431, 400) with problem+json."""

    def send_error(self, code, message=None, explain=None):
        try:
            short, long = self.responses[code]
        except KeyError:
            short, long = "Error", ""
        count_refusal(int(code))
        self.log_error("code %d, message %s", code, message)
        body = json.dumps(problem_document(int(code), explain or message or long, title=short)).encode()
        self.send_response(code, short)
        self.send_header("Connection", "close")
        self.send_header("Content-Type", PROBLEM_JSON)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and code >= HTTPStatus.OK and code not in (HTTPStatus.NO_CONTENT,
                                                                              HTTPStatus.NOT_MODIFIED):
            self.wfile.write(body)


def _gunicorn_write_error(sock, status_int, reason, mesg):
    from gunicorn.util import write_nonblock

    count_refusal(int(status_int))
    write_nonblock(sock, problem_http_response(int(status_int), reason, mesg))


def use_problem_errors_in_gunicorn() -> None:
    """Make this process's gunicorn workers write their own refusals as problem+json (idempotent)."""
    try:
        from gunicorn import util
    except ImportError:  # not served by gunicorn
        return
    util.write_error = _gunicorn_write_error
