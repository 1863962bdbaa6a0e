"""The server's one clock: every "now" that decides something (deadlines, slots, retries) comes
from ``clock.now()``, so tests move time for the whole server by patching this one function."""

from __future__ import annotations

from datetime import datetime

from server.db.types import utcnow


def now() -> datetime:
    return utcnow()
