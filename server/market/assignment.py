"""After the award: the carrier assigns its own truck and driver, or withdraws (and is scored for it)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select, update

from server.audit.trail import record
from server.auth.principal import Principal
from server.extensions import db
from server.local_times import utc_iso, zone
from server.market import authorization_news, award_approval, notify, scoring
from server.market.awarding import atomic
from server.market.fit import driver_reasons, vehicle_reasons
from server.market.pickup_token import normalise_plate
from server.market.refusals import MarketRefused
from server.market.states import CARRIER_CANCELLABLE, check
from server.models import Award, Driver, Load, PickupAuthorization, Site, Tender, Vehicle
from server.notify import shipment_notices


def live_award(load_id: int) -> Award | None:
    return db.session.scalar(select(Award).where(Award.load_id == load_id, Award.cancelled_at.is_(None)))


def awarded_carrier(principal: Principal, load: Load) -> None:
    if load.carrier_org_id != principal.organisation_id or principal.org_kind != "carrier":
        raise MarketRefused("forbidden", "not_awarded_carrier",
                            _("Only the carrier awarded this load can do that."))


def _vehicle_problems(load: Load, vehicle: Vehicle | None, carrier_id: int) -> list[tuple[str, str]]:
    if vehicle is None or vehicle.organisation_id != carrier_id:
        return [("vehicle_id", _("unknown vehicle"))]
    # One entry per reason, each a sentence in the caller's language (``fit``).
    return [("vehicle_id", reason.message) for reason in vehicle_reasons(load, vehicle)]


def _driver_problems(load: Load, driver: Driver | None, carrier_id: int) -> list[tuple[str, str]]:
    if driver is None or driver.organisation_id != carrier_id:
        return [("driver_id", _("unknown driver"))]
    return [("driver_id", reason.message) for reason in driver_reasons(load, driver)]


def live_authorizations(load_id: int) -> list[PickupAuthorization]:
    return list(db.session.scalars(select(PickupAuthorization).where(
        PickupAuthorization.load_id == load_id, PickupAuthorization.revoked_at.is_(None))))


def _revoke_live_authorizations(load_id: int, now: datetime) -> int:
    result = db.session.execute(update(PickupAuthorization).where(
        PickupAuthorization.load_id == load_id, PickupAuthorization.revoked_at.is_(None)).values(revoked_at=now)
        .execution_options(synchronize_session=False))
    return result.rowcount


def names_this_pair(row: PickupAuthorization, vehicle: Vehicle, driver_id: int) -> bool:
    """True when the authorization was issued for exactly this truck (by plate) and driver."""
    return row.driver_id == driver_id and normalise_plate(row.plate) == normalise_plate(vehicle.plate)


def assign(principal: Principal, load: Load, vehicle_id: int, driver_id: int, now: datetime) -> Load:
    """The awarded carrier puts one of its trucks and drivers on the load; the driver is told.

    The buyer's authorization names a plate and a driver: assigning exactly those keeps it (even
    when nothing was assigned before), any other truck or driver revokes it, and then the buyer,
    the seller and the drivers are told (``authorization_news``) so the buyer can re-authorize.
    """
    awarded_carrier(principal, load)
    check("load", load.status, "assigned")
    award_approval.refuse_while_held(live_award(load.id))
    carrier = principal.organisation_id
    vehicle, driver = db.session.get(Vehicle, vehicle_id), db.session.get(Driver, driver_id)
    errors = _vehicle_problems(load, vehicle, carrier) + _driver_problems(load, driver, carrier)
    if errors:
        raise MarketRefused("invalid", "bad_assignment", _("The truck or driver cannot take this load."), errors)
    previous_driver, previous_vehicle = load.driver_id, load.vehicle_id
    authorizations = live_authorizations(load.id)
    # Only the binding counts as a change: "nothing assigned" -> the authorized truck is not one.
    kept = bool(authorizations) and all(names_this_pair(row, vehicle, driver_id) for row in authorizations)
    seen_status = load.status
    with atomic():
        moved = db.session.execute(update(Load).where(Load.id == load.id, Load.status == seen_status,
                                                      Load.carrier_org_id == carrier)
                                   .values(status="authorized" if kept and seen_status == "authorized"
                                           else "assigned", vehicle_id=vehicle_id, driver_id=driver_id)
                                   .execution_options(synchronize_session=False))
        if moved.rowcount != 1:
            raise MarketRefused("conflict", "load_changed", _("The load changed meanwhile; look again."))
        withdrawn = [] if kept else authorizations
        if withdrawn:
            _revoke_live_authorizations(load.id, now)
    db.session.refresh(load)
    if withdrawn:
        authorization_news.withdrawn(load, withdrawn, authorization_news.TRUCK_OR_DRIVER_CHANGED, now,
                                     new_driver_id=driver_id, new_plate=vehicle.plate)
    if previous_driver is not None and previous_driver != driver_id:
        notify.tell_driver(previous_driver, "load_unassigned", {"load_id": load.id})
        shipment_notices.driver_unassigned(load, previous_driver)
    site = db.session.get(Site, load.pickup_site_id)
    assigned = {
        "load_id": load.id, "reference": load.reference, "vehicle_id": vehicle_id, "plate": vehicle.plate,
        "pickup_site_id": load.pickup_site_id, "delivery_site_id": load.delivery_site_id,
        "pickup_earliest": utc_iso(load.pickup_earliest), "pickup_latest": utc_iso(load.pickup_latest),
        "site_timezone": zone(site.timezone if site is not None else None).key}
    notify.tell_driver(driver_id, "load_assigned", assigned)
    if (previous_driver, previous_vehicle) != (driver_id, vehicle_id):  # the same pair again is no news
        shipment_notices.driver_assigned(load, driver_id, assigned)
    return load


def carrier_cancel(principal: Principal, award: Award, reason: str, now: datetime) -> Award:
    """The awarded carrier withdraws before pickup: scored as a cancellation, the load back to draft."""
    if award.carrier_org_id != principal.organisation_id:
        raise MarketRefused("forbidden", "not_awarded_carrier",
                            _("Only the awarded carrier can cancel its award."))
    if award.cancelled_at is not None:
        raise MarketRefused("conflict", "already_cancelled", _("This award is already cancelled."))
    load = db.session.get(Load, award.load_id)
    if load.status not in CARRIER_CANCELLABLE:
        raise MarketRefused("conflict", "illegal_transition",
                            _("A load that is %(status)s can no longer be given back by its carrier.",
                              status=load.status))
    check("load", load.status, "draft")
    driver = load.driver_id
    with atomic():
        gone = db.session.execute(update(Award).where(Award.id == award.id, Award.cancelled_at.is_(None))
                                  .values(cancelled_at=now).execution_options(synchronize_session=False))
        back = db.session.execute(update(Load).where(Load.id == load.id, Load.status.in_(CARRIER_CANCELLABLE),
                                                     Load.carrier_org_id == award.carrier_org_id)
                                  .values(status="draft", carrier_org_id=None, vehicle_id=None, driver_id=None,
                                          price=None).execution_options(synchronize_session=False))
        if gone.rowcount != 1 or back.rowcount != 1:
            raise MarketRefused("conflict", "load_changed", _("The load changed meanwhile; look again."))
        db.session.execute(update(Tender).where(Tender.id == award.tender_id, Tender.status == "awarded")
                           .values(status="cancelled", version=Tender.version + 1)
                           .execution_options(synchronize_session=False))
        withdrawn = live_authorizations(load.id)
        _revoke_live_authorizations(load.id, now)
        scoring.record(award.carrier_org_id, load.id, "cancelled", 1.0, now)
        record("award.cancelled", "award", award.id, principal=principal, counterparty_org_id=load.seller_org_id,
               after={"load_id": load.id, "tender_id": award.tender_id, "reason": reason})
    db.session.refresh(award)
    db.session.refresh(load)
    notify.award_cancelled(award, load, reason)
    authorization_news.withdrawn(load, withdrawn, authorization_news.AWARD_CANCELLED, now)
    notify.tell_driver(driver, "load_unassigned", {"load_id": load.id})
    shipment_notices.driver_unassigned(load, driver)
    return award
