"""Builders for marketplace tests and the bench: loads, trucks with a last position, drivers.

There is no load-building API yet, so loads are created as rows. Import with
``from tests.server.market.market_factory import ...``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import timedelta

from geoalchemy2.shape import from_shape
from shapely.geometry import Point

from server.db.types import utcnow
from server.extensions import db
from server.models import Driver, Load, Position, Site, Vehicle, VehicleType

_plates = itertools.count(1)
PLANT = (51.43, 6.76)   # Duisburg
YARD = (50.94, 6.96)    # Köln, ~56 km away


def _keep(row):
    """Commit, load every column and detach: the row stays readable after later commits and requests
    (each test request closes the session the test built its rows in)."""
    db.session.commit()
    db.session.refresh(row)
    db.session.expunge(row)
    return row


def point(lat: float, lon: float):
    return from_shape(Point(lon, lat), srid=4326)


def make_site(org_id: int, lat: float, lon: float, name: str = "Site", kind: str = "plant") -> Site:
    site = Site(organisation_id=org_id, name=name, kind=kind, location=point(lat, lon))
    db.session.add(site)
    return _keep(site)


def make_load(seller_id: int, buyer_id: int, pickup: Site, delivery: Site, **overrides) -> Load:
    now = utcnow()
    values = dict(seller_org_id=seller_id, buyer_org_id=buyer_id, reference=f"LD-{next(_plates)}", status="draft",
                  pickup_site_id=pickup.id, delivery_site_id=delivery.id, pickup_earliest=now + timedelta(hours=2),
                  pickup_latest=now + timedelta(hours=6), delivery_earliest=now + timedelta(hours=5),
                  delivery_latest=now + timedelta(hours=30), required_equipment="pallet_dock", weight_kg=20000,
                  volume_m3=60, pallets=30, hazmat_classes="")
    values.update(overrides)
    load = Load(**values)
    db.session.add(load)
    return _keep(load)


def make_truck(carrier_id: int, at: tuple[float, float] | None = None, equipment=("pallet_dock",),
               max_weight_kg: float = 24000, max_volume_m3: float = 90, pallet_positions: int = 33,
               hazmat: bool = False, fix_age: timedelta = timedelta(minutes=5), plate: str | None = None) -> Vehicle:
    """A carrier's truck; with ``at`` it also gets a last position that long ago."""
    vtype = VehicleType(organisation_id=carrier_id, name="Truck", max_weight_kg=max_weight_kg,
                        max_volume_m3=max_volume_m3, pallet_positions=pallet_positions, equipment=list(equipment))
    db.session.add(vtype)
    db.session.flush()
    vehicle = Vehicle(organisation_id=carrier_id, vehicle_type_id=vtype.id, plate=plate or f"HX-{next(_plates)}",
                      hazmat_certified=hazmat)
    db.session.add(vehicle)
    db.session.flush()
    if at is not None:
        db.session.add(Position(vehicle_id=vehicle.id, time=utcnow() - fix_age, geom=point(*at), source="haul"))
    return _keep(vehicle)


def add_fix(vehicle_id: int, at: tuple[float, float], age: timedelta = timedelta(0)) -> None:
    db.session.add(Position(vehicle_id=vehicle_id, time=utcnow() - age, geom=point(*at), source="haul"))
    db.session.commit()


def make_driver(carrier_id: int, name: str = "Driver", hazmat: bool = False) -> Driver:
    driver = Driver(organisation_id=carrier_id, name=name, hazmat_certified=hazmat)
    db.session.add(driver)
    return _keep(driver)


@dataclass
class Board:
    """A seller with a plant, a buyer with a yard, and carriers with trucks near the plant."""

    seller: object
    buyer: object
    plant: Site
    yard: Site
    carriers: list = field(default_factory=list)
    trucks: dict = field(default_factory=dict)

    def load(self, **overrides) -> Load:
        return make_load(self.seller.id, self.buyer.id, self.plant, self.yard, **overrides)


def make_board(make_party, carriers: int = 2, near_km: float = 10.0) -> Board:
    """``carriers`` carriers, each with one pallet truck about ``near_km`` north of the plant."""
    seller, buyer = make_party("seller"), make_party("buyer")
    board = Board(seller, buyer, make_site(seller.id, *PLANT, name="Plant"),
                  make_site(buyer.id, *YARD, name="Yard", kind="customer"))
    for _ in range(carriers):
        add_carrier(board, make_party, near_km)
    return board


def add_carrier(board: Board, make_party, near_km: float | None = 10.0, **truck):
    carrier = make_party("carrier")
    at = None if near_km is None else (PLANT[0] + near_km / 111.0, PLANT[1])
    board.carriers.append(carrier)
    board.trucks[carrier.id] = make_truck(carrier.id, at=at, **truck)
    return carrier


def tender_body(mode: str = "grab", **overrides) -> dict:
    body = {"grab": {"mode": "grab", "price": 900.0},
            "auction": {"mode": "auction", "ceiling_price": 1200.0, "min_decrement": 10.0,
                        "max_bids_per_carrier": 3, "deadline": (utcnow() + timedelta(hours=2)).isoformat()},
            "sequential": {"mode": "sequential", "price": 950.0, "offer_timeout_s": 600}}[mode]
    return {**body, **overrides}
