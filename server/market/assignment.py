"""After the award: the carrier assigns its own truck and driver, or withdraws (and is scored for it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, exists, select, update

from server.auth.principal import Principal
from server.extensions import db
from server.market import award_approval, notify, scoring
from server.market.audience import load_view
from server.market.awarding import atomic
from server.market.qualification import Truck, shortfalls
from server.market.refusals import MarketRefused
from server.market.states import BUSY_LOAD_STATES, CARRIER_CANCELLABLE, check
from server.models import Award, Driver, Load, PickupAuthorization, Tender, Vehicle, VehicleType


def live_award(load_id: int) -> Award | None:
    return db.session.scalar(select(Award).where(Award.load_id == load_id, Award.cancelled_at.is_(None)))


def _awarded_carrier(principal: Principal, load: Load) -> None:
    if load.carrier_org_id != principal.organisation_id or principal.org_kind != "carrier":
        raise MarketRefused("forbidden", "not_awarded_carrier", "Only the carrier awarded this load can do that.")


def _vehicle_problems(load: Load, vehicle: Vehicle | None, carrier_id: int) -> list[tuple[str, str]]:
    if vehicle is None or vehicle.organisation_id != carrier_id:
        return [("vehicle_id", "unknown vehicle")]
    if not vehicle.active:
        return [("vehicle_id", "the vehicle is not active")]
    vtype = db.session.get(VehicleType, vehicle.vehicle_type_id)
    truck = Truck(vehicle.id, carrier_id, tuple(vtype.equipment or ()), vtype.max_weight_kg, vtype.max_volume_m3,
                  vtype.pallet_positions, vehicle.hazmat_certified)
    errors = [("vehicle_id", f"lacks {gap}") for gap in shortfalls(load_view(load).needs, truck)]
    busy = db.session.scalar(select(exists().where(and_(
        Load.vehicle_id == vehicle.id, Load.id != load.id, Load.status.in_(BUSY_LOAD_STATES)))))
    if busy:
        errors.append(("vehicle_id", "the vehicle is busy on another load"))
    return errors


def _driver_problems(load: Load, driver: Driver | None, carrier_id: int) -> list[tuple[str, str]]:
    if driver is None or driver.organisation_id != carrier_id:
        return [("driver_id", "unknown driver")]
    if not driver.active:
        return [("driver_id", "the driver is not active")]
    if load.hazmat_classes and not driver.hazmat_certified:
        return [("driver_id", "the load is hazardous and the driver has no hazmat certification")]
    return []


def _revoke_live_authorizations(load_id: int, now: datetime) -> int:
    result = db.session.execute(update(PickupAuthorization).where(
        PickupAuthorization.load_id == load_id, PickupAuthorization.revoked_at.is_(None)).values(revoked_at=now)
        .execution_options(synchronize_session=False))
    return result.rowcount


def assign(principal: Principal, load: Load, vehicle_id: int, driver_id: int, now: datetime) -> Load:
    """The awarded carrier puts one of its trucks and drivers on the load; the driver is told.

    Changing the truck or driver after the buyer authorized the pickup revokes that
    authorization: it named the old plate and driver.
    """
    _awarded_carrier(principal, load)
    check("load", load.status, "assigned")
    award_approval.refuse_while_held(live_award(load.id))
    carrier = principal.organisation_id
    vehicle, driver = db.session.get(Vehicle, vehicle_id), db.session.get(Driver, driver_id)
    errors = _vehicle_problems(load, vehicle, carrier) + _driver_problems(load, driver, carrier)
    if errors:
        raise MarketRefused("invalid", "bad_assignment", "The truck or driver cannot take this load.", errors)
    previous_driver = load.driver_id
    changed = (load.vehicle_id, load.driver_id) != (vehicle_id, driver_id)
    seen_status = load.status
    with atomic():
        moved = db.session.execute(update(Load).where(Load.id == load.id, Load.status == seen_status,
                                                      Load.carrier_org_id == carrier)
                                   .values(status="assigned" if changed or seen_status != "authorized"
                                           else "authorized", vehicle_id=vehicle_id, driver_id=driver_id)
                                   .execution_options(synchronize_session=False))
        if moved.rowcount != 1:
            raise MarketRefused("conflict", "load_changed", "The load changed meanwhile; look again.")
        if changed:
            _revoke_live_authorizations(load.id, now)
    db.session.refresh(load)
    if previous_driver is not None and previous_driver != driver_id:
        notify.tell_driver(previous_driver, "load_unassigned", {"load_id": load.id})
    notify.tell_driver(driver_id, "load_assigned", {
        "load_id": load.id, "reference": load.reference, "vehicle_id": vehicle_id, "plate": vehicle.plate,
        "pickup_site_id": load.pickup_site_id, "delivery_site_id": load.delivery_site_id,
        "pickup_earliest": load.pickup_earliest, "pickup_latest": load.pickup_latest})
    return load


def carrier_cancel(principal: Principal, award: Award, reason: str, now: datetime) -> Award:
    """The awarded carrier withdraws before pickup: scored as a cancellation, the load back to draft."""
    if award.carrier_org_id != principal.organisation_id:
        raise MarketRefused("forbidden", "not_awarded_carrier", "Only the awarded carrier can cancel its award.")
    if award.cancelled_at is not None:
        raise MarketRefused("conflict", "already_cancelled", "This award is already cancelled.")
    load = db.session.get(Load, award.load_id)
    if load.status not in CARRIER_CANCELLABLE:
        raise MarketRefused("conflict", "illegal_transition",
                            f"A load that is {load.status} can no longer be given back by its carrier.")
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
            raise MarketRefused("conflict", "load_changed", "The load changed meanwhile; look again.")
        db.session.execute(update(Tender).where(Tender.id == award.tender_id, Tender.status == "awarded")
                           .values(status="cancelled", version=Tender.version + 1)
                           .execution_options(synchronize_session=False))
        _revoke_live_authorizations(load.id, now)
        scoring.record(award.carrier_org_id, load.id, "cancelled", 1.0, now)
    db.session.refresh(award)
    db.session.refresh(load)
    notify.award_cancelled(award, load, reason)
    notify.tell_driver(driver, "load_unassigned", {"load_id": load.id})
    return award
