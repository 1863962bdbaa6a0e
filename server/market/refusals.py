"""The one error type of the market rules: a refused request that changed nothing.

A refusal carries a stable ``reason`` code (for clients and the gate), a human ``detail``,
optional ``(field_path, message)`` pairs, and a ``kind`` that the API maps to an HTTP status.
It subclasses ``ValueError`` like every validator error in Haul.
"""

from __future__ import annotations

from collections.abc import Iterable

# kind -> HTTP status; the API layer is the only place that turns a kind into a status.
KIND_STATUS = {"invalid": 422, "conflict": 409, "forbidden": 403, "not_found": 404}


class MarketRefused(ValueError):
    """A market rule refused the request; nothing was changed."""

    def __init__(self, kind: str, reason: str, detail: str, errors: Iterable[tuple[str, str]] = ()):
        if kind not in KIND_STATUS:
            raise ValueError(f"unknown refusal kind {kind!r}")
        detail = str(detail)  # translated by the raiser; a lazy string becomes text here
        super().__init__(detail)
        self.kind = kind
        self.reason = reason
        self.detail = detail
        self.errors = [(path, str(message)) for path, message in errors]

    @property
    def status(self) -> int:
        return KIND_STATUS[self.kind]

    def __repr__(self) -> str:
        return f"MarketRefused({self.kind!r}, {self.reason!r}, {self.detail!r})"
