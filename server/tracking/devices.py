"""Device credentials: one per driver device, bound to a vehicle (and optionally a driver).

The secret is random, shown once, and stored as a Mosquitto ``$7$`` hash
(`server.broker.passwords`), so the broker's password file and the OsmAnd endpoint's HTTP Basic
check use the same column. The username is also the device's OsmAnd ``id`` and its OwnTracks
user.
"""

from __future__ import annotations

import base64
import binascii
import secrets

from sqlalchemy import select

from server.broker.passwords import hash_secret, new_secret, verify_secret
from server.db.types import utcnow
from server.extensions import db
from server.models import DeviceCredential


def create_credential(organisation_id: int, vehicle_id: int, driver_id: int | None = None,
                      username: str | None = None) -> tuple[str, DeviceCredential]:
    """A new credential; returns (plaintext secret, row). Not committed."""
    secret = new_secret()
    cred = DeviceCredential(organisation_id=organisation_id, vehicle_id=vehicle_id, driver_id=driver_id,
                            username=username or f"dev-{secrets.token_hex(6)}", secret_hash=hash_secret(secret))
    db.session.add(cred)
    db.session.flush()
    return secret, cred


def revoke(cred: DeviceCredential) -> None:
    if cred.revoked_at is None:
        cred.revoked_at = utcnow()


def dump_credential(cred: DeviceCredential, secret: str | None = None) -> dict:
    out = {"id": cred.id, "username": cred.username, "vehicle_id": cred.vehicle_id, "driver_id": cred.driver_id,
           "revoked_at": cred.revoked_at.isoformat() if cred.revoked_at else None,
           "topics": {"position": f"haul/v1/vehicles/{cred.vehicle_id}/position",
                      "inbox": f"haul/v1/drivers/{cred.driver_id}/inbox" if cred.driver_id else None}}
    if secret is not None:
        out["secret"] = secret
    return out


def basic_auth_device(header: str) -> str | None:
    """The username of a live device credential named by an HTTP Basic header, else None."""
    if not header.startswith("Basic "):
        return None
    try:
        username, _, secret = base64.b64decode(header[6:].strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    cred = db.session.scalar(select(DeviceCredential).where(DeviceCredential.username == username,
                                                            DeviceCredential.revoked_at.is_(None)))
    if cred is None or not verify_secret(secret, cred.secret_hash):
        return None
    return cred.username
