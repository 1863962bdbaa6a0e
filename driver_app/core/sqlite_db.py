"""Opening the on-device SQLite file the outboxes keep their queues in.

WAL journaling lets the GPS thread append while the MQTT thread deletes acknowledged rows;
``synchronous=FULL`` makes each committed row survive a crash or power cut, which is the
point of an outbox (one fsync per fix every few seconds is cheap).
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path


class SqliteFile:
    """One connection shared by threads, serialised by a lock (``with db.lock: db.conn...``)."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=10)
        self.lock = threading.RLock()
        with self.lock:
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=FULL")

    def execute(self, sql: str, params: tuple | list = ()) -> sqlite3.Cursor:
        with self.lock:
            return self.conn.execute(sql, params)

    def close(self) -> None:
        with self.lock:
            self.conn.close()
