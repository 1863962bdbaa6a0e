"""Typed results of the sign-in and pairing calls, parsed strictly from the server's JSON.

Loads, tenders and visits stay plain dicts: their shape is the server's to evolve and the
screens only display them. Sign-in and pairing feed the app's own machinery (tokens, MQTT),
so they are parsed here and a malformed answer becomes a ``BadResponse``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from driver_app.core.errors import BadResponse

_DEFAULT_PORTS = {"mqtt": 1883, "tcp": 1883, "mqtts": 8883, "ssl": 8883, "ws": 80, "wss": 443}


def _require(data: Any, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if not isinstance(data, dict) or key not in data or not isinstance(data[key], kind):
        raise BadResponse(detail=f"missing or invalid '{where}{key}' in the server's answer")
    return data[key]


@dataclass(frozen=True)
class User:
    id: str
    name: str
    organisation_id: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class AuthSession:
    """A signed-in user's bearer token."""

    token: str
    expires_at: str
    user: User

    @classmethod
    def from_json(cls, data: Any) -> AuthSession:
        user = _require(data, "user", dict, "")
        roles = _require(user, "roles", list, "user.")
        return cls(
            token=_require(data, "token", str, ""),
            expires_at=str(_require(data, "expires_at", (str, int, float), "")),
            user=User(
                id=str(_require(user, "id", (str, int), "user.")),
                name=_require(user, "name", str, "user."),
                organisation_id=str(_require(user, "organisation_id", (str, int), "user.")),
                roles=tuple(str(r) for r in roles),
            ),
        )


@dataclass(frozen=True)
class MqttSettings:
    """Where and as whom the device talks MQTT; ``url`` is mqtt://, mqtts://, ws:// or wss://."""

    url: str
    username: str
    password: str
    vehicle_id: str
    driver_id: str
    protocol: str = "5"  # "3.1.1" for brokers without MQTT 5, such as the demo's embedded one

    @classmethod
    def from_json(cls, data: Any) -> MqttSettings:
        protocol = data.get("protocol", "5") if isinstance(data, dict) else "5"
        if protocol not in ("5", "3.1.1"):
            raise BadResponse(detail=f"unsupported MQTT protocol {protocol!r}")
        settings = cls(
            url=_require(data, "url", str, "mqtt."),
            username=_require(data, "username", str, "mqtt."),
            password=_require(data, "password", str, "mqtt."),
            vehicle_id=str(_require(data, "vehicle_id", (str, int), "mqtt.")),
            driver_id=str(_require(data, "driver_id", (str, int), "mqtt.")),
            protocol=protocol,
        )
        settings.endpoint()  # fail now, not at connect time, on a URL we cannot use
        return settings

    def endpoint(self) -> tuple[str, int, bool, str, str]:
        """``(host, port, tls, transport, ws_path)`` parsed from ``url``."""
        parts = urlsplit(self.url)
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS or not parts.hostname:
            raise BadResponse(detail=f"unsupported MQTT URL {self.url!r}")
        try:
            port = parts.port or _DEFAULT_PORTS[scheme]
        except ValueError as exc:
            raise BadResponse(detail=f"bad port in MQTT URL {self.url!r}") from exc
        tls = scheme in ("mqtts", "ssl", "wss")
        transport = "websockets" if scheme in ("ws", "wss") else "tcp"
        return parts.hostname, port, tls, transport, parts.path or "/mqtt"


@dataclass(frozen=True)
class PairedDriver:
    """The driver a pairing code was made for (the day's "user" on a paired phone)."""

    id: str
    name: str
    organisation_id: str


@dataclass(frozen=True)
class DevicePairing:
    """The phone's own bearer token, its driver, and the MQTT settings when the server gives them
    (only for a pairing bound to a truck, on a server that names its broker)."""

    token: str
    expires_at: str
    driver: PairedDriver
    mqtt: MqttSettings | None

    @classmethod
    def from_json(cls, data: Any) -> DevicePairing:
        driver = _require(data, "driver", dict, "")
        mqtt = data.get("mqtt") if isinstance(data, dict) else None
        return cls(
            token=_require(data, "token", str, ""),
            expires_at=str(data.get("expires_at") or ""),
            driver=PairedDriver(
                id=str(_require(driver, "id", (str, int), "driver.")),
                name=_require(driver, "name", str, "driver."),
                organisation_id=str(data.get("organisation_id") or ""),
            ),
            mqtt=MqttSettings.from_json(mqtt) if mqtt is not None else None,
        )
