"""The notification clock: one function, so tests can move time without sleeping."""

from __future__ import annotations

from datetime import datetime

from server.db.types import utcnow


def now() -> datetime:
    return utcnow()
