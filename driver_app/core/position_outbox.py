"""The store-and-forward queue of positions, on disk.

Every accepted fix is appended with a sequence number (``AUTOINCREMENT``: increasing and
never reused on this device, also across restarts). Rows leave the table only through
``delete`` when the broker has acknowledged them, so nothing is lost to a dead network, a
killed app or a flat battery. Reads are paged (``oldest``), so a week of backlog costs disk,
never memory. There is no eviction: disk is the bound, and one fix is about 100 bytes.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path

from driver_app.core.positions import Fix, Position
from driver_app.core.sqlite_db import SqliteFile

_SCHEMA = """
CREATE TABLE IF NOT EXISTS positions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    t_ms INTEGER NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    speed REAL,
    heading REAL,
    acc REAL,
    batt REAL
);
CREATE INDEX IF NOT EXISTS positions_time ON positions (t_ms, seq);
"""

_COLUMNS = "seq, t_ms, lat, lon, speed, heading, acc, batt"


class PositionOutbox:
    """Positions waiting for a broker acknowledgement, in an SQLite file at ``path``."""

    def __init__(self, path: str | Path | SqliteFile):
        self.db = path if isinstance(path, SqliteFile) else SqliteFile(path)
        with self.db.lock:
            self.db.conn.executescript(_SCHEMA)

    def append(self, fix: Fix) -> Position:
        """Store a fix durably and return it with its sequence number."""
        cursor = self.db.execute(
            "INSERT INTO positions (t_ms, lat, lon, speed, heading, acc, batt) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (fix.t_ms, fix.lat, fix.lon, fix.speed, fix.heading, fix.acc, fix.batt),
        )
        return Position(int(cursor.lastrowid), fix)

    def oldest(self, limit: int, exclude: Collection[int] = ()) -> list[Position]:
        """Up to ``limit`` positions in time order (then sequence), skipping ``exclude`` seqs."""
        if limit <= 0:
            return []
        excluded = sorted(exclude)
        where = ""
        if excluded:
            where = f"WHERE seq NOT IN ({','.join('?' * len(excluded))})"
        rows = self.db.execute(
            f"SELECT {_COLUMNS} FROM positions {where} ORDER BY t_ms, seq LIMIT ?",
            (*excluded, limit),
        ).fetchall()
        return [Position(row[0], Fix(*row[1:])) for row in rows]

    def delete(self, seqs: Iterable[int]) -> int:
        """Remove acknowledged positions; returns how many rows went."""
        seqs = list(seqs)
        if not seqs:
            return 0
        with self.db.lock:
            cursor = self.db.conn.execute(
                f"DELETE FROM positions WHERE seq IN ({','.join('?' * len(seqs))})", seqs
            )
            return cursor.rowcount

    def count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM positions").fetchone()[0])

    def close(self) -> None:
        self.db.close()
