"""The edge of every request, before any view: what size the app takes, and text the database can store.

* `RequestLimits` (WSGI middleware around the whole app, Socket.IO included) answers 414 for a URI
  longer than ``MAX_URI_BYTES`` and 413 for a chunked body (no Content-Length) longer than
  ``MAX_CONTENT_LENGTH``. Werkzeug cuts such a body at the limit without a word and hands the view
  the first part, so a CSV import would import the first half of the file.
* `refuse_nul_bytes` (a ``before_request`` hook) answers 422 naming the field when a path or query
  parameter, a header, a form field or a JSON key or value holds a NUL character. PostgreSQL's text
  and JSONB cannot store one (it was a 500 there), and no field of Haul has a use for it.

Both answer problem+json (pages get their HTML error page for the NUL refusal, as for any error).
"""

from __future__ import annotations

import io
import json

from flask import Flask, request
from flask_babel import gettext as _
from werkzeug.exceptions import UnprocessableEntity

from server.errors import PROBLEM_JSON, ApiProblem, count_refusal, problem_document, wants_problem_json

NUL = "\x00"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def problem_bytes(status: int, detail: str, instance: str | None = None) -> bytes:
    return json.dumps(problem_document(status, detail, instance)).encode()


class RequestLimits:
    """WSGI middleware: refuse over-long URIs (414) and over-long chunked bodies (413) as problem+json."""

    def __init__(self, wsgi_app, max_uri_bytes: int, max_body_bytes: int | None):
        self.wsgi_app = wsgi_app
        self.max_uri_bytes = max_uri_bytes
        self.max_body_bytes = max_body_bytes

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        uri = len(path) + len(environ.get("QUERY_STRING", "")) + 1
        if uri > self.max_uri_bytes:
            return self._refuse(start_response, 414,
                                _("The URI is %(uri)s bytes long; at most %(max_uri_bytes)s are accepted. "
                                  "Send long input in the body.", uri=uri,
                                  max_uri_bytes=self.max_uri_bytes), path)
        if self.max_body_bytes is not None and environ.get("wsgi.input_terminated") \
                and not environ.get("CONTENT_LENGTH"):
            body = _read_at_most(environ["wsgi.input"], self.max_body_bytes + 1)
            if len(body) > self.max_body_bytes:
                return self._refuse(start_response, 413,
                                    _("The body is larger than %(max_body_bytes)s bytes.",
                                      max_body_bytes=self.max_body_bytes),
                                    path)
            # From here on a plain body of known length, so Werkzeug reads all of it.
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            environ.pop("wsgi.input_terminated", None)
            environ.pop("HTTP_TRANSFER_ENCODING", None)
        return self.wsgi_app(environ, start_response)

    @staticmethod
    def _refuse(start_response, status: int, detail: str, path: str):
        from werkzeug.http import HTTP_STATUS_CODES

        count_refusal(status)
        body = problem_bytes(status, detail, path[:200])
        start_response(f"{status} {HTTP_STATUS_CODES[status]}", [
            ("Content-Type", PROBLEM_JSON), ("Content-Length", str(len(body))), ("Connection", "close")])
        return [body]


def _read_at_most(stream, limit: int) -> bytes:
    out = bytearray()
    while len(out) < limit:
        chunk = stream.read(min(64 * 1024, limit - len(out)))
        if not chunk:
            break
        out.extend(chunk)
    return bytes(out)


def _escaped(text: str) -> str:
    return text.replace(NUL, "\\u0000")


def _nul_paths(value, path: str):
    """The paths (``lines/0/sku``) of every string in a decoded JSON value that holds a NUL."""
    if isinstance(value, str):
        if NUL in value:
            yield path or "_body"
    elif isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}/{_escaped(str(key))}" if path else _escaped(str(key))
            if NUL in str(key):
                yield child
            yield from _nul_paths(item, child)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nul_paths(item, f"{path}/{index}" if path else str(index))


def _form_value_paths(name: str, value: str):
    if NUL in value:
        yield name
    elif value[:1] in ("{", "["):  # a JSON part of a form (the driver app's ``payload``)
        try:
            yield from _nul_paths(json.loads(value), name)
        except ValueError:
            pass


def nul_fields() -> list[str]:
    """Where this request carries a NUL character: path and query parameters, headers, form, JSON."""
    found = [name for name, value in (request.view_args or {}).items() if isinstance(value, str) and NUL in value]
    found += [name for name, value in request.headers.items() if NUL in value]
    for name, values in request.args.lists():
        if NUL in name or any(NUL in v for v in values):
            found.append(_escaped(name))
    if request.mimetype in _FORM_TYPES:
        if request.mimetype == _FORM_TYPES[0]:
            request.get_data(cache=True, parse_form_data=False)  # raw endpoints (OsmAnd) still read the body
        for name, values in request.form.lists():
            name = "" if name is None else str(name)  # a multipart part may come without a name
            for value in values:
                value = "" if value is None else str(value)
                found += [_escaped(name)] if NUL in name else list(_form_value_paths(name, value))
    elif request.is_json and request.content_length:
        found += _nul_paths(request.get_json(silent=True), "")
    return list(dict.fromkeys(found))


def refuse_nul_bytes() -> None:
    """``before_request``: a NUL character anywhere in the request is a 422 naming the field."""
    fields = nul_fields()
    if not fields:
        return
    detail = _("Text may not contain the NUL character (U+0000).")
    if wants_problem_json():
        raise ApiProblem(422, detail, [(field, _("contains a NUL character")) for field in fields])
    raise UnprocessableEntity(description=f"{detail} ({', '.join(fields)})")


def init_request_guard(app: Flask) -> None:
    """Wrap the app (after Socket.IO has wrapped it, so its requests pass here too) and add the hook."""
    app.wsgi_app = RequestLimits(app.wsgi_app, app.config["MAX_URI_BYTES"], app.config.get("MAX_CONTENT_LENGTH"))
    app.before_request(refuse_nul_bytes)
