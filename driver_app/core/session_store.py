"""The signed-in session kept on the phone, so that a restart does not ask for a password or a new
pairing code (a dispatcher's code is single use: a forgotten pairing means a call to the office).

The file holds the server address, the bearer token and its expiry, who signed in and, for a paired
phone, the MQTT login. It lives in the app's private data folder and is written owner-only (0600);
the password is never kept. A missing, damaged or expired file means "signed out": the app must
start without it. A token the server has revoked since is found out by the first call (401), which
signs the app out and clears the file.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from driver_app.core.api_models import MqttSettings, PairedDriver, User

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SavedSession:
    server_url: str
    token: str
    expires_at: str
    who: User | PairedDriver
    mqtt: MqttSettings | None = None

    def expired(self, now: datetime) -> bool:
        try:
            moment = datetime.fromisoformat(self.expires_at.replace("Z", "+00:00"))
        except ValueError:
            return False  # an expiry we cannot read: let the server decide on the first call
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)) <= now

    def to_json(self) -> dict[str, Any]:
        kind = "user" if isinstance(self.who, User) else "driver"
        return {"server_url": self.server_url, "token": self.token, "expires_at": self.expires_at,
                "who": {"kind": kind, **asdict(self.who)}, "mqtt": asdict(self.mqtt) if self.mqtt else None}

    @classmethod
    def from_json(cls, data: Any) -> SavedSession:
        who = dict(data["who"])
        kind = who.pop("kind")
        person = User(**{**who, "roles": tuple(who["roles"])}) if kind == "user" else PairedDriver(**who)
        mqtt = MqttSettings.from_json(data["mqtt"]) if data.get("mqtt") else None
        return cls(str(data["server_url"]), str(data["token"]), str(data["expires_at"]), person, mqtt)


class SessionStore:
    """Reads, writes and forgets the `SavedSession` at ``path``."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def save(self, session: SavedSession) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(session.to_json(), out)
        tmp.replace(self.path)  # atomic: a crash never leaves half a session

    def load(self, now: datetime | None = None) -> SavedSession | None:
        try:
            session = SavedSession.from_json(json.loads(self.path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            return None
        except Exception as exc:  # damaged or from an older app: signed out, never a crash at start
            log.warning("saved session %s unreadable (%s); signed out", self.path, exc)
            self.clear()
            return None
        if session.expired(now or datetime.now(UTC)):
            self.clear()
            return None
        return session

    def clear(self) -> None:
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass
