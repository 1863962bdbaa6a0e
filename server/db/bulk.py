"""Many rows into one table, fast on PostgreSQL (COPY) and plain on SQLite (a multi-row INSERT).

Rows are dicts with the same keys. Columns the rows leave out get their Python-side defaults,
as an ORM insert would. With ``with_ids`` the new ids come back in row order: on PostgreSQL they
are taken from the table's sequence first (one ``nextval`` series), then copied with the rows.

Why: a multi-row INSERT of a hundred thousand bill lines costs psycopg more time in building and
splitting the statement text than PostgreSQL spends storing the rows; COPY streams them instead.
Everything runs on the session's connection, inside its transaction.
"""

from __future__ import annotations

from sqlalchemy import JSON, Table, insert, text

from server.extensions import db


def _table(model_or_table) -> Table:
    return model_or_table if isinstance(model_or_table, Table) else model_or_table.__table__


def _with_defaults(table: Table, rows: list[dict]) -> tuple[list[str], list[dict]]:
    given = set(rows[0])
    fill = {}
    for column in table.columns:
        if column.name in given or column.default is None or column.primary_key:
            continue
        default = column.default
        fill[column.name] = default.arg(None) if default.is_callable else default.arg
    names = [c.name for c in table.columns if c.name in given or c.name in fill]
    return names, [{**fill, **row} for row in rows] if fill else rows


def insert_rows(model_or_table, rows: list[dict], *, with_ids: bool = False) -> list[int]:
    """Insert ``rows``; returns their new ids when ``with_ids`` (else an empty list)."""
    if not rows:
        return []
    table = _table(model_or_table)
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        if with_ids:
            return list(db.session.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows))
        db.session.execute(insert(table), rows)
        return []
    import orjson

    names, rows = _with_defaults(table, rows)
    ids: list[int] = []
    if with_ids:
        ids = list(db.session.scalars(text(
            f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) FROM generate_series(1, :n)"),
            {"n": len(rows)}))
        names = ["id", *names]
    json_columns = [k for k, name in enumerate(names) if isinstance(table.columns[name].type, JSON)]
    cursor = connection.connection.driver_connection.cursor()
    columns = ", ".join(f'"{name}"' for name in names)
    data_names = names[1:] if with_ids else names
    with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
        for k, row in enumerate(rows):
            values = [ids[k], *map(row.__getitem__, data_names)] if with_ids else [*map(row.__getitem__, names)]
            for index in json_columns:  # JSON as text; the server parses it into jsonb
                if values[index] is not None:
                    values[index] = orjson.dumps(values[index], default=str).decode()
            copy.write_row(values)
    return ids


def among(column, ids: list[int]):
    """``column IN ids`` for thousands of ids: one array parameter on PostgreSQL (``= ANY(:ids)``), so the
    statement text stays short (psycopg parses every placeholder of a long IN list); a plain IN on SQLite."""
    if db.session.connection().dialect.name == "postgresql":
        from sqlalchemy import Integer, any_, bindparam
        from sqlalchemy.dialects.postgresql import ARRAY

        return column == any_(bindparam(None, list(ids), type_=ARRAY(Integer)))
    return column.in_(list(ids))
