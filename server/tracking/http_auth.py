"""Who sent an HTTP position: every request to the position endpoints is authenticated first.

A request proves it comes from a live device login on an active vehicle in one of two ways:

* **HTTP Basic** with the login's username and secret (OwnTracks' HTTP mode, curl, trackers that
  can). If it also names an OsmAnd ``id``, that id must be the login's username or its HTTP id;
  another login's id is refused (`Mismatch`, 403), so a device cannot post as another.
* **an HTTP device id** as the OsmAnd ``id`` (``deviceid``, JSON ``device_id``): the id itself is
  the secret (`server.tracking.devices`); Traccar Client can send nothing else.

Anything else is `Unauthenticated` (401): no credentials, a username as ``id`` (usernames are no
secrets), a wrong secret, an unknown id, a revoked or suspended login or a deactivated truck. Nothing is cached:
every request reads the login (one indexed query), so a revocation or a new login counts from
the next request on. What reaches the logs of a refused id is its first characters only.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from server.broker.passwords import verify_secret
from server.extensions import db
from server.models import DeviceCredential, Vehicle
from server.tracking.devices import http_id_hash, shown_prefix


@dataclass(frozen=True)
class DeviceLogin:
    """The live login a request authenticated as."""

    username: str
    vehicle_id: int
    owntracks_device: str | None


class Unauthenticated(Exception):
    """The request does not prove a live device login (401); ``log_detail`` is safe to log."""

    def __init__(self, detail: str, log_detail: str):
        super().__init__(detail)
        self.detail = detail
        self.log_detail = log_detail


class Mismatch(Exception):
    """Authenticated, but the request names another device than the one it authenticated as (403)."""


_LIVE = (select(DeviceCredential.username, DeviceCredential.vehicle_id, DeviceCredential.owntracks_device,
                DeviceCredential.secret_hash, DeviceCredential.http_id_hash)
         .join(Vehicle, Vehicle.id == DeviceCredential.vehicle_id)
         .where(DeviceCredential.revoked_at.is_(None), DeviceCredential.suspended_at.is_(None),
                Vehicle.active.is_(True)))


def authenticate(authorization: str, claimed_id: str | None) -> DeviceLogin:
    """The login behind a request's ``Authorization`` header, or else the ``id`` it names."""
    if authorization:
        return _basic(authorization, claimed_id)
    if claimed_id is None:
        raise Unauthenticated(_("Device credentials are required: HTTP Basic with the device's username and "
                                "secret, or the device's HTTP id as id."), "no credentials")
    row = db.session.execute(_LIVE.where(DeviceCredential.http_id_hash == http_id_hash(claimed_id))).first()
    if row is None:
        raise Unauthenticated(_("Unknown device id: use the device's HTTP id (shown once when it was made), "
                                "not its username."), f"id {shown_prefix(claimed_id)}")
    return DeviceLogin(row.username, row.vehicle_id, row.owntracks_device)


def _basic(authorization: str, claimed_id: str | None) -> DeviceLogin:
    scheme, _space, encoded = authorization.partition(" ")
    if scheme.lower() != "basic":
        raise Unauthenticated(_("Only HTTP Basic authentication is accepted here."), f"scheme {scheme[:10]!r}")
    try:
        username, _colon, secret = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise Unauthenticated(_("Malformed HTTP Basic credentials."), "malformed basic header") from None
    row = db.session.execute(_LIVE.where(DeviceCredential.username == username)).first()
    if row is None or not verify_secret(secret, row.secret_hash):
        raise Unauthenticated(_("Unknown device or wrong secret."), f"basic user {username[:40]!r}")
    if claimed_id is not None and claimed_id != row.username and not (
            row.http_id_hash and hmac.compare_digest(http_id_hash(claimed_id), row.http_id_hash)):
        raise Mismatch(f"basic user {row.username!r} named id {shown_prefix(claimed_id)}")
    return DeviceLogin(row.username, row.vehicle_id, row.owntracks_device)
