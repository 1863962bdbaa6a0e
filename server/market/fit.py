"""Which of a carrier's trucks and drivers can take a load, and why the others cannot.

A truck fits when it is active, carries the load's equipment, weight, volume, pallets and
hazmat, and is not on another unfinished load whose window overlaps this one (a load with a
proof of delivery is finished, whatever its status says). A driver fits when active,
hazmat-certified for a hazardous load, not on another overlapping unfinished load, and within
the EU daily driving limit counting the loads already assigned for that day.

Each reason is its own ``Reason`` (a stable code and a message in the reader's language),
so a page lists them one by one and never runs two together. A whole fleet is checked in a
few queries (types, overlapping loads and the day's loads are read once per load).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask_babel import gettext as _
from geoalchemy2.shape import to_shape
from sqlalchemy import exists, or_, select

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


def _busy(load: Load, column, ids: list[int]) -> dict[int, list[str]]:
    """Per truck or driver id (``column``), the references of its other unfinished loads overlapping ``load``."""
    if not ids:
        return {}
    delivered = exists().where(ProofOfDelivery.load_id == Load.id)
    rows = db.session.execute(select(column, Load.reference).where(
        column.in_(ids), Load.id != load.id, Load.status.in_(BUSY_LOAD_STATES), ~delivered,
        Load.pickup_earliest < load.delivery_latest, load.pickup_earliest < Load.delivery_latest)
        .order_by(Load.id))
    out: dict[int, list[str]] = defaultdict(list)
    for owner, reference in rows:
        out[owner].append(reference)
    return out


def _vehicle_reasons(load: Load, vehicle: Vehicle, vtype: VehicleType, busy: list[str]) -> list[Reason]:
    if not vehicle.active:
        return [Reason("inactive", _("The truck is not active."))]
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
    out += [Reason("busy", _("It is on load %(reference)s at that time.", reference=ref)) for ref in busy]
    return out


def vehicle_reasons(load: Load, vehicle: Vehicle) -> list[Reason]:
    """Why ``vehicle`` cannot take ``load`` (empty when it can)."""
    vtype = db.session.get(VehicleType, vehicle.vehicle_type_id)
    return _vehicle_reasons(load, vehicle, vtype, _busy(load, Load.vehicle_id, [vehicle.id]).get(vehicle.id, []))


def _driver_reasons(load: Load, driver: Driver, busy: list[str], hours: float) -> list[Reason]:
    if not driver.active:
        return [Reason("inactive", _("The driver is not active."))]
    out = []
    if load.hazmat_classes and not driver.hazmat_certified:
        out.append(Reason("hazmat", _("The driver has no hazardous-goods certificate.")))
    out += [Reason("busy", _("The driver is on load %(reference)s at that time.", reference=ref)) for ref in busy]
    if hours > DAILY_DRIVING_H:
        out.append(Reason("hours", _("That day would take %(hours).1f h of driving; the limit is %(limit)g h.",
                                     hours=hours, limit=DAILY_DRIVING_H)))
    return out


def _day_hours(load: Load, driver_ids: list[int]) -> dict[int, float]:
    """Per driver, the driving this load adds to that day's other loads (pickups the same UTC day)."""
    if not driver_ids:
        return {}
    start = datetime.combine(load.pickup_earliest.date(), time(0), tzinfo=load.pickup_earliest.tzinfo)
    others = db.session.scalars(select(Load).where(
        Load.driver_id.in_(driver_ids), Load.id != load.id, Load.pickup_earliest >= start,
        Load.pickup_earliest < start + timedelta(days=1),
        or_(Load.status.in_(BUSY_LOAD_STATES), Load.status == "delivered"))).all()
    own = driving_hours(load)
    hours = {driver_id: own for driver_id in driver_ids}
    for other in others:
        hours[other.driver_id] += driving_hours(other)
    return hours


def driver_reasons(load: Load, driver: Driver) -> list[Reason]:
    """Why ``driver`` cannot take ``load`` (empty when they can)."""
    return _driver_reasons(load, driver, _busy(load, Load.driver_id, [driver.id]).get(driver.id, []),
                           _day_hours(load, [driver.id])[driver.id])


def driving_hours(load: Load) -> float:
    """Estimated driving from pickup to delivery (great circle times the road factor)."""
    a, b = (to_shape(db.session.get(Site, sid).location) for sid in (load.pickup_site_id, load.delivery_site_id))
    return haversine_km((a.y, a.x), (b.y, b.x)) * ROAD_FACTOR / SPEED_KMH


def _equipment(code: str) -> str:
    names = {"pallet_dock": _("pallet dock"), "liquid_arm": _("liquid loading arm"), "bulk_chute": _("bulk chute"),
             "side_loader": _("side loading")}
    return names.get(code, code)


def _fleet(carrier_id: int, load: Load, active_only: bool = False) -> list[tuple[Vehicle, list[Reason]]]:
    query = select(Vehicle).where(Vehicle.organisation_id == carrier_id).order_by(Vehicle.plate)
    if active_only:
        query = query.where(Vehicle.active.is_(True))
    vehicles = db.session.scalars(query).all()
    types = {t.id: t for t in db.session.scalars(select(VehicleType).where(
        VehicleType.id.in_({v.vehicle_type_id for v in vehicles})))} if vehicles else {}
    busy = _busy(load, Load.vehicle_id, [v.id for v in vehicles])
    return [(v, _vehicle_reasons(load, v, types[v.vehicle_type_id], busy.get(v.id, []))) for v in vehicles]


def assignment_options(carrier_id: int, load: Load) -> dict:
    """The carrier's trucks and drivers that can take ``load``, and the others with their reasons."""
    out: dict = {"vehicles": [], "drivers": [], "unsuitable_vehicles": [], "unsuitable_drivers": []}
    for vehicle, reasons in _fleet(carrier_id, load):
        row = {"id": vehicle.id, "plate": vehicle.plate}
        if reasons:
            out["unsuitable_vehicles"].append(row | {"reasons": [r.__dict__ for r in reasons]})
        else:
            out["vehicles"].append(row)
    drivers = db.session.scalars(select(Driver).where(Driver.organisation_id == carrier_id)
                                 .order_by(Driver.name)).all()
    busy = _busy(load, Load.driver_id, [d.id for d in drivers])
    hours = _day_hours(load, [d.id for d in drivers])
    for driver in drivers:
        reasons = _driver_reasons(load, driver, busy.get(driver.id, []), hours[driver.id])
        row = {"id": driver.id, "name": driver.name}
        if reasons:
            out["unsuitable_drivers"].append(row | {"reasons": [r.__dict__ for r in reasons]})
        else:
            out["drivers"].append(row)
    return out


def fleet_warning(carrier_id: int, load: Load) -> str | None:
    """A warning when none of the carrier's trucks could take the load in its window (None when one can)."""
    if any(not reasons for _vehicle, reasons in _fleet(carrier_id, load, active_only=True)):
        return None
    return _("None of your trucks is free and suitable for this load in its window; "
             "you would have to find one before you can assign it.")
