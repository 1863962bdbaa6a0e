"""Which of a carrier's trucks and drivers can take a load, and why the others cannot.

A truck fits when it is active, carries the load's equipment, weight, volume, pallets and
hazmat, and is not on another unfinished load whose window overlaps this one (a load with a
proof of delivery is finished, whatever its status says). A driver fits when active,
hazmat-certified for a hazardous load, not on another overlapping unfinished load, and within
the EU daily driving limit counting the loads already assigned for that day.

Each reason is its own ``Reason`` (a stable code and a message in the reader's language),
so a page lists them one by one and never runs two together.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from geoalchemy2.shape import to_shape
from sqlalchemy import and_, exists, or_, select

from server.engines.routing.matrix import haversine_km
from server.extensions import db
from server.market.qualification import LoadNeeds, parse_hazmat
from server.market.states import BUSY_LOAD_STATES
from server.models import Driver, Load, ProofOfDelivery, Site, Vehicle, VehicleType

DAILY_DRIVING_H = 9.0  # EU 561/2006: daily driving time
ROAD_FACTOR, SPEED_KMH = 1.3, 65.0  # the route planner's defaults


@dataclass(frozen=True)
class Reason:
    code: str
    message: str


def needs_of(load: Load) -> LoadNeeds:
    return LoadNeeds(load.required_equipment, load.weight_kg, load.volume_m3, load.pallets,
                     parse_hazmat(load.hazmat_classes))


def _overlapping(load: Load, column) -> list[Load]:
    """Other unfinished loads on the same truck or driver (``column == value``) whose windows overlap."""
    delivered = exists().where(ProofOfDelivery.load_id == Load.id)
    return list(db.session.scalars(select(Load).where(
        column, Load.id != load.id, Load.status.in_(BUSY_LOAD_STATES), ~delivered,
        Load.pickup_earliest < load.delivery_latest, load.pickup_earliest < Load.delivery_latest)))


def vehicle_reasons(load: Load, vehicle: Vehicle) -> list[Reason]:
    """Why ``vehicle`` cannot take ``load`` (empty when it can)."""
    if not vehicle.active:
        return [Reason("inactive", _("The truck is not active."))]
    vtype = db.session.get(VehicleType, vehicle.vehicle_type_id)
    needs, out = needs_of(load), []
    if needs.equipment and needs.equipment not in (vtype.equipment or ()):
        out.append(Reason("equipment", _("It has no %(equipment)s equipment.", equipment=_equipment(needs.equipment))))
    if vtype.max_weight_kg < needs.weight_kg:
        out.append(Reason("weight", _("It carries %(max)g kg; the load weighs %(need)g kg.",
                                      max=vtype.max_weight_kg, need=needs.weight_kg)))
    if vtype.max_volume_m3 < needs.volume_m3:
        out.append(Reason("volume", _("It holds %(max)g m³; the load needs %(need)g m³.",
                                      max=vtype.max_volume_m3, need=needs.volume_m3)))
    if vtype.pallet_positions < needs.pallets:
        out.append(Reason("pallets", _("It has %(max)g pallet positions; the load needs %(need)g.",
                                       max=vtype.pallet_positions, need=needs.pallets)))
    if needs.hazmat and not vehicle.hazmat_certified:
        out.append(Reason("hazmat", _("It is not certified for hazardous goods (classes %(classes)s).",
                                      classes=", ".join(needs.hazmat_classes))))
    for other in _overlapping(load, Load.vehicle_id == vehicle.id):
        out.append(Reason("busy", _("It is on load %(reference)s at that time.", reference=other.reference)))
    return out


def driver_reasons(load: Load, driver: Driver) -> list[Reason]:
    """Why ``driver`` cannot take ``load`` (empty when they can)."""
    if not driver.active:
        return [Reason("inactive", _("The driver is not active."))]
    out = []
    if load.hazmat_classes and not driver.hazmat_certified:
        out.append(Reason("hazmat", _("The driver has no hazardous-goods certificate.")))
    for other in _overlapping(load, Load.driver_id == driver.id):
        out.append(Reason("busy", _("The driver is on load %(reference)s at that time.", reference=other.reference)))
    day = load.pickup_earliest.date()
    same_day = db.session.scalars(select(Load).where(
        Load.driver_id == driver.id, Load.id != load.id,
        or_(Load.status.in_(BUSY_LOAD_STATES), Load.status == "delivered"))).all()
    hours = driving_hours(load) + sum(driving_hours(o) for o in same_day if o.pickup_earliest.date() == day)
    if hours > DAILY_DRIVING_H:
        out.append(Reason("hours", _("That day would take %(hours).1f h of driving; the limit is %(limit)g h.",
                                     hours=hours, limit=DAILY_DRIVING_H)))
    return out


def driving_hours(load: Load) -> float:
    """Estimated driving from pickup to delivery (great circle times the road factor)."""
    a, b = (to_shape(db.session.get(Site, sid).location) for sid in (load.pickup_site_id, load.delivery_site_id))
    return haversine_km((a.y, a.x), (b.y, b.x)) * ROAD_FACTOR / SPEED_KMH


def _equipment(code: str) -> str:
    names = {"pallet_dock": _("pallet dock"), "liquid_arm": _("liquid loading arm"), "bulk_chute": _("bulk chute"),
             "side_loader": _("side loading")}
    return names.get(code, code)


def assignment_options(carrier_id: int, load: Load) -> dict:
    """The carrier's trucks and drivers that can take ``load``, and the others with their reasons."""
    out: dict = {"vehicles": [], "drivers": [], "unsuitable_vehicles": [], "unsuitable_drivers": []}
    for vehicle in db.session.scalars(select(Vehicle).where(Vehicle.organisation_id == carrier_id)
                                      .order_by(Vehicle.plate)):
        reasons = vehicle_reasons(load, vehicle)
        row = {"id": vehicle.id, "plate": vehicle.plate}
        if reasons:
            out["unsuitable_vehicles"].append(row | {"reasons": [r.__dict__ for r in reasons]})
        else:
            out["vehicles"].append(row)
    for driver in db.session.scalars(select(Driver).where(Driver.organisation_id == carrier_id)
                                     .order_by(Driver.name)):
        reasons = driver_reasons(load, driver)
        row = {"id": driver.id, "name": driver.name}
        if reasons:
            out["unsuitable_drivers"].append(row | {"reasons": [r.__dict__ for r in reasons]})
        else:
            out["drivers"].append(row)
    return out


def fleet_warning(carrier_id: int, load: Load) -> str | None:
    """A warning when none of the carrier's trucks could take the load in its window (None when one can)."""
    fits = any(not vehicle_reasons(load, v) for v in db.session.scalars(
        select(Vehicle).where(and_(Vehicle.organisation_id == carrier_id, Vehicle.active.is_(True)))))
    if fits:
        return None
    return _("None of your trucks is free and suitable for this load in its window; "
             "you would have to find one before you can assign it.")
