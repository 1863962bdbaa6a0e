"""Device credentials: one per driver device, bound to a vehicle (and optionally a driver).

A login has a username (not a secret: it is listed to the carrier and may be logged) and a
random secret, shown once and stored as a Mosquitto ``$7$`` hash (`server.broker.passwords`), so
the broker's password file and the HTTP Basic check of the position endpoints use one column.
The username is also the device's OwnTracks user; ``owntracks_device`` names the OwnTracks
DeviceID it publishes as.

A login may also have an **HTTP device id**: a random id that is itself a secret, for apps that
can send nothing but an id (Traccar Client's "device identifier", OsmAnd's ``id=`` in its URL).
It is shown once; only its SHA-256 (the lookup key, unique, so a request finds its login with one
index lookup) and its first `HTTP_ID_PREFIX` characters (to tell ids apart in lists and logs) are
stored. Rotating it replaces the old one at once.
"""

from __future__ import annotations

import secrets

from server.auth.principal import hash_token
from server.broker.passwords import hash_secret, new_secret
from server.db.types import utcnow
from server.extensions import db
from server.models import DeviceCredential

HTTP_ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford's base 32, lower case: easy to type
HTTP_ID_LENGTH = 26  # 130 random bits
HTTP_ID_PREFIX = 6


def create_credential(organisation_id: int, vehicle_id: int, driver_id: int | None = None,
                      username: str | None = None,
                      owntracks_device: str | None = None) -> tuple[str, DeviceCredential]:
    """A new credential; returns (plaintext secret, row). Not committed."""
    secret = new_secret()
    cred = DeviceCredential(organisation_id=organisation_id, vehicle_id=vehicle_id, driver_id=driver_id,
                            username=username or f"dev-{secrets.token_hex(6)}", secret_hash=hash_secret(secret),
                            owntracks_device=owntracks_device)
    db.session.add(cred)
    db.session.flush()
    return secret, cred


def new_http_id(cred: DeviceCredential) -> str:
    """Give ``cred`` a fresh HTTP device id (the old one stops working); returns it. Not committed."""
    http_id = "".join(secrets.choice(HTTP_ID_ALPHABET) for _ in range(HTTP_ID_LENGTH))
    cred.http_id_hash = http_id_hash(http_id)
    cred.http_id_prefix = http_id[:HTTP_ID_PREFIX]
    return http_id


def drop_http_id(cred: DeviceCredential) -> None:
    """The login keeps working with its secret (HTTP Basic, MQTT), no longer with an HTTP id."""
    cred.http_id_hash = cred.http_id_prefix = None


def http_id_hash(http_id: str) -> str:
    """What is stored of (and looked up for) an HTTP device id."""
    return hash_token(http_id)


def shown_prefix(http_id: str) -> str:
    """What logs may show of an id a request sent (which may or may not be a live one)."""
    return http_id[:HTTP_ID_PREFIX] + "..."


def revoke(cred: DeviceCredential) -> None:
    if cred.revoked_at is None:
        cred.revoked_at = utcnow()


def dump_credential(cred: DeviceCredential, secret: str | None = None, http_id: str | None = None) -> dict:
    out = {"id": cred.id, "username": cred.username, "vehicle_id": cred.vehicle_id, "driver_id": cred.driver_id,
           "revoked_at": cred.revoked_at.isoformat() if cred.revoked_at else None,
           "suspended_at": cred.suspended_at.isoformat() if cred.suspended_at else None,
           "suspended_reason": cred.suspended_reason,
           "owntracks_device": cred.owntracks_device,
           "http_id_prefix": cred.http_id_prefix,
           "topics": {"position": f"haul/v1/vehicles/{cred.vehicle_id}/position",
                      "inbox": f"haul/v1/drivers/{cred.driver_id}/inbox" if cred.driver_id else None,
                      "owntracks": f"owntracks/{cred.username}/{cred.owntracks_device}"
                      if cred.owntracks_device else None}}
    if secret is not None:
        out["secret"] = secret
    if http_id is not None:
        out["http_id"] = http_id
    return out
