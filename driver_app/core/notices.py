"""Every notice the app raised, kept on the phone: the driver's "Messages" list (Kivy-free).

The notice line at the top of a screen shows only the latest change; this list keeps them all:
inbox messages (a slot moved, an authorization withdrawn, ...) and the server's in-app
notifications for the driver's user. Each entry has the time it was received (or, for a server
notification, created), its text, the load it concerns and whether the driver has seen it.
Inbox texts are kept as ``Msg`` (id and parameters) so they are translated when shown, in
whatever language the driver reads then; the server words its own notifications, so those are
kept as its text and re-worded each time they are fetched again.

The list lives in the app's SQLite file, so it survives a restart. It keeps the newest
``cap`` entries, and one server notification is one entry however often it is fetched.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from driver_app.core.i18n import Msg
from driver_app.core.sqlite_db import SqliteFile

log = logging.getLogger(__name__)

DEFAULT_CAP = 100

_SCHEMA = """
CREATE TABLE IF NOT EXISTS notices (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    received_at REAL NOT NULL,
    text TEXT NOT NULL,
    load_id TEXT,
    zone TEXT,
    read INTEGER NOT NULL DEFAULT 0,
    server_id INTEGER
)
"""
_COLUMNS = "seq, key, received_at, text, load_id, zone, read, server_id"


@dataclass(frozen=True)
class Notice:
    """One entry of the list; ``text`` is a ``Msg`` (translated when shown) or the server's words."""

    key: str
    received_at: float  # seconds since the epoch (UTC)
    text: Msg | str
    load_id: str | None = None
    zone: str | None = None  # the site's IANA zone when known, for showing the time on the plant's clock
    read: bool = False
    server_id: int | None = None


def _dump_text(text: Msg | str) -> str:
    if isinstance(text, Msg):
        return json.dumps({"msgid": text.msgid, "params": dict(text.params), "plural_id": text.plural_id,
                           "n": text.n}, default=str, ensure_ascii=False)
    return json.dumps({"text": str(text)}, ensure_ascii=False)


def _load_text(stored: str) -> Msg | str:
    try:
        data = json.loads(stored)
    except ValueError:
        return stored
    if not isinstance(data, dict):
        return str(data)
    if "msgid" in data:
        # A plural's count is also among its parameters (``{n}``), as ``Msg.plural`` made it.
        return Msg(str(data["msgid"]), data.get("plural_id"), data.get("n"), **(data.get("params") or {}))
    return str(data.get("text", ""))


def _epoch(iso: Any) -> float | None:
    """Seconds since the epoch of the server's ISO time (None when missing or unreadable)."""
    if not isinstance(iso, str) or not iso:
        return None
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.timestamp() if moment.tzinfo is not None else None


class NoticeList:
    """The driver's notices in the phone's SQLite file (``path`` or an open ``SqliteFile``)."""

    def __init__(self, db: SqliteFile | str | Path, cap: int = DEFAULT_CAP,
                 clock: Callable[[], float] = time.time):
        self.db = db if isinstance(db, SqliteFile) else SqliteFile(db)
        self.cap = cap
        self.clock = clock
        self._observers: list[Callable[[NoticeList], None]] = []
        self._lock = threading.Lock()
        self.db.execute(_SCHEMA)

    # -- observers -------------------------------------------------------------------------

    def subscribe(self, observer: Callable[[NoticeList], None]) -> None:
        """Call ``observer(notices)`` after every change, on the thread that made it."""
        with self._lock:
            self._observers.append(observer)

    def _changed(self) -> None:
        for observer in list(self._observers):
            try:
                observer(self)
            except Exception:  # a broken screen must not stop the inbox
                log.exception("notice observer failed")

    # -- adding ----------------------------------------------------------------------------

    def add(self, text: Msg | str, load_id: Any = None, zone: str | None = None, key: str | None = None) -> bool:
        """Keep a notice raised on the phone now (an inbox message); False when ``key`` is already kept
        (the broker delivering the same message twice)."""
        key = key or f"local:{uuid.uuid4().hex}"
        added = self._insert(Notice(key, self.clock(), text, _text_id(load_id), zone or None))
        if added:
            self._trim()
            self._changed()
        return added

    def merge_server(self, items: Iterable[dict[str, Any]]) -> int:
        """Keep the server's notifications (its ``GET /notifications`` items); returns how many were new.

        Fetched again, a notification keeps its one entry: its words follow the server's (the language
        may have changed) and it turns read when the server says so, never back to unread."""
        new = 0
        with self.db.lock:
            for item in items:
                server_id = item.get("id")
                if not isinstance(server_id, int) or isinstance(server_id, bool):
                    continue
                title = str(item.get("title") or item.get("kind") or "")
                is_read = item.get("read_at") is not None
                key = f"server:{server_id}"
                data = item.get("data") if isinstance(item.get("data"), dict) else {}
                notice = Notice(key, _epoch(item.get("created_at")) or self.clock(), title,
                                _text_id(item.get("load_id")), _site_zone(data), is_read, server_id)
                if self._insert(notice):
                    new += 1
                else:
                    self.db.execute("UPDATE notices SET text = ?, read = MAX(read, ?) WHERE key = ?",
                                    (_dump_text(title), int(is_read), key))
            self._trim()
        self._changed()
        return new

    def _insert(self, notice: Notice) -> bool:
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO notices (key, received_at, text, load_id, zone, read, server_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (notice.key, notice.received_at, _dump_text(notice.text), notice.load_id, notice.zone,
             int(notice.read), notice.server_id))
        return cursor.rowcount == 1

    def _trim(self) -> None:
        self.db.execute(f"DELETE FROM notices WHERE seq NOT IN (SELECT seq FROM notices {_NEWEST} LIMIT ?)",
                        (self.cap,))

    # -- reading ---------------------------------------------------------------------------

    def items(self) -> list[Notice]:
        """The kept notices, newest first."""
        rows = self.db.execute(f"SELECT {_COLUMNS} FROM notices {_NEWEST}").fetchall()
        return [Notice(key, received_at, _load_text(text), load_id, zone, bool(read), server_id)
                for _seq, key, received_at, text, load_id, zone, read, server_id in rows]

    def unread_count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM notices WHERE read = 0").fetchone()[0])

    # -- marking ---------------------------------------------------------------------------

    def mark_all_read(self) -> list[int]:
        """The driver opened the list: all are read. Returns the server ids that were unread, to tell
        the server."""
        with self.db.lock:
            ids = [row[0] for row in self.db.execute(
                "SELECT server_id FROM notices WHERE read = 0 AND server_id IS NOT NULL ORDER BY seq")]
            changed = self.db.execute("UPDATE notices SET read = 1 WHERE read = 0").rowcount
        if changed:
            self._changed()
        return ids

    def clear(self) -> None:
        """Forget every notice (the driver signed out: the next driver of this phone must not read them)."""
        self.db.execute("DELETE FROM notices")
        self._changed()


# Newest first; the insertion order breaks ties (two inbox messages in the same instant).
_NEWEST = "ORDER BY received_at DESC, seq DESC"


def _site_zone(data: dict[str, Any]) -> str | None:
    """The plant's zone a server notification names: its own, the site's (``site_timezone``, as the driver's
    rows of an authorization or an assignment carry it), or its slot's."""
    slot = data.get("appointment") if isinstance(data.get("appointment"), dict) else {}
    for zone in (data.get("timezone"), data.get("site_timezone"), slot.get("timezone")):
        if isinstance(zone, str) and zone:
            return zone
    return None


def _text_id(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)
