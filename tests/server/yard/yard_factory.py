"""Builders for yard tests: a plant with docks, a carrier with a driver and a truck, loads and authorizations.

Rows are created directly (the yard does not depend on how a load got awarded). Times are
fixed: ``MONDAY`` 08:00 UTC is "now" in the service tests, and API tests pin the yard's
clock to it. Import with ``from tests.server.yard.yard_factory import ...``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from geoalchemy2.shape import from_shape
from shapely.geometry import Point

from server.auth.principal import Principal, issue_token
from server.extensions import db
from server.models import (
    Dock,
    Driver,
    Load,
    Organisation,
    PickupAuthorization,
    Site,
    User,
    Vehicle,
    VehicleType,
    YardVisit,
)

MONDAY = datetime(2030, 6, 3, 8, 0, tzinfo=UTC)  # a Monday
PIXEL_PNG = (Path(__file__).parents[2] / "data" / "yard" / "pixel.png").read_bytes()  # a 1x1 green PNG


def keep(row):
    """Commit, load every column and detach, so the row stays readable across requests."""
    db.session.add(row)
    db.session.commit()
    db.session.refresh(row)
    db.session.expunge(row)
    return row


@dataclass
class Caller:
    """A user of an organisation with a bearer token; ``principal`` for calling services directly."""

    org_id: int
    org_kind: str
    user_id: int
    roles: tuple[str, ...]
    token: str

    @property
    def id(self) -> int:
        return self.org_id

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def principal(self) -> Principal:
        return Principal(self.org_id, self.org_kind, frozenset(self.roles), self.user_id, "token")


def add_user(org_id: int, kind: str, roles=("admin", "dispatcher")) -> Caller:
    user = User(organisation_id=org_id, email=f"{uuid.uuid4().hex[:10]}@{kind}.test", name=f"{kind} user",
                password_hash="x", roles=list(roles))
    db.session.add(user)
    db.session.flush()
    token, _ = issue_token(org_id, "test", list(roles), user_id=user.id, kind="session")
    db.session.commit()
    return Caller(org_id, kind, user.id, tuple(roles), token)


def org(kind: str) -> int:
    row = Organisation(name=f"{kind}-{uuid.uuid4().hex[:6]}", kind=kind, settings={})
    db.session.add(row)
    db.session.commit()
    return row.id


@dataclass
class Plant:
    seller: Caller  # admin + dispatcher of the plant's organisation
    manager: Caller  # dock manager of the plant
    buyer: Caller
    carrier: Caller  # carrier dispatcher
    driver_user: Caller  # the driver's own login (role driver)
    site: Site
    docks: dict[str, Dock]
    driver: Driver
    truck: Vehicle
    loads: list[Load] = field(default_factory=list)


def make_plant(timezone: str = "UTC", hours: dict | None = None,
               docks=(("D1", "pallet_dock"), ("D2", "pallet_dock"), ("T1", "liquid_arm")), breaks=()) -> Plant:
    """A seller's plant (open around the clock unless ``hours``), its docks, a buyer, a carrier with driver and truck."""
    seller_org, buyer_org, carrier_org = org("seller"), org("buyer"), org("carrier")
    site = keep(Site(organisation_id=seller_org, name="Plant", kind="plant", timezone=timezone,
                     opening_hours=hours or {}, location=from_shape(Point(6.76, 51.43), srid=4326)))
    rows = {}
    for name, equipment in docks:
        rows[name] = keep(Dock(site_id=site.id, name=name, equipment=equipment, opening_hours={},
                               breaks=list(breaks), active=True))
    driver_user = add_user(carrier_org, "carrier", roles=("driver",))
    driver = keep(Driver(organisation_id=carrier_org, user_id=driver_user.user_id, name="Ana"))
    vtype = keep(VehicleType(organisation_id=carrier_org, name="Curtainsider", max_weight_kg=24000,
                             max_volume_m3=90, pallet_positions=33, equipment=["pallet_dock"]))
    truck = keep(Vehicle(organisation_id=carrier_org, vehicle_type_id=vtype.id, plate="DU-AB 123"))
    return Plant(add_user(seller_org, "seller"), add_user(seller_org, "seller", roles=("dock_manager",)),
                 add_user(buyer_org, "buyer"), add_user(carrier_org, "carrier"), driver_user, site, rows, driver, truck)


def make_load(plant: Plant, start: datetime = MONDAY + timedelta(hours=1), window_hours: float = 4,
              status: str = "authorized", equipment: str = "pallet_dock", pallets: float = 20,
              weight_kg: float = 20000, assigned: bool = True, **extra) -> Load:
    """A load awarded to the plant's carrier, collectable from ``start`` for ``window_hours``."""
    load = Load(seller_org_id=plant.seller.id, buyer_org_id=plant.buyer.id, carrier_org_id=plant.carrier.id,
                reference=f"LD-{uuid.uuid4().hex[:6]}", status=status, pickup_site_id=plant.site.id,
                delivery_site_id=plant.site.id, pickup_earliest=start,
                pickup_latest=start + timedelta(hours=window_hours), delivery_earliest=start + timedelta(hours=5),
                delivery_latest=start + timedelta(hours=30), required_equipment=equipment, pallets=pallets,
                weight_kg=weight_kg, volume_m3=40, vehicle_id=plant.truck.id if assigned else None,
                driver_id=plant.driver.id if assigned else None, **extra)
    db.session.add(load)
    load = keep(load)
    plant.loads.append(load)
    return load


def authorize(app, plant: Plant, load: Load, *, expires: datetime | None = None, revoked: bool = False,
              plate: str | None = None, driver_id: int | None = -1) -> str:
    """A stored pickup authorization for the load and its signed token."""
    from server.market.pickup import token_for
    from server.market.pickup_token import new_token_id, normalise_plate

    row = PickupAuthorization(load_id=load.id, buyer_org_id=plant.buyer.id, carrier_org_id=plant.carrier.id,
                              driver_id=plant.driver.id if driver_id == -1 else driver_id,
                              plate=normalise_plate(plate or plant.truck.plate), token_id=new_token_id(),
                              expires_at=expires or MONDAY + timedelta(hours=12),
                              revoked_at=MONDAY if revoked else None)
    db.session.add(row)
    row = keep(row)
    return token_for(row, app.config["SECRET_KEY"])


def fresh(model, row_id: int):
    """The row as the database has it now."""
    db.session.expire_all()
    return db.session.get(model, row_id)


def yard_victim(load_id: int, site_id: int) -> dict:
    """For the tenant-isolation matrix: a visit of ``load_id`` and a stored photo in its evidence."""
    from server.models import EvidenceItem
    from server.yard.evidence_store import evidence_store

    visit = YardVisit(load_id=load_id, site_id=site_id, status="arrived", arrived_at=MONDAY, history=[])
    digest = evidence_store().put(PIXEL_PNG)
    db.session.add_all([visit, EvidenceItem(load_id=load_id, seq=1, kind="photo", payload={"sha256": digest},
                                            recorded_at=MONDAY, device_id="api", prev_hash="0" * 64, hash="0" * 64)])
    db.session.commit()
    return {"visit_id": visit.id, "sha256": digest}
