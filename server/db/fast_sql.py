"""Hot-path statements on PostgreSQL (the market's bids and grabs, every bearer-token check): run on the
session's own psycopg connection, prepared server-side.

A bid or a grab runs a handful of small statements, and SQLAlchemy's per-execution work (cache key,
execution context, result metadata) costs about twice what psycopg itself costs for each of them.
So the market's hot statements are compiled to SQL once, their constant parameters converted once,
and then run with ``psycopg``'s ``prepare=True`` (PostgreSQL plans them once per connection).

They run on the connection the ORM session holds, inside its transaction: ``session.commit`` and
``rollback`` cover them like any other statement. PostgreSQL only: SQLite keeps the plain
SQLAlchemy path in the callers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Executable

from server.extensions import db


@dataclass(frozen=True, slots=True)
class Compiled:
    sql: str
    values: dict  # the statement's own constants, by placeholder name, as Python values
    processors: dict  # placeholder name -> the type's conversion to the driver's form (or None)

    def constants(self, swap: dict | None = None) -> dict:
        """The constants in the driver's form; ``swap`` replaces stand-in values (also inside lists),
        so that one compiled statement serves, e.g., every caller's organisation id."""
        out = {}
        for name, value in self.values.items():
            if swap:
                value = [swap.get(v, v) for v in value] if isinstance(value, list) else swap.get(value, value)
            process = self.processors[name]
            out[name] = process(value) if process else value
        return out


def compile_pg(statement: Executable, dialect) -> Compiled:
    """``statement`` as PostgreSQL SQL with ``%(name)s`` placeholders; bind parameters that carry a
    value become constants (converted by their type, e.g. a JSON list for ``@>``), those without one
    are left to the caller, by their ``bindparam`` name."""
    compiled = statement.compile(dialect=dialect)
    sql = str(compiled)
    if "POSTCOMPILE" in sql:
        raise ValueError("expanding IN parameters are not supported here")
    values, processors = {}, {}
    for param, name in compiled.bind_names.items():
        if param.required or param.callable is not None:
            continue
        values[name] = param.value
        processors[name] = param.type.dialect_impl(dialect).bind_processor(dialect)
    return Compiled(sql, values, processors)


def _execute(sql: str, params: dict):
    """The one place these statements reach the driver (SQLAlchemy's cursor events do not see them)."""
    raw = db.session.connection().connection.driver_connection
    return raw.execute(sql, params, prepare=True)


def fetch_one(sql: str, params: dict) -> tuple | None:
    """The first row of ``sql`` run in the session's transaction (None when it returns no row)."""
    return _execute(sql, params).fetchone()


def utc(value: datetime | None) -> datetime | None:
    """A ``timestamptz`` as the ORM's ``UTCDateTime`` returns it: aware, in UTC (psycopg gives the
    session's time zone)."""
    return value.astimezone(UTC) if value is not None else None
