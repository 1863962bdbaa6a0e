"""The one error type of the yard services: a refused request that changed nothing.

Like the market's refusals it carries a stable ``reason`` code, a human ``detail``,
optional ``(field_path, message)`` pairs and a ``kind`` that the API maps to a status.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _

KIND_STATUS = {"invalid": 422, "conflict": 409, "forbidden": 403, "not_found": 404}


class YardRefused(ValueError):
    """A yard rule refused the request; nothing was changed."""

    def __init__(self, kind: str, reason: str, detail: str, errors: Iterable[tuple[str, str]] = (), **extra):
        if kind not in KIND_STATUS:
            raise ValueError(f"unknown refusal kind {kind!r}")
        detail = str(detail)  # translated by the raiser; a lazy string becomes text here
        super().__init__(detail)
        self.kind, self.reason, self.detail = kind, reason, detail
        self.errors = [(path, str(message)) for path, message in errors]
        self.extra = extra

    @property
    def status(self) -> int:
        return KIND_STATUS[self.kind]

    def __repr__(self) -> str:
        return f"YardRefused({self.kind!r}, {self.reason!r}, {self.detail!r})"


def answer_refusals(blp) -> None:
    """A refused yard request answers problem+json with its status, ``reason`` code and field errors.

    Bad input that reaches the dock engine (``DockValidationError``) answers 422 the same way.
    """
    from server.engines.docks import DockValidationError
    from server.errors import problem_response
    from server.extensions import db
    from server.validation_messages import translated

    @blp.errorhandler(YardRefused)
    def _refused(exc: YardRefused):
        db.session.rollback()
        errors = [{"path": path, "message": message} for path, message in exc.errors]
        return problem_response(exc.status, exc.detail, errors, reason=exc.reason, **exc.extra)

    @blp.errorhandler(DockValidationError)
    def _engine_refused(exc: DockValidationError):
        db.session.rollback()
        errors = [{"path": path, "message": translated(message)} for path, message in exc.errors]  # engine's English
        return problem_response(422, _("The dock data cannot be planned."), errors, reason="bad_dock_data")
