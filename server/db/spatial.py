"""Backend-specific spatial set-up: SpatiaLite on SQLite, PostGIS on PostgreSQL.

Spatial SQL elsewhere in Haul sticks to what GeoAlchemy2 supports on both; where the
two differ, the per-dialect function lives in this module.
"""

from __future__ import annotations

import os

import sqlean
from geoalchemy2.admin.dialects.sqlite import init_spatialite
from sqlalchemy import event
from sqlalchemy.engine import Engine

SPATIALITE_LIBRARY = os.environ.get("SPATIALITE_LIBRARY_PATH", "mod_spatialite")


def sqlite_engine_options() -> dict:
    """The stdlib sqlite3 here cannot load extensions; sqlean can."""
    return {"module": sqlean, "connect_args": {"check_same_thread": False, "timeout": 30}}


def _on_sqlite_connect(dbapi_conn, _record) -> None:
    dbapi_conn.enable_load_extension(True)
    dbapi_conn.load_extension(SPATIALITE_LIBRARY)
    dbapi_conn.enable_load_extension(False)
    cursor = dbapi_conn.cursor()
    # WAL lets the ingest thread write while dashboards read; busy_timeout waits for locks.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    has_meta = cursor.execute(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name='spatial_ref_sys'"
    ).fetchone()
    cursor.close()
    if not has_meta:
        # The full EPSG load takes ~12 s per database; WGS84 only, in one transaction, is instant.
        init_spatialite(dbapi_conn, transaction=True, init_mode="WGS84")


def prepare_engine(engine: Engine) -> None:
    """Attach per-connection set-up for the engine's dialect."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _on_sqlite_connect)


def ensure_extensions(connection) -> None:
    """Create the PostGIS extension when missing (migrations call this first)."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS postgis")
