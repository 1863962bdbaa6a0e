"""Retention of positions: daily partitions on PostgreSQL (migration 0003), a DELETE on SQLite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from gps_ingest.model import Position as Fix
from gps_ingest.sql_store import SqlPositionStore
from server.extensions import db
from server.models import Position
from server.tracking.partitions import daily_partitions, is_partitioned, maintain, partition_name

NOW = datetime.now(UTC)


def _fix(vehicle_id: int, when: datetime) -> Fix:
    return Fix(message_id="m", source="haul", vehicle_id=str(vehicle_id), time=when, lat=51.0, lon=7.0)


def _count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Position))


def test_maintenance_creates_ahead_and_retention_drops_old_days(ctx, fleet):
    """Upcoming days get partitions; fixes older than the retention disappear, newer ones stay."""
    _, (vehicle,) = fleet(1)
    old_day = NOW - timedelta(days=10)
    if ctx.config["BACKEND"] == "postgis":
        with db.engine.begin() as conn:
            assert is_partitioned(conn)
            conn.exec_driver_sql(f"CREATE TABLE IF NOT EXISTS {partition_name(old_day.date())} PARTITION OF "
                                 f"positions FOR VALUES FROM ('{old_day.date()}T00:00:00+00:00') "
                                 f"TO ('{(old_day + timedelta(days=1)).date()}T00:00:00+00:00')")
    store = SqlPositionStore(db.engine)
    ancient = datetime(2001, 1, 1, tzinfo=UTC)  # no daily partition: lands in the default one on PostgreSQL
    assert store.write([_fix(vehicle, ancient), _fix(vehicle, old_day), _fix(vehicle, NOW - timedelta(minutes=1))]) \
        == [True, True, True]
    report = maintain(db.engine, retention_days=7, ahead_days=2, now=NOW)
    assert _count() == 1
    if ctx.config["BACKEND"] == "postgis":
        assert partition_name(old_day.date()) in report["dropped"]
        with db.engine.connect() as conn:
            days = daily_partitions(conn)
        assert {NOW.date() + timedelta(days=i) for i in range(3)} <= set(days)
        assert old_day.date() not in days
    else:
        assert report["deleted"] == 2


def test_maintenance_without_retention_keeps_everything(ctx, fleet):
    """Retention 0 keeps every fix, however old."""
    _, (vehicle,) = fleet(1)
    SqlPositionStore(db.engine).write([_fix(vehicle, datetime(2001, 1, 1, tzinfo=UTC))])
    maintain(db.engine, retention_days=0, now=NOW)
    assert _count() == 1
