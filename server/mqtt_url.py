"""Parsing ``mqtt://user:pass@host:port`` URLs for the broker settings."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit


@dataclass(frozen=True)
class MqttTarget:
    host: str
    port: int
    username: str | None
    password: str | None


def parse_mqtt_url(url: str) -> MqttTarget:
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "tcp"):
        raise ValueError(f"MQTT_URL must start with mqtt:// (got {url!r})")
    return MqttTarget(parts.hostname or "127.0.0.1", parts.port or 1883,
                      unquote(parts.username) if parts.username else None,
                      unquote(parts.password) if parts.password else None)
