"""Seed data for ``haul bench market`` (no command here): sellers with plants, carriers with a
truck near one plant each and an API token, and draft loads; tenders go through the API."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import timedelta

from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import insert

from server.auth.principal import issue_token
from server.db.types import utcnow
from server.extensions import db
from server.models import Load, Organisation, Position, Site, Vehicle, VehicleType

# Plants spread over western Germany; carriers sit within 40 km of one of them.
PLANTS = [(51.43, 6.76), (50.94, 6.96), (51.51, 7.47), (50.11, 8.68), (49.45, 11.08), (48.78, 9.18),
          (52.37, 9.73), (53.55, 9.99), (51.34, 12.37), (49.01, 8.40)]
CEILING, GRAB_PRICE, DECREMENT = 2000.0, 900.0, 5.0


@dataclass
class Seeded:
    seller_tokens: list[str] = field(default_factory=list)
    carrier_tokens: dict[int, str] = field(default_factory=dict)      # carrier org id -> bearer token
    carriers_by_plant: dict[int, list[int]] = field(default_factory=dict)
    loads: list[tuple[int, int, int]] = field(default_factory=list)  # (load id, plant index, seller index)


def _point(lat: float, lon: float):
    return from_shape(Point(lon, lat), srid=4326)


def _near(lat: float, lon: float, km: float, rng: random.Random) -> tuple[float, float]:
    bearing, dist = rng.uniform(0, 2 * math.pi), rng.uniform(0, km)
    return lat + dist / 111.2 * math.cos(bearing), lon + dist / (111.2 * math.cos(math.radians(lat))) * math.sin(bearing)


def _org(name: str, kind: str) -> Organisation:
    org = Organisation(name=name, kind=kind, settings={})
    db.session.add(org)
    db.session.flush()
    return org


def seed(carriers: int, loads: int, run: str, seed_value: int = 7) -> Seeded:
    """Create the organisations, fleets, positions and draft loads in a few bulk statements."""
    rng = random.Random(seed_value)
    out = Seeded()
    buyer = _org(f"bench-{run}-buyer", "buyer")
    yard = Site(organisation_id=buyer.id, name="Yard", kind="customer", location=_point(52.52, 13.40))
    db.session.add(yard)
    sellers, plants = [], []
    for i, (lat, lon) in enumerate(PLANTS):
        seller = _org(f"bench-{run}-seller-{i}", "seller")
        site = Site(organisation_id=seller.id, name=f"Plant {i}", location=_point(lat, lon))
        db.session.add(site)
        sellers.append(seller)
        plants.append(site)
        out.seller_tokens.append(issue_token(seller.id, "bench", ["admin", "dispatcher"])[0])
    db.session.flush()
    now = utcnow()
    positions = []
    for c in range(carriers):
        plant = c % len(PLANTS)
        org = _org(f"bench-{run}-carrier-{c}", "carrier")
        vtype = VehicleType(organisation_id=org.id, name="Curtainsider", max_weight_kg=24000, max_volume_m3=90,
                            pallet_positions=33, equipment=["pallet_dock", "side_loader"])
        db.session.add(vtype)
        db.session.flush()
        truck = Vehicle(organisation_id=org.id, vehicle_type_id=vtype.id, plate=f"B-{c:05d}")
        db.session.add(truck)
        db.session.flush()
        positions.append({"vehicle_id": truck.id, "time": now - timedelta(minutes=rng.randint(1, 60)),
                          "geom": _point(*_near(*PLANTS[plant], 40, rng)), "source": "bench", "received_at": now})
        out.carrier_tokens[org.id] = issue_token(org.id, "bench", ["admin", "dispatcher"])[0]
        out.carriers_by_plant.setdefault(plant, []).append(org.id)
    db.session.execute(insert(Position), positions)
    for n in range(loads):
        plant = n % len(PLANTS)
        load = Load(seller_org_id=sellers[plant].id, buyer_org_id=buyer.id, reference=f"BENCH-{run}-{n}",
                    pickup_site_id=plants[plant].id, delivery_site_id=yard.id,
                    pickup_earliest=now + timedelta(hours=4), pickup_latest=now + timedelta(hours=8),
                    delivery_earliest=now + timedelta(hours=10), delivery_latest=now + timedelta(hours=30),
                    required_equipment="pallet_dock", weight_kg=18000, volume_m3=50, pallets=26)
        db.session.add(load)
        db.session.flush()
        out.loads.append((load.id, plant, plant))
    db.session.commit()
    return out


def tender_body(index: int) -> dict:
    """Even loads go to reverse auctions, odd ones to the grab board."""
    if index % 2 == 0:
        return {"mode": "auction", "ceiling_price": CEILING, "min_decrement": DECREMENT, "max_bids_per_carrier": 3,
                "deadline": (utcnow() + timedelta(hours=2)).isoformat(), "radius_km": 50}
    return {"mode": "grab", "price": GRAB_PRICE, "radius_km": 50}
