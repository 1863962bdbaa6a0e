"""Keeping ``positions`` bounded: daily partitions on PostgreSQL, a DELETE on SQLite.

On PostgreSQL, migration 0003 makes ``positions`` a table partitioned by range of ``time``,
one partition per UTC day named ``positions_pYYYYMMDD``, plus ``positions_default`` for fixes
outside every daily partition (an old replay, a clock far off), so an insert never fails for a
missing partition. `maintain` (run by the ingest worker at start and hourly) creates the
partitions for the next ``ahead_days`` days and drops those wholly older than the retention,
which is instant compared with deleting rows; old rows in the default partition are deleted.
On SQLite it deletes rows older than the retention.

Retention comes from ``HAUL_POSITIONS_RETENTION_DAYS`` (0 keeps everything).
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.engine import Connection, Engine

log = logging.getLogger(__name__)

PARTITION_RE = re.compile(r"^positions_p(\d{8})$")


def partition_name(day: date) -> str:
    return f"positions_p{day:%Y%m%d}"


def _bound(day: date) -> str:
    return datetime.combine(day, time(0), tzinfo=UTC).isoformat()


def create_partition_sql(day: date) -> str:
    return (f"CREATE TABLE IF NOT EXISTS {partition_name(day)} PARTITION OF positions "
            f"FOR VALUES FROM ('{_bound(day)}') TO ('{_bound(day + timedelta(days=1))}')")


def is_partitioned(conn: Connection) -> bool:
    if conn.dialect.name != "postgresql":
        return False
    return bool(conn.exec_driver_sql(
        "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
        "WHERE c.relname = 'positions' AND c.relnamespace = 'public'::regnamespace").scalar())


def daily_partitions(conn: Connection) -> dict[date, str]:
    rows = conn.exec_driver_sql(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'positions'").scalars()
    out = {}
    for name in rows:
        match = PARTITION_RE.match(name)
        if match:
            out[datetime.strptime(match[1], "%Y%m%d").date()] = name
    return out


def ensure_partitions(conn: Connection, today: date, ahead_days: int = 3) -> list[str]:
    """Create the daily partitions from ``today`` to ``today + ahead_days``; returns the new ones.

    A day whose rows already sit in the default partition is skipped (PostgreSQL would refuse to
    attach it); those rows stay in the default partition until retention removes them.
    """
    existing = daily_partitions(conn)
    created = []
    for offset in range(ahead_days + 1):
        day = today + timedelta(days=offset)
        if day in existing:
            continue
        busy = conn.exec_driver_sql(
            "SELECT 1 FROM positions_default WHERE time >= %s AND time < %s LIMIT 1",
            (_bound(day), _bound(day + timedelta(days=1)))).scalar()
        if busy:
            log.warning("positions of %s are in the default partition; not creating its partition", day)
            continue
        conn.exec_driver_sql(create_partition_sql(day))
        created.append(partition_name(day))
    return created


def drop_expired(conn: Connection, cutoff: date) -> list[str]:
    """Drop daily partitions that end on or before ``cutoff``; delete older default rows."""
    dropped = []
    for day, name in sorted(daily_partitions(conn).items()):
        if day + timedelta(days=1) <= cutoff:
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")
            dropped.append(name)
    conn.exec_driver_sql("DELETE FROM positions_default WHERE time < %s", (_bound(cutoff),))
    return dropped


def maintain(engine: Engine, retention_days: int = 0, ahead_days: int = 3,
             now: datetime | None = None) -> dict:
    """Create upcoming partitions and apply retention; returns what it did. Safe to run often."""
    from gps_ingest.sql_store import delete_older_than

    now = now or datetime.now(UTC)
    today = now.astimezone(UTC).date()
    report: dict = {"created": [], "dropped": [], "deleted": 0}
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            if not is_partitioned(conn):
                return report
            # Two workers maintaining at once would race on CREATE/DROP; one advisory lock serialises.
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(424242)")
            report["created"] = ensure_partitions(conn, today, ahead_days)
            if retention_days > 0:
                report["dropped"] = drop_expired(conn, today - timedelta(days=retention_days))
    elif retention_days > 0:
        cutoff = datetime.combine(today - timedelta(days=retention_days), time(0), tzinfo=UTC)
        report["deleted"] = delete_older_than(engine, cutoff)
    return report
