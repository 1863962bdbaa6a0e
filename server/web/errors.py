"""HTML error pages for people, on top of the JSON errors of ``server.errors``.

The dependency runs one way, as in Flask's microblog: these handlers render a page for a browser
and hand every API caller (``/api/`` paths, ``Accept: application/json``) back to the JSON side,
which never imports anything from here. Registered on the pages blueprint, so an app without pages
answers problem+json everywhere.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from werkzeug.exceptions import HTTPException

from server.errors import (
    count_refusal,
    http_exception_problem,
    log_unexpected,
    problem_response,
    unexpected_detail,
    wants_problem_json,
)
from server.web.i18n import error_title


def error_page(status: int, detail: str):
    """The HTML page for an error; counted like the API's refusals."""
    count_refusal(status)
    return render_template("error.html", status=status, title=error_title(status), detail=detail), status


def register_html_errors(blp: Blueprint) -> None:
    """People get a proper HTML page for every error; API callers keep getting problem+json."""

    @blp.app_errorhandler(HTTPException)
    def _http(exc: HTTPException):
        if wants_problem_json():
            return http_exception_problem(exc)
        return error_page(exc.code or 500, exc.description or "")

    @blp.app_errorhandler(Exception)
    def _unexpected(exc: Exception):
        if isinstance(exc, HTTPException):  # Flask picks the most specific handler; this is a guard
            return _http(exc)
        log_unexpected(exc)
        if wants_problem_json():
            return problem_response(500, unexpected_detail())
        return error_page(500, unexpected_detail())
