"""The buyer's pickup authorization: issue, show as QR, revoke, and verify at the gate.

The token is signed and expiring (``pickup_token``); the database row keeps its ``jti`` so
a revoked token is refused even though its signature is still good.
"""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

import segno
from flask_babel import gettext as _
from sqlalchemy import select, update

from server.audit.trail import record
from server.auth.principal import Principal
from server.extensions import db
from server.market import authorization_news, award_approval, pickup_approval
from server.market.assignment import live_award
from server.market.awarding import atomic
from server.market.pickup_token import (
    PickupClaims,
    TokenRefused,
    binding_mismatch,
    new_token_id,
    normalise_plate,
    sign,
    verify,
)
from server.market.refusals import MarketRefused
from server.models import Driver, Load, PickupAuthorization, Vehicle
from server.stops import authorization as stop_authorization

AUTHORIZABLE = frozenset({"awarded", "assigned", "authorized"})
AT_GATE = frozenset({"authorized", "at_pickup", "loading"})
MAX_VALID_HOURS = 24 * 7


def claims_of(row: PickupAuthorization) -> PickupClaims:
    return PickupClaims(jti=row.token_id, load_id=row.load_id, carrier_id=row.carrier_org_id,
                        driver_id=row.driver_id, plate=row.plate, exp=int(row.expires_at.timestamp()))


def token_for(row: PickupAuthorization, secret: str) -> str:
    """The signed token of a stored authorization (re-signed on demand; only its jti is stored)."""
    return sign(secret, claims_of(row))


def _plate_vehicle(carrier_id: int, plate: str) -> Vehicle | None:
    wanted = normalise_plate(plate)
    for vehicle in db.session.scalars(select(Vehicle).where(Vehicle.organisation_id == carrier_id,
                                                            Vehicle.active.is_(True))):
        if normalise_plate(vehicle.plate) == wanted:
            return vehicle
    return None


def issue(principal: Principal, load: Load, data: dict, now: datetime) -> PickupAuthorization:
    """The buyer authorizes the awarded carrier, a driver and a plate to collect the load (on a multi-drop load
    each buyer its own goods: the load is ``authorized`` once every buyer is, ``server.stops.authorization``)."""
    if not stop_authorization.authorizes(load, principal.organisation_id):
        raise MarketRefused("forbidden", "not_buyer", _("Only the load's buyer authorizes its pickup."))
    award = live_award(load.id)
    if load.status not in AUTHORIZABLE or award is None:
        raise MarketRefused("conflict", "not_awarded", _("A load that is %(status)s cannot be authorized.",
                                                         status=load.status))
    award_approval.refuse_while_held(award)
    carrier = data.get("carrier_id") or award.carrier_org_id
    if carrier != award.carrier_org_id:
        raise MarketRefused("invalid", "carrier_not_awarded", _("That carrier was not awarded this load."),
                            [("carrier_id", _("was not awarded this load"))])
    driver_id = data.get("driver_id") or load.driver_id
    plate = data.get("plate")
    if not plate and load.vehicle_id:
        plate = db.session.get(Vehicle, load.vehicle_id).plate
    errors = []
    driver = db.session.get(Driver, driver_id) if driver_id else None
    if driver_id is None:
        errors.append(("driver_id", _("is required until the carrier assigns a driver")))
    elif driver is None or driver.organisation_id != carrier or not driver.active:
        errors.append(("driver_id", _("is not an active driver of the awarded carrier")))
    if not plate:
        errors.append(("plate", _("is required until the carrier assigns a truck")))
    elif _plate_vehicle(carrier, plate) is None:
        errors.append(("plate", _("is not an active vehicle of the awarded carrier")))
    if errors:
        raise MarketRefused("invalid", "bad_authorization", _("The authorization cannot be issued."), errors)
    hours = data.get("valid_hours") or 24
    expires = datetime.fromtimestamp(int((now + timedelta(hours=min(hours, MAX_VALID_HOURS))).timestamp()), now.tzinfo)
    row = PickupAuthorization(load_id=load.id, buyer_org_id=principal.organisation_id, carrier_org_id=carrier,
                              driver_id=driver_id, plate=normalise_plate(plate), token_id=new_token_id(),
                              issued_by_user_id=principal.user_id, expires_at=expires, created_at=now)
    seen = load.status
    approval = pickup_approval.needed(load, principal.organisation_id)
    if approval is not None:
        row.approval_status = "pending"  # the load stays as it is until the chain approves
    with atomic():
        # one live authorization per load and buyer: a new one replaces the buyer's old one
        db.session.execute(update(PickupAuthorization).where(
            PickupAuthorization.load_id == load.id, PickupAuthorization.buyer_org_id == principal.organisation_id,
            PickupAuthorization.revoked_at.is_(None)).values(revoked_at=now)
            .execution_options(synchronize_session=False))
        others = [b for b in stop_authorization.awaiting(load) if b != principal.organisation_id]
        moved = db.session.execute(update(Load).where(Load.id == load.id, Load.status == seen)
                                   .values(status=seen if approval or others else "authorized")
                                   .execution_options(synchronize_session=False))
        if moved.rowcount != 1:
            raise MarketRefused("conflict", "load_changed", _("The load changed meanwhile; look again."))
        db.session.add(row)
        db.session.flush()
        if approval is not None:
            pickup_approval.request_approval(principal, row, load, *approval)
        record("pickup_authorization.issued", "pickup_authorization", row.id, principal=principal,
               counterparty_org_id=load.seller_org_id,
               after={"load_id": load.id, "carrier_id": carrier, "driver_id": driver_id, "plate": row.plate,
                      "approval_status": row.approval_status})
    db.session.refresh(load)
    authorization_news.issued(load, row)
    return row


def reissue(principal: Principal, row: PickupAuthorization, now: datetime) -> PickupAuthorization:
    """Re-authorize in one step: a new authorization like ``row`` (same validity) for the truck and driver
    the carrier has assigned now, replacing whatever is live."""
    if row.buyer_org_id != principal.organisation_id:
        raise MarketRefused("forbidden", "not_buyer", _("Only the buyer who issued it can re-issue it."))
    load = db.session.get(Load, row.load_id)
    if not (load.vehicle_id and load.driver_id):
        raise MarketRefused("conflict", "not_assigned",
                            _("The carrier has not assigned a truck and driver yet."))
    hours = max(0.1, min((row.expires_at - row.created_at).total_seconds() / 3600, MAX_VALID_HOURS)) \
        if row.created_at is not None else 24
    return issue(principal, load, {"valid_hours": hours}, now)


def revoke(principal: Principal, row: PickupAuthorization, now: datetime) -> PickupAuthorization:
    """The buyer withdraws an authorization; the load falls back to assigned (or awarded)."""
    if row.buyer_org_id != principal.organisation_id:
        raise MarketRefused("forbidden", "not_buyer", _("Only the buyer who issued it can revoke it."))
    if row.revoked_at is not None:
        raise MarketRefused("conflict", "already_revoked", _("This authorization is already revoked."))
    with atomic():
        db.session.execute(update(PickupAuthorization).where(PickupAuthorization.id == row.id)
                           .values(revoked_at=now).execution_options(synchronize_session=False))
        load = db.session.get(Load, row.load_id)
        live = db.session.scalar(select(PickupAuthorization.id).where(
            PickupAuthorization.load_id == load.id, PickupAuthorization.revoked_at.is_(None),
            PickupAuthorization.id != row.id))
        if load.status == "authorized" and (live is None or stop_authorization.awaiting(load)):
            load.status = "assigned" if load.vehicle_id and load.driver_id else "awarded"
        record("pickup_authorization.revoked", "pickup_authorization", row.id, principal=principal,
               counterparty_org_id=load.seller_org_id)
    db.session.refresh(row)
    authorization_news.withdrawn(load, [row], authorization_news.REVOKED_BY_BUYER, now)
    return row


@dataclass(frozen=True)
class Verdict:
    valid: bool
    reason: str | None = None
    detail: str = ""
    authorization_id: int | None = None
    load_id: int | None = None
    carrier_id: int | None = None
    driver_id: int | None = None
    plate: str | None = None
    expires_at: datetime | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def check_at_gate(principal: Principal, token: str, now: datetime, secret: str, load_id: int | None = None,
                  plate: str | None = None, driver_id: int | None = None) -> Verdict:
    """Valid, or refused with the reason: forged, expired, revoked, unknown, not_party, wrong_*, ..."""
    try:
        claims = verify(secret, token, now)
    except TokenRefused as exc:
        return Verdict(False, exc.reason, exc.detail)
    row = db.session.scalar(select(PickupAuthorization).where(PickupAuthorization.token_id == claims.jti))
    load = db.session.get(Load, claims.load_id) if row is not None else None
    if row is None or load is None or row.load_id != claims.load_id:
        return Verdict(False, "unknown", "No such authorization was issued.")
    if principal.organisation_id not in (load.seller_org_id, load.buyer_org_id, row.buyer_org_id, row.carrier_org_id):
        return Verdict(False, "not_party", "This authorization is for another organisation's load.")
    if row.revoked_at is not None:
        return Verdict(False, "revoked", f"The buyer revoked this authorization at {row.revoked_at.isoformat()}.")
    if row.approval_status in ("pending", "rejected"):
        return Verdict(False, "awaiting_approval" if row.approval_status == "pending" else "approval_rejected",
                       "This authorization awaits the buyer's approval." if row.approval_status == "pending"
                       else "The buyer's approver rejected this authorization.", row.id)
    mismatch = binding_mismatch(claims, load_id=load_id, plate=plate, driver_id=driver_id)
    if mismatch is not None:
        return Verdict(False, mismatch.reason, mismatch.detail)
    if load.carrier_org_id != claims.carrier_id:
        return Verdict(False, "carrier_not_awarded", "The carrier no longer holds the award for this load.")
    if load.status not in AT_GATE:
        missing = stop_authorization.awaiting(load) if load.status in AUTHORIZABLE else []
        if missing:  # a multi-drop load waits for every buyer; only its seller and carrier learn who
            names = stop_authorization.awaiting_names(load) if principal.organisation_id in (
                load.seller_org_id, load.carrier_org_id) else []
            return Verdict(False, "awaiting_authorization", "The pickup awaits the authorization of every buyer"
                           + (f": {', '.join(names)}." if names else "."), row.id)
        return Verdict(False, "load_not_ready", f"The load is {load.status}, not ready for pickup.")
    return Verdict(True, None, "Authorized for pickup.", row.id, row.load_id, row.carrier_org_id, row.driver_id,
                   row.plate, row.expires_at)


def qr(token: str, kind: str) -> bytes:
    """The token as a QR code: 'svg' for the driver app, 'png' for printing."""
    code = segno.make(token, error="m", micro=False)
    buffer = io.BytesIO()
    code.save(buffer, kind=kind, scale=4 if kind == "svg" else 6, border=4)
    return buffer.getvalue()
