"""Mosquitto password and ACL files generated from the device credentials in the database.

Each live `DeviceCredential` (not revoked, bound to a vehicle, hashed with
`server.broker.passwords.hash_secret`) becomes a broker user that may only

* publish to its own vehicle's topics: ``haul/v1/vehicles/<vehicle_id>/#`` (position, status),
* publish OwnTracks under its own name: ``owntracks/<username>/#``,
* read its driver's inbox: ``haul/v1/drivers/<driver_id>/inbox``.

Service users (the ingest workers and the server, which publishes to driver inboxes) are given
explicitly with their hashes. A device publishing on another vehicle's topic is refused by the
broker (MQTT 5 answers "not authorized"; 3.1.1 silently drops it), so it never reaches ingest.
Mosquitto re-reads both files on SIGHUP; `write_broker_files` writes them atomically.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine

from server.broker.passwords import is_mosquitto_hash

log = logging.getLogger(__name__)

SERVICE_ACL = (
    "topic read haul/v1/vehicles/#",
    "topic read owntracks/#",
    "topic write haul/v1/drivers/+/inbox",
)
_SAFE_USERNAME = re.compile(r"^[A-Za-z0-9._@-]{1,100}$")  # no spaces, colons, wildcards or slashes


@dataclass(frozen=True)
class BrokerUser:
    username: str
    secret_hash: str
    vehicle_id: int | None
    driver_id: int | None


def device_users(engine: Engine) -> list[BrokerUser]:
    """The live device credentials that the broker can check, in username order."""
    from server.models import DeviceCredential

    with engine.connect() as conn:
        rows = conn.execute(select(DeviceCredential.username, DeviceCredential.secret_hash,
                                   DeviceCredential.vehicle_id, DeviceCredential.driver_id)
                            .where(DeviceCredential.revoked_at.is_(None)).order_by(DeviceCredential.username))
        users = []
        for username, secret_hash, vehicle_id, driver_id in rows:
            if not _SAFE_USERNAME.match(username) or not is_mosquitto_hash(secret_hash):
                log.warning("device credential %r cannot be used by the broker; skipped", username)
                continue
            users.append(BrokerUser(username, secret_hash, vehicle_id, driver_id))
    return users


def password_file(devices: Iterable[BrokerUser], services: Mapping[str, str]) -> str:
    """The Mosquitto password file: service users first, then devices."""
    lines = [f"{name}:{secret_hash}" for name, secret_hash in sorted(services.items())]
    lines += [f"{u.username}:{u.secret_hash}" for u in devices if u.username not in services]
    return "\n".join(lines) + "\n"


def acl_file(devices: Iterable[BrokerUser], services: Iterable[str]) -> str:
    """The Mosquitto ACL file: what each user may publish and read."""
    blocks = []
    for name in sorted(set(services)):
        blocks.append("\n".join([f"user {name}", *SERVICE_ACL]))
    for u in devices:
        lines = [f"user {u.username}", f"topic write owntracks/{u.username}/#"]
        if u.vehicle_id is not None:
            lines.append(f"topic write haul/v1/vehicles/{u.vehicle_id}/#")
        if u.driver_id is not None:
            lines.append(f"topic read haul/v1/drivers/{u.driver_id}/inbox")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def write_broker_files(engine: Engine, directory: Path, services: Mapping[str, str]) -> tuple[Path, Path]:
    """Write ``passwd`` and ``acl`` into ``directory``; returns their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    devices = device_users(engine)
    passwd, acl = directory / "passwd", directory / "acl"
    _write_atomic(passwd, password_file(devices, services))
    _write_atomic(acl, acl_file(devices, services))
    log.info("broker files for %d device(s) and %d service user(s) written to %s",
             len(devices), len(services), directory)
    return passwd, acl
