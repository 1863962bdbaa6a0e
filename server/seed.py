"""Demo data: a plant, its buyers (who accepted it as a trading partner) and carriers, fleets, driver
logins and open orders.

Idempotent: every organisation is looked up by name first, and every driver login by its
email, so running ``haul seed`` twice changes nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from shapely.geometry import Point
from sqlalchemy import select
from tqdm import tqdm
from werkzeug.security import generate_password_hash

from server.api.common import point_to_db
from server.db.types import utcnow
from server.extensions import db
from server.models import (
    Dock,
    Driver,
    Order,
    OrderLine,
    Organisation,
    Site,
    TradingRelationship,
    User,
    Vehicle,
    VehicleType,
)

DEMO_PASSWORD = "haul-demo-2026"
WEEKDAYS = {d: [["06:00", "22:00"]] for d in ("mon", "tue", "wed", "thu", "fri")} | {"sat": [["06:00", "14:00"]]}

ORGS = [
    # name, kind, login, sites: (name, kind, lat, lon)
    ("Haul Platform", "platform", "admin@platform.demo", []),
    ("Rheinkalk Chemie", "seller", "dispatch@rheinkalk.demo",
     [("Duisburg plant", "plant", 51.4344, 6.7623)]),
    ("BauStoff Handel Köln", "buyer", "buyer@baustoff.demo", [("Köln yard", "customer", 50.9413, 6.9583)]),
    ("Hafen Logistik Hamburg", "buyer", "buyer@hafen.demo", [("Hamburg port", "customer", 53.5394, 9.9836)]),
    ("Spedition Weber", "carrier", "dispatch@weber.demo", [("Dortmund depot", "warehouse", 51.5136, 7.4653)]),
    ("TransEuropa Cargo", "carrier", "dispatch@transeuropa.demo", [("Essen depot", "warehouse", 51.4556, 7.0116)]),
    ("Rhein Inspect", "inspector", "inspector@rheininspect.demo", []),  # an independent weighing agency
]
DRIVERS_PER_CARRIER = 4
DOCKS = [("Dock 1", "pallet_dock"), ("Dock 2", "pallet_dock"), ("Dock 3", "pallet_dock"),
         ("Arm A", "liquid_arm"), ("Chute B", "bulk_chute")]
VEHICLE_TYPES = [("Curtainsider 13.6 m", 24_000, 90, 33, ["pallet_dock", "side_loader"], 180, 1.15),
                 ("Tanker 30 m³", 26_000, 30, 0, ["liquid_arm"], 220, 1.35),
                 ("Silo 60 m³", 27_000, 60, 0, ["bulk_chute"], 210, 1.30)]


@dataclass
class SeedSummary:
    created: dict[str, int] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)

    def bump(self, what: str, n: int = 1) -> None:
        self.created[what] = self.created.get(what, 0) + n

    def describe(self) -> str:
        made = ", ".join(f"{n} {k}" for k, n in self.created.items()) or "nothing new (already seeded)"
        lines = [f"seed: {made}", f"demo logins (password {DEMO_PASSWORD!r}):"]
        lines += [f"  {kind:<9} {org:<24} {email}" for kind, org, email in self.logins]
        return "\n".join(lines)


def _geofence(lat: float, lon: float, metres: float = 400):
    from geoalchemy2.shape import from_shape

    degrees = metres / 111_000  # fine at plant scale; the fence is a square-ish buffer
    return from_shape(Point(lon, lat).buffer(degrees, quad_segs=2), srid=4326)


def _org(name: str, kind: str, email: str, summary: SeedSummary) -> tuple[Organisation, bool]:
    org = db.session.scalar(select(Organisation).where(Organisation.name == name))
    summary.logins.append((kind, name, email))
    if org is not None:
        return org, False
    org = Organisation(name=name, kind=kind, settings={})
    db.session.add(org)
    db.session.flush()
    db.session.add(User(organisation_id=org.id, email=email, name=f"{name} admin",
                        password_hash=generate_password_hash(DEMO_PASSWORD),
                        roles=["admin", "dispatcher", "dock_manager"] if kind != "platform" else ["admin"]))
    summary.bump("organisations")
    return org, True


def _fleet(org: Organisation, index: int, summary: SeedSummary) -> None:
    for name, kg, m3, pallets, equipment, fixed, per_km in VEHICLE_TYPES:
        vtype = VehicleType(organisation_id=org.id, name=name, max_weight_kg=kg, max_volume_m3=m3,
                            pallet_positions=pallets, equipment=equipment, fixed_cost=fixed, cost_per_km=per_km)
        db.session.add(vtype)
        db.session.flush()
        for n in range(2):
            db.session.add(Vehicle(organisation_id=org.id, vehicle_type_id=vtype.id,
                                   plate=f"{'DO' if index == 0 else 'E'}-{vtype.id:02d}{n}{index}",
                                   hazmat_certified=n == 0))
            summary.bump("vehicles")
    for n in range(DRIVERS_PER_CARRIER):
        db.session.add(Driver(organisation_id=org.id, name=f"Driver {n + 1} ({org.name})",
                              phone=f"+49 170 000 {index}{n:03d}", hazmat_certified=n % 2 == 0))
        summary.bump("drivers")


def driver_login(carrier_login: str, number: int) -> str:
    """The demo login of a carrier's ``number``-th driver (1-based): driver1@weber.demo, ..."""
    return f"driver{number}@{carrier_login.split('@', 1)[1]}"


def _driver_logins(org: Organisation, carrier_login: str, summary: SeedSummary) -> None:
    """Give each of the carrier's first drivers a driver-app login (role ``driver``), linked to them."""
    drivers = db.session.scalars(select(Driver).where(Driver.organisation_id == org.id).order_by(Driver.id)).all()
    password_hash = None
    for number, driver in enumerate(drivers[:DRIVERS_PER_CARRIER], start=1):
        email = driver_login(carrier_login, number)
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            password_hash = password_hash or generate_password_hash(DEMO_PASSWORD)  # slow on purpose: once
            user = User(organisation_id=org.id, email=email, name=driver.name, password_hash=password_hash,
                        roles=["driver"])
            db.session.add(user)
            db.session.flush()
            summary.bump("driver logins")
        if driver.user_id is None and user.organisation_id == org.id:
            driver.user_id = user.id
    last = driver_login(carrier_login, min(len(drivers), DRIVERS_PER_CARRIER))
    summary.logins.append(("driver", org.name, f"{driver_login(carrier_login, 1)} .. {last}"))


def _orders(seller: Organisation, plant: Site, buyers: list[tuple[Organisation, Site]],
            summary: SeedSummary) -> None:
    start = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(hours=2)
    products = [("CEM-I-42.5", "Cement CEM I 42.5 R, bagged", 1_000, 1.0, 0.65, 1.0, None, True),
                ("LIME-HYD", "Hydrated lime, big bags", 900, 0.9, 1.1, 1.0, "8", True),
                ("NAOH-IBC", "Caustic soda 50%, IBC", 1_500, 1.0, 1.0, 1.0, "8", True)]  # IBC by IBC, as bulk orders are
    for n, (buyer, site) in enumerate(buyers * 3):
        reference = f"SO-{4711 + n}"
        if db.session.scalar(select(Order.id).where(Order.reference == reference)):
            continue
        order = Order(seller_org_id=seller.id, buyer_org_id=buyer.id, reference=reference,
                      idempotency_key=f"seed:{reference}", pickup_site_id=plant.id, delivery_site_id=site.id,
                      pickup_earliest=start + timedelta(hours=n), pickup_latest=start + timedelta(hours=n + 4),
                      delivery_earliest=start + timedelta(hours=n + 3), delivery_latest=start + timedelta(hours=n + 30))
        sku, desc, kg, m3, pallets, _, hazmat, split = products[n % len(products)]
        order.lines.append(OrderLine(line_no=1, sku=sku, description=desc, quantity=20 + 7 * n,
                                     unit_weight_kg=kg, unit_volume_m3=m3, unit_pallets=pallets,
                                     hazmat_class=hazmat, splittable=split))
        db.session.add(order)
        summary.bump("orders")


def _trading(seller: Organisation, buyers: list[tuple[Organisation, Site]], summary: SeedSummary) -> None:
    """The plant sells to each demo buyer: an accepted trading relationship, so orders are allowed."""
    for buyer, _site in buyers:
        if db.session.scalar(select(TradingRelationship.id).where(TradingRelationship.seller_org_id == seller.id,
                                                                  TradingRelationship.buyer_org_id == buyer.id)):
            continue
        now = utcnow()
        db.session.add(TradingRelationship(seller_org_id=seller.id, buyer_org_id=buyer.id, status="accepted",
                                           message="demo customer", requested_at=now, decided_at=now))
        summary.bump("trading relationships")


def seed_demo(progress: bool = False) -> SeedSummary:
    summary = SeedSummary()
    orgs: dict[str, tuple[Organisation, list[Site]]] = {}
    for name, kind, email, sites in tqdm(ORGS, desc="seeding", disable=not progress, unit="org"):
        org, new = _org(name, kind, email, summary)
        rows = list(db.session.scalars(select(Site).where(Site.organisation_id == org.id)))
        if new:
            for site_name, site_kind, lat, lon in sites:
                site = Site(organisation_id=org.id, name=site_name, kind=site_kind, address=site_name,
                            location=point_to_db({"lat": lat, "lon": lon}), geofence=_geofence(lat, lon),
                            timezone="Europe/Berlin", opening_hours=WEEKDAYS)
                db.session.add(site)
                db.session.flush()
                rows.append(site)
                summary.bump("sites")
                if site_kind == "plant":
                    for dock_name, equipment in DOCKS:
                        db.session.add(Dock(site_id=site.id, name=dock_name, equipment=equipment,
                                            opening_hours=WEEKDAYS, breaks=[]))
                        summary.bump("docks")
            if kind == "carrier":
                _fleet(org, len([o for o in orgs.values() if o[0].kind == "carrier"]), summary)
        orgs[name] = (org, rows)
    for name, kind, email, _sites in ORGS:
        if kind == "carrier":
            _driver_logins(orgs[name][0], email, summary)
    seller, (plant,) = orgs["Rheinkalk Chemie"]
    buyers = [(o, s[0]) for o, s in orgs.values() if o.kind == "buyer"]
    _trading(seller, buyers, summary)
    _orders(seller, plant, buyers, summary)
    db.session.commit()
    return summary
