"""Packed float8[]/int4[] arrays reach PostgreSQL exactly as the lists they came from."""

from __future__ import annotations

import math

import pytest

from gps_ingest.pg_arrays import Float8Array, Int4Array, JsonbArray, register


@pytest.fixture
def pg(ctx):
    from server.extensions import db

    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite stores row by row")
    connection = db.engine.raw_connection()
    register(connection.driver_connection.adapters)
    yield connection.driver_connection
    connection.close()


def _round_trip(conn, value, cast):
    with conn.cursor() as cursor:
        cursor.execute(f"SELECT %b::{cast}", [value], binary=True)
        return cursor.fetchone()[0]


def test_floats_with_and_without_nulls_survive(pg):
    """Every float, extreme ones and NULLs included, comes back unchanged and in order."""
    values = [51.92, -0.0, 1e-300, 1.7976931348623157e308, -4.48, 3.0]
    assert _round_trip(pg, Float8Array(values), "float8[]") == values
    with_nulls = [None, 2.5, None, math.pi]
    assert _round_trip(pg, Float8Array(with_nulls), "float8[]") == with_nulls


def test_ints_with_nulls_and_the_int4_range_survive(pg):
    """int4 edges and NULLs come back unchanged; an empty array is an empty array."""
    values = [1, -(2**31), 2**31 - 1, None, 42]
    assert _round_trip(pg, Int4Array(values), "int4[]") == values
    assert _round_trip(pg, Int4Array([]), "int4[]") == []


def test_all_null_floats_and_jsonb_documents_survive(pg):
    """A float column with no value at all, and JSON documents (with NULLs, escapes, non-ASCII), come back as sent."""
    import orjson

    assert _round_trip(pg, Float8Array([None] * 3), "float8[]") == [None, None, None]
    docs = [{"hdop": 1.2, "charging": True}, None, {"note": 'a "quote", a \\ and ü'}]
    sent = JsonbArray(None if d is None else orjson.dumps(d) for d in docs)
    assert _round_trip(pg, sent, "jsonb[]") == docs
