"""Every API error leaves through here as ``application/problem+json`` (RFC 9457).

Field errors carry a JSON-pointer-like path per bad field (``lines/3/quantity``), so an
ERP can show the exact cell that was wrong. No HTML page and no traceback ever leaves.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from threading import Lock

from flask import Flask, jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from server.validation_messages import status_title, translated

log = logging.getLogger("haul.errors")

PROBLEM_JSON = "application/problem+json"

# Refused requests by status: bad input is counted, as the guide asks.
_counter_lock = Lock()
refused_requests: Counter[int] = Counter()


class ApiProblem(Exception):
    """Raised anywhere in a request to answer with a problem document.

    ``detail`` and the error messages are translated by the raiser (``_()``), in the caller's
    language; a lazy string is fixed to text here, so the document is plain JSON.
    """

    def __init__(self, status: int, detail: str, errors: Iterable[tuple[str, str]] = (), **extra):
        super().__init__(str(detail))
        self.status = status
        self.detail = str(detail)
        self.errors = [{"path": path, "message": str(msg)} for path, msg in errors]
        self.extra = extra


def load_or_422(schema, data, field: str = "_body", what: str = "The body") -> dict:
    """``schema.load(data)`` for a body that must be a JSON object; anything else is a 422 with field paths."""
    from marshmallow import ValidationError

    if not isinstance(data, dict):
        raise ApiProblem(422, _("%(what)s must be a JSON object.", what=what),
                         [(field, _("must be an object"))])
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise ApiProblem(422, _("Some fields are invalid."), flatten_field_errors(exc.messages)) from exc


def flatten_field_errors(messages, prefix: str = "") -> list[tuple[str, str]]:
    """Turn marshmallow/webargs nested messages into (path, message) pairs.

    The libraries' own messages are put in the caller's language here (Haul's are already)."""
    pairs: list[tuple[str, str]] = []
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            path = f"{prefix}/{key}" if prefix else str(key)
            pairs.extend(flatten_field_errors(value, path))
    elif isinstance(messages, (list, tuple)):
        if all(isinstance(m, str) for m in messages):
            pairs.extend((prefix, translated(m)) for m in messages)
        else:
            for item in messages:
                pairs.extend(flatten_field_errors(item, prefix))
    else:
        pairs.append((prefix, translated(str(messages))))
    return pairs


def problem_document(status: int, detail: str = "", instance: str | None = None, title: str | None = None) -> dict:
    """The RFC 9457 fields of a problem; also used where there is no Flask request (the WSGI edge)."""
    from werkzeug.http import HTTP_STATUS_CODES

    return {"type": "about:blank", "title": title or HTTP_STATUS_CODES.get(status, "Error"), "status": status,
            "detail": detail, "instance": instance}


def problem_response(status: int, detail: str = "", errors=(), title: str | None = None, **extra):
    count_refusal(status)
    body = problem_document(status, detail, request.path if request else None, title or status_title(status))
    errors = list(errors)
    if errors:
        body["errors"] = errors
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_JSON
    return response


def _strip_webargs_location(messages):
    """webargs nests errors under the location ('json', 'query'); the path starts after it."""
    if isinstance(messages, Mapping) and set(messages) <= {"json", "query", "form", "headers", "files"}:
        merged: dict = {}
        for value in messages.values():
            if isinstance(value, Mapping):
                merged.update(value)
            else:
                merged.setdefault("_body", value)
        return merged
    return messages


def count_refusal(status: int) -> None:
    """Count one refused request (the HTML error pages count theirs here too)."""
    with _counter_lock:
        refused_requests[status] += 1


def http_exception_problem(exc: HTTPException):
    """A werkzeug/webargs HTTP error as problem+json, with webargs' field errors as paths."""
    data = getattr(exc, "data", None) or {}
    messages = _strip_webargs_location(data.get("messages", {}))
    errors = [{"path": p, "message": m} for p, m in flatten_field_errors(messages)]
    detail = translated(exc.description or "")  # werkzeug's own descriptions are English
    if exc.code == 422 and errors:
        detail = _("Some fields are invalid.")
    if exc.code == 400 and "_body" in (messages or {}):
        detail = _("The body is not valid JSON.")
    return problem_response(exc.code or 500, detail, errors)


def unexpected_detail() -> str:
    """The 500's detail, in the caller's language (English where there is no request)."""
    return _("An internal error occurred; it has been logged.")


def log_unexpected(exc: Exception) -> None:
    log.exception("unhandled error on %s %s", request.method, request.path)


def register_error_handlers(app: Flask) -> None:
    """Every error as problem+json. The pages blueprint registers its own handlers after these,
    which answer people with HTML and hand API callers back to the functions here."""

    @app.errorhandler(ApiProblem)
    def _api_problem(exc: ApiProblem):
        response = problem_response(exc.status, exc.detail, exc.errors, **exc.extra)
        if exc.extra.get("retry_after"):  # a braked caller is told when to come back (RFC 9110)
            response.headers["Retry-After"] = str(exc.extra["retry_after"])
        return response

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        return http_exception_problem(exc)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log_unexpected(exc)
        return problem_response(500, unexpected_detail())


def wants_problem_json() -> bool:
    """API paths always answer JSON; pages for people answer HTML."""
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"
