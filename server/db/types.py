"""Column types that behave the same on PostgreSQL and SQLite."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

MAX_ID = 2**31 - 1  # the widest id both backends store in an INTEGER column


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on both backends.

    SQLite has no time zones, so values are stored as naive UTC and given their zone
    back on load; PostgreSQL stores ``timestamptz``. Naive input is refused, because a
    naive time from an ERP in another zone would silently shift a pickup by hours.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; Haul stores only timezone-aware times")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)
