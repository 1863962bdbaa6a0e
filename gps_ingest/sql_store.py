"""The SQL `PositionStore`: batched, idempotent inserts into ``positions``, one function per dialect.

* PostgreSQL: one ``INSERT ... SELECT FROM unnest(arrays) ON CONFLICT (vehicle_id, time) DO
  NOTHING RETURNING vehicle_id, time`` per batch, so 500 fixes cost one round trip and eleven
  array parameters (no giant SQL text, no per-row parse), sent and read in binary (text arrays
  cost the client about three times the CPU: quoting checks per element). A batch in which some
  fix has attributes sends them as a twelfth array (``jsonb[]``); the others leave the column out.
  The returned keys say which rows were new; a repeat of a key later in the same batch counts as
  not inserted.
* SQLite + SpatiaLite (the embedded demo): ``INSERT OR IGNORE`` row by row inside one
  transaction, reading each row's change count; SQLite has no network round trip, so this is
  cheap, and it is the only way to learn per row whether it was new.

Both commit before returning and raise when the commit did not happen, which is what the
pipeline's `StoreStep` needs to decide whether a message may be acknowledged. Vehicle ids are
strings in the pipeline and integers in the database: a fix whose vehicle id is not an integer
cannot be stored and raises (the resolver only ever yields database ids).

Retention (`delete_older_than`) also lives here per dialect; on PostgreSQL the partitions do
the heavy lifting (see `server.tracking.partitions`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime

import orjson
from sqlalchemy.engine import Engine

from gps_ingest.model import Position
from gps_ingest.pg_arrays import Float8Array, Int4Array, JsonbArray, register

log = logging.getLogger(__name__)

_PG_INSERT = """
INSERT INTO positions (vehicle_id, time, geom, speed, heading, accuracy, altitude, battery, seq, source,
                       received_at{attr_column})
SELECT v, t, ST_SetSRID(ST_MakePoint(lon, lat), 4326), sp, hd, acc, alt, bat, sq, src, now(){attr_value}
FROM unnest(%b::int[], %b::timestamptz[], %b::float8[], %b::float8[], %b::float8[], %b::float8[], %b::float8[],
            %b::float8[], %b::float8[], %b::int[], %b::text[]{attr_array})
     AS u(v, t, lon, lat, sp, hd, acc, alt, bat, sq, src{attr_value})
ON CONFLICT (vehicle_id, time) DO NOTHING
RETURNING vehicle_id, time
"""
# Most batches carry no attributes at all (the Haul app sends none): they skip the column.
_PG_INSERT_PLAIN = _PG_INSERT.format(attr_column="", attr_value="", attr_array="")
_PG_INSERT_ATTRIBUTES = _PG_INSERT.format(attr_column=", attributes", attr_value=", att", attr_array=", %b::jsonb[]")

_SQLITE_INSERT = (
    "INSERT OR IGNORE INTO positions "
    "(vehicle_id, time, geom, speed, heading, accuracy, altitude, battery, seq, source, received_at, attributes) "
    "VALUES (?, ?, MakePoint(?, ?, 4326), ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def sqlite_time(value: datetime) -> str:
    """A UTC time in the text format SQLAlchemy's SQLite DATETIME stores (so keys compare equal)."""
    value = value.astimezone(UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def db_vehicle_id(vehicle_id: str) -> int:
    """The integer id of a pipeline vehicle id; raises ValueError for anything else."""
    number = int(vehicle_id)
    if not 0 < number < 2**31:
        raise ValueError(f"vehicle id {vehicle_id!r} out of range")
    return number


def _float(value: float | None) -> float | None:
    return None if value is None else float(value)


def write_postgresql(dbapi_conn, positions: Sequence[Position]) -> list[bool]:
    """Insert a batch on PostgreSQL (psycopg 3); commits; returns per-fix "newly inserted"."""
    ids: dict[str, int] = {}  # a batch holds few vehicles many times (batched phones)
    for p in positions:
        if p.vehicle_id not in ids:
            ids[p.vehicle_id] = db_vehicle_id(p.vehicle_id)
    # Binary arrays may not mix int and float: every float column is made a float here. The
    # columns are the rows transposed by zip (C calls, not an append per value; psycopg wants lists).
    rows = [(ids[p.vehicle_id], p.time, float(p.lon), float(p.lat), _float(p.speed), _float(p.heading),
             _float(p.accuracy), _float(p.altitude), _float(p.battery), p.seq, p.source) for p in positions]
    v, t, lon, lat, sp, hd, acc, alt, bat, sq, src = zip(*rows, strict=True)
    # Number columns go as packed arrays (gps_ingest.pg_arrays): one struct.pack per column.
    cols = [Int4Array(v), list(t), *(Float8Array(c) for c in (lon, lat, sp, hd, acc, alt, bat)), Int4Array(sq),
            list(src)]
    statement = _PG_INSERT_PLAIN
    if any(p.attributes for p in positions):
        cols.append(JsonbArray(None if p.attributes is None else orjson.dumps(p.attributes) for p in positions))
        statement = _PG_INSERT_ATTRIBUTES
    if not getattr(dbapi_conn, "_haul_packed_arrays", False):
        register(dbapi_conn.adapters)
        dbapi_conn._haul_packed_arrays = True
    with dbapi_conn.cursor() as cursor:
        cursor.execute(statement, cols, binary=True)
        # As many rows inserted as fixes sent: every fix is new (a repeat within the batch or of a
        # stored row is never inserted), so the returned keys need not be read. The usual case.
        everything_new = cursor.rowcount == len(positions)
        new = set() if everything_new else {(int(v), t) for v, t in cursor.fetchall()}
    dbapi_conn.commit()
    return [True] * len(positions) if everything_new else _flags(positions, new)


def write_sqlite(dbapi_conn, positions: Sequence[Position]) -> list[bool]:
    """Insert a batch on SQLite + SpatiaLite; commits; returns per-fix "newly inserted"."""
    now = sqlite_time(datetime.now(UTC))
    flags = []
    cursor = dbapi_conn.cursor()
    try:
        for p in positions:
            attributes = None if p.attributes is None else orjson.dumps(p.attributes).decode()
            cursor.execute(_SQLITE_INSERT, (db_vehicle_id(p.vehicle_id), sqlite_time(p.time), p.lon, p.lat,
                                            p.speed, p.heading, p.accuracy, p.altitude, p.battery, p.seq, p.source,
                                            now, attributes))
            flags.append(cursor.rowcount == 1)
    finally:
        cursor.close()
    dbapi_conn.commit()
    return flags


def _flags(positions: Sequence[Position], new: set[tuple[int, datetime]]) -> list[bool]:
    flags = []
    for p in positions:
        key = (int(p.vehicle_id), p.time)
        flags.append(key in new)
        new.discard(key)  # a repeat later in the batch was not inserted
    return flags


WRITERS = {"postgresql": write_postgresql, "sqlite": write_sqlite}


class StoreUnavailable(RuntimeError):
    """The database failed recently and the store is backing off before the next attempt."""


class SqlPositionStore:
    """A `PositionStore` on a SQLAlchemy engine (PostgreSQL + PostGIS or SQLite + SpatiaLite).

    After a failed write it backs off (0.25 s doubling up to ``max_backoff_s``): writes during
    the back-off raise `StoreUnavailable` without touching the database, and `available` tells
    the worker to stop taking new messages until a probe (``SELECT 1``) succeeds again.
    """

    def __init__(self, engine: Engine, max_backoff_s: float = 10.0):
        if engine.dialect.name not in WRITERS:
            raise ValueError(f"no position writer for the {engine.dialect.name} dialect")
        self.engine = engine
        self._write = WRITERS[engine.dialect.name]
        self._max_backoff = max_backoff_s
        self._failures = 0
        self._retry_at = 0.0
        self.writes = 0

    def write(self, positions: Sequence[Position]) -> list[bool]:
        """Insert ``positions`` in one transaction; raises if it was not committed."""
        if not positions:
            return []
        if self._failures and time.monotonic() < self._retry_at:
            raise StoreUnavailable(f"backing off after {self._failures} failure(s)")
        try:
            flags = self._write_once(positions)
        except Exception:
            self._failed()
            raise
        self._failures = 0
        self.writes += 1
        return flags

    def available(self) -> bool:
        """Whether writes can be expected to work; probes the database when a back-off is over."""
        if not self._failures:
            return True
        if time.monotonic() < self._retry_at:
            return False
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        except Exception:
            self._failed()
            return False
        self._failures = 0
        log.info("the database is reachable again")
        return True

    def _failed(self) -> None:
        self._failures += 1
        self._retry_at = time.monotonic() + min(self._max_backoff, 0.25 * 2 ** (self._failures - 1))

    def _write_once(self, positions: Sequence[Position]) -> list[bool]:
        connection = self.engine.raw_connection()
        try:
            return self._write(connection.driver_connection, positions)
        except BaseException:
            try:
                connection.driver_connection.rollback()
            except Exception:  # the connection may be dead; the pool discards it below
                connection.invalidate()
            raise
        finally:
            connection.close()


def delete_older_than(engine: Engine, cutoff: datetime) -> int:
    """Delete fixes older than ``cutoff`` (the SQLite retention path); returns rows deleted."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            result = conn.exec_driver_sql("DELETE FROM positions WHERE time < ?", (sqlite_time(cutoff),))
        else:
            result = conn.exec_driver_sql("DELETE FROM positions WHERE time < %s", (cutoff,))
        return result.rowcount or 0
