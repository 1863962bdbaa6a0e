"""The SQL position store on both real backends: idempotent batches, per-fix flags, commits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from geoalchemy2 import functions as gf
from sqlalchemy import func, select

from gps_ingest.model import Position
from gps_ingest.sql_store import SqlPositionStore, StoreUnavailable, delete_older_than

T0 = datetime(2024, 6, 10, 8, 0, tzinfo=UTC)


def _fix(vehicle_id, seconds=0.0, lat=51.92, lon=4.48, **fields) -> Position:
    return Position(message_id="m", source="haul", vehicle_id=str(vehicle_id),
                    time=T0 + timedelta(seconds=seconds), lat=lat, lon=lon, **fields)


def _count():
    from server.extensions import db
    from server.models import Position as Row

    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Row))


def test_batch_insert_reports_new_rows_and_skips_existing(ctx, fleet):
    """A batch stores each (vehicle, time) once; a repeat inside or across batches is flagged not new."""
    from server.extensions import db

    _, (v1, v2) = fleet(2)
    store = SqlPositionStore(db.engine)
    first = store.write([_fix(v1, 0, speed=3.5, heading=90.0, accuracy=5.0, battery=80.0, seq=7),
                         _fix(v2, 0, speed=None), _fix(v1, 0)])
    assert first == [True, True, False]
    again = store.write([_fix(v1, 0), _fix(v1, 1), _fix(v2, 0)])
    assert again == [False, True, False]
    assert _count() == 3


def test_stored_row_keeps_coordinates_and_fields(ctx, fleet):
    """The point is stored as lon/lat in SRID 4326 with the fix's optional fields."""
    from server.extensions import db
    from server.models import Position as Row

    _, (v1,) = fleet(1)
    SqlPositionStore(db.engine).write([_fix(v1, 0, lat=50.5, lon=7.25, speed=12.0, seq=3)])
    row = db.session.execute(select(gf.ST_Y(Row.geom), gf.ST_X(Row.geom), Row.speed, Row.seq, Row.time,
                                    Row.source)).one()
    assert row[:4] == (50.5, 7.25, 12.0, 3)
    assert row[4] == T0 and row[5] == "haul"


def test_altitude_and_attributes_are_stored(ctx, fleet):
    """Altitude and the attributes JSON are stored per fix; a batch mixing fixes with and without them keeps each."""
    from server.extensions import db
    from server.models import Position as Row

    _, (v1,) = fleet(1)
    attributes = {"hdop": 1.2, "sat": 9, "charging": True, "trigger": "u", "note": 'quote " and \\ and ü'}
    SqlPositionStore(db.engine).write([_fix(v1, 0, altitude=35.5, attributes=attributes), _fix(v1, 1),
                                       _fix(v1, 2, altitude=-3.0)])
    rows = db.session.execute(select(Row.altitude, Row.attributes).order_by(Row.time)).all()
    assert [tuple(r) for r in rows] == [(35.5, attributes), (None, None), (-3.0, None)]
    SqlPositionStore(db.engine).write([_fix(v1, 3)])  # a batch with no attributes at all skips the column
    assert db.session.scalar(select(Row.attributes).where(Row.time == T0 + timedelta(seconds=3))) is None


def test_unknown_vehicle_raises_and_commits_nothing(ctx, fleet):
    """A batch with a vehicle id that is not in the database fails whole; nothing is committed."""
    from server.extensions import db

    _, (v1,) = fleet(1)
    store = SqlPositionStore(db.engine)
    with pytest.raises(Exception):  # noqa: B017 (foreign-key errors differ per driver)
        store.write([_fix(v1, 0), _fix(999_999, 0)])
    with pytest.raises(ValueError):
        SqlPositionStore(db.engine).write([_fix("not-a-number", 0)])
    assert _count() == 0
    assert SqlPositionStore(db.engine).write([_fix(v1, 0)]) == [True]


def test_failed_write_backs_off_then_probes_the_database(ctx, fleet, monkeypatch):
    """After a failure, writes are refused without a query until the back-off ends and a probe succeeds."""
    from server.extensions import db

    _, (v1,) = fleet(1)
    store = SqlPositionStore(db.engine)
    with pytest.raises(ValueError):
        store.write([_fix("x", 0)])
    with pytest.raises(StoreUnavailable):
        store.write([_fix(v1, 0)])
    assert store.available() is False
    monkeypatch.setattr("gps_ingest.sql_store.time.monotonic", lambda: 1e12)  # the back-off is over
    assert store.available() is True
    assert store.write([_fix(v1, 0)]) == [True]


def test_retention_delete_removes_only_old_rows(ctx, fleet):
    """delete_older_than removes fixes before the cutoff and keeps the rest."""
    from server.extensions import db

    _, (v1,) = fleet(1)
    SqlPositionStore(db.engine).write([_fix(v1, -86400 * 3), _fix(v1, 0)])
    assert delete_older_than(db.engine, T0 - timedelta(days=1)) == 1
    assert _count() == 1
