"""Device pairing: a dispatcher makes a code for a driver; the driver's phone trades it, once, for
the app token (and, with a truck, a device credential and the MQTT settings).

The trade is a conditional ``UPDATE ... WHERE paired_at IS NULL AND cancelled_at IS NULL AND
expires_at > now``: of two phones racing with one code exactly one updates the row, on both
backends. Every refusal is an `ApiProblem` with a ``reason`` (``unknown_code``, ``expired``,
``cancelled``, ``used``, ``too_many_attempts``), so it is counted in ``errors.refused_requests``
like every other refused request, and the app can say what happened in the driver's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from server.auth.principal import Principal, issue_token
from server.auth.scoping import get_scoped_or_404
from server.broker.sessions import cut_off
from server.db.types import utcnow
from server.errors import ApiProblem
from server.extensions import db
from server.models import ApiToken, DeviceCredential, DevicePairing, Driver, Vehicle
from server.tracking import devices
from server.tracking.failure_brake import FailureBrake
from server.tracking.pairing_codes import code_hash, new_code, normalise, pair_url, qr_svg

DEFAULT_TTL = timedelta(minutes=15)


@dataclass(frozen=True)
class NewPairing:
    row: DevicePairing
    code: str  # shown once, never stored
    pair_url: str
    qr_svg: str


def _hash(code: str) -> str:
    return code_hash(current_app.config["SECRET_KEY"], code)


def create(principal: Principal, driver_id: int, vehicle_id: int | None, ttl: timedelta,
           server_url: str) -> NewPairing:
    """A pending code for the organisation's driver (404 for anyone else's driver or truck).

    The driver's older pending codes are cancelled: one live code per driver keeps the number
    of guessable codes as small as the number of phones being paired right now.
    """
    driver = get_scoped_or_404(Driver, driver_id, principal)
    vehicle = get_scoped_or_404(Vehicle, vehicle_id, principal) if vehicle_id is not None else None
    inactive = [(name, _("is not active")) for name, row in (("driver_id", driver), ("vehicle_id", vehicle))
                if row is not None and not row.active]
    if inactive:
        raise ApiProblem(422, _("Some fields are invalid."), inactive)
    now = utcnow()
    db.session.execute(update(DevicePairing).where(
        DevicePairing.driver_id == driver.id, DevicePairing.paired_at.is_(None),
        DevicePairing.cancelled_at.is_(None), DevicePairing.expires_at > now).values(cancelled_at=now))
    code = new_code()
    row = DevicePairing(organisation_id=principal.organisation_id, driver_id=driver.id,
                        vehicle_id=vehicle.id if vehicle else None, created_by_user_id=principal.user_id,
                        code_hash=_hash(normalise(code)), expires_at=now + ttl)
    db.session.add(row)
    db.session.commit()
    url = pair_url(server_url, code)
    return NewPairing(row, code, url, qr_svg(url))


def _brake() -> FailureBrake:
    return current_app.extensions.setdefault("haul_pairing_brake", FailureBrake())


def _refuse(address: str, status: int, reason: str, detail: str):
    _brake().failed(address)
    raise ApiProblem(status, detail, reason=reason)


def redeem(text: str, device_name: str, address: str) -> dict:
    """Trade a code for the device's token and credentials (the answer of ``POST /devices/pair``)."""
    wait = _brake().retry_after(address)
    if wait:
        raise ApiProblem(429, _("Too many wrong pairing codes from this address; try again in %(wait)s s.",
                                wait=wait),
                         reason="too_many_attempts", retry_after=wait)
    code = normalise(text)
    row = db.session.scalar(select(DevicePairing).where(DevicePairing.code_hash == _hash(code))) if code else None
    if row is None:
        _refuse(address, 404, "unknown_code",
                _("This pairing code is not known. Check it, or ask for a new one."))
    now = utcnow()
    won = db.session.execute(update(DevicePairing).where(
        DevicePairing.id == row.id, DevicePairing.paired_at.is_(None), DevicePairing.cancelled_at.is_(None),
        DevicePairing.expires_at > now).values(paired_at=now, device_name=device_name)).rowcount == 1
    if not won:
        db.session.rollback()
        _refuse_spent(address, db.session.get(DevicePairing, row.id), now)
    return _issue(row, device_name)


def _refuse_spent(address: str, row: DevicePairing, now: datetime):
    status = row.status(now)
    if status == "paired":
        _refuse(address, 409, "used", _("This pairing code was already used. Ask for a new one."))
    if status == "cancelled":
        _refuse(address, 410, "cancelled",
                _("This pairing code was replaced or withdrawn. Ask for a new one."))
    _refuse(address, 410, "expired", _("This pairing code has expired. Ask for a new one."))


def _issue(row: DevicePairing, device_name: str) -> dict:
    config = current_app.config
    driver = db.session.get(Driver, row.driver_id)
    # The phone acts for the driver only: never the linked user's other roles (a dispatcher who
    # also drives keeps those on the dashboard, not on a phone that may be lost).
    token, token_row = issue_token(row.organisation_id, f"device {device_name} of {driver.name}"[:200],
                                   ["driver"], user_id=driver.user_id, kind="device",
                                   ttl=timedelta(days=config.get("DEVICE_TOKEN_TTL_DAYS", 30)))
    row.api_token_id = token_row.id
    secret = cred = None
    if row.vehicle_id is not None:
        secret, cred = devices.create_credential(row.organisation_id, row.vehicle_id, driver.id)
        row.device_credential_id = cred.id
    db.session.commit()
    vehicle = db.session.get(Vehicle, row.vehicle_id) if row.vehicle_id else None
    mqtt = None
    if cred is not None and config.get("DEVICE_MQTT_URL"):
        mqtt = {"url": config["DEVICE_MQTT_URL"], "protocol": config.get("DEVICE_MQTT_PROTOCOL", "5"),
                "username": cred.username, "password": secret,
                "vehicle_id": cred.vehicle_id, "driver_id": driver.id,
                "topics": devices.dump_credential(cred)["topics"]}
    return {"token": token, "expires_at": token_row.expires_at, "organisation_id": row.organisation_id,
            "driver": {"id": driver.id, "name": driver.name, "user_id": driver.user_id},
            "vehicle": {"id": vehicle.id, "plate": vehicle.plate} if vehicle else None,
            "device": devices.dump_credential(cred, secret) if cred is not None else None, "mqtt": mqtt}


def unpair(row: DevicePairing) -> None:
    """Withdraw a pending code, or sign a paired phone out: its token and device login are revoked."""
    now = utcnow()
    if row.paired_at is None:
        row.cancelled_at = row.cancelled_at or now
    if row.api_token_id is not None:
        token = db.session.get(ApiToken, row.api_token_id)
        token.revoked_at = token.revoked_at or now
    cred = db.session.get(DeviceCredential, row.device_credential_id) if row.device_credential_id else None
    if cred is not None:
        devices.revoke(cred)
    db.session.commit()
    if cred is not None:
        cut_off(current_app.config.get("BROKER_MANAGEMENT_URL", ""), [cred.username])


def dump(row: DevicePairing, now: datetime | None = None) -> dict:
    return {"id": row.id, "driver_id": row.driver_id, "vehicle_id": row.vehicle_id, "expires_at": row.expires_at,
            "status": row.status(now or utcnow()), "paired_at": row.paired_at, "device_name": row.device_name,
            "created_at": row.created_at}
