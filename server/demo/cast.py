"""The demo's people, signed in with the seed's demo logins, and what each can see of its world.

Everything here is learnt through the API as that user: the seller's plant and docks, each
buyer's delivery site, each carrier's depot, trucks (with their type's capacity) and drivers.
A driver acts with the driver's own login (``driver1@weber.demo``..., found through the user the
driver is linked to) when the seed made one, else through the carrier's dispatcher.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from server.demo.api import ApiError, ApiSession
from server.demo.transport import HttpFactory, over_http
from server.seed import DEMO_PASSWORD, ORGS

log = logging.getLogger("haul.demo")

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ROUND_THE_CLOCK = {day: [["00:00", "24:00"]] for day in DAYS}

LatLon = tuple[float, float]


def latlon(location: dict) -> LatLon:
    return float(location["lat"]), float(location["lon"])


@dataclass
class Seller:
    session: ApiSession
    name: str
    plant_id: int = 0
    plant: LatLon = (0.0, 0.0)
    docks: list[dict] = field(default_factory=list)


@dataclass
class Buyer:
    session: ApiSession
    name: str
    site_id: int = 0
    site: LatLon = (0.0, 0.0)


@dataclass
class Carrier:
    session: ApiSession
    name: str
    login: str
    depot: LatLon = (0.0, 0.0)
    vehicles: list[dict] = field(default_factory=list)  # each with its type's capacity and equipment
    drivers: list[dict] = field(default_factory=list)
    user_emails: dict[int, str] = field(default_factory=dict)  # the carrier's users (driver logins among them)
    _driver_sessions: dict = field(default_factory=dict)

    @property
    def org_id(self) -> int:
        return self.session.organisation_id

    def driver_session(self, driver_id: int) -> ApiSession:
        """The driver's own signed-in session, or the dispatcher's when the driver has no demo login."""
        if driver_id not in self._driver_sessions:
            session = self.session
            driver = next((d for d in self.drivers if d["id"] == driver_id), {})
            email = self.user_emails.get(driver.get("user_id"))
            if email:
                try:
                    session = ApiSession(self.session.base_url, email, DEMO_PASSWORD,
                                         http=self.session.http_factory).sign_in()
                except ApiError as exc:
                    log.info("demo: driver %s cannot sign in (%s); the dispatcher acts for them", driver_id, exc)
            self._driver_sessions[driver_id] = session
        return self._driver_sessions[driver_id]


@dataclass
class Cast:
    seller: Seller
    buyers: dict[int, Buyer]  # by organisation id
    carriers: dict[int, Carrier]  # by organisation id

    @classmethod
    def assemble(cls, base_url: str, http: HttpFactory = over_http) -> Cast:
        """Sign every demo user in and look around (raises ApiError when the server refuses)."""
        seller, buyers, carriers = None, {}, {}
        for name, kind, email, _sites in ORGS:
            if kind not in ("seller", "buyer", "carrier"):
                continue
            session = ApiSession(base_url, email, DEMO_PASSWORD, http=http).sign_in()
            if kind == "seller" and seller is None:
                seller = _look_around_seller(Seller(session, name))
            elif kind == "buyer":
                buyers[session.organisation_id] = _look_around_buyer(Buyer(session, name))
            elif kind == "carrier":
                carriers[session.organisation_id] = _look_around_carrier(Carrier(session, name, email))
        if seller is None or not buyers or not carriers:
            raise RuntimeError("the demo needs a seller, a buyer and a carrier: run `haul seed`")
        return cls(seller, buyers, carriers)

    def buyer_by_site(self, site_id: int) -> Buyer | None:
        return next((b for b in self.buyers.values() if b.site_id == site_id), None)

    def close(self) -> None:
        sessions = [self.seller.session] + [b.session for b in self.buyers.values()]
        for carrier in self.carriers.values():
            sessions += [carrier.session, *carrier._driver_sessions.values()]
        for session in sessions:
            session.close()


def _look_around_seller(seller: Seller) -> Seller:
    plants = [s for s in seller.session.items("/api/v1/sites") if s["kind"] == "plant"]
    if not plants:
        raise RuntimeError(f"{seller.name} has no plant")
    plant = plants[0]
    seller.plant_id, seller.plant = plant["id"], latlon(plant["location"])
    seller.docks = [d for d in plant["docks"] if d.get("active", True)]
    return seller


def _look_around_buyer(buyer: Buyer) -> Buyer:
    sites = [s for s in buyer.session.items("/api/v1/sites") if s["kind"] == "customer"]
    if not sites:
        raise RuntimeError(f"{buyer.name} has no delivery site")
    buyer.site_id, buyer.site = sites[0]["id"], latlon(sites[0]["location"])
    return buyer


def _look_around_carrier(carrier: Carrier) -> Carrier:
    session = carrier.session
    sites = session.items("/api/v1/sites")
    if sites:
        carrier.depot = latlon(sites[0]["location"])
    types = {t["id"]: t for t in session.items("/api/v1/vehicle-types")}
    for vehicle in session.items("/api/v1/vehicles"):
        vtype = types.get(vehicle["vehicle_type_id"])
        if vehicle.get("active", True) and vtype is not None:
            carrier.vehicles.append({**vehicle, "equipment": vtype.get("equipment") or [],
                                     "max_weight_kg": vtype["max_weight_kg"], "max_volume_m3": vtype["max_volume_m3"],
                                     "pallet_positions": vtype["pallet_positions"]})
    carrier.drivers = [d for d in session.items("/api/v1/drivers") if d.get("active", True)]
    carrier.user_emails = {u["id"]: u["email"] for u in session.items("/api/v1/users")}
    return carrier


def prepare_plant(seller: Seller) -> None:
    """The demo plant works round the clock, so a demo day can run at any hour of the week."""
    session, changed = seller.session, False
    site = session.get(f"/api/v1/sites/{seller.plant_id}")
    if site.get("opening_hours") != ROUND_THE_CLOCK:
        session.patch(f"/api/v1/sites/{seller.plant_id}", {"opening_hours": ROUND_THE_CLOCK})
        changed = True
    for dock in seller.docks:
        if dock.get("opening_hours") != ROUND_THE_CLOCK or dock.get("breaks"):
            session.patch(f"/api/v1/sites/{seller.plant_id}/docks/{dock['id']}",
                          {"opening_hours": ROUND_THE_CLOCK, "breaks": []})
            changed = True
    if changed:
        log.info("demo: %s's plant and docks now work round the clock (so the demo runs at any hour)",
                 seller.name)
        _look_around_seller(seller)


def prepare_trading(cast: Cast) -> None:
    """The seller trades with every demo buyer: it asks, the buyer accepts (the seed already did both)."""
    seller = cast.seller.session
    status = {r["buyer"]["id"]: r for r in seller.items("/api/v1/trading-relationships")}
    for buyer_id, buyer in cast.buyers.items():
        if status.get(buyer_id, {}).get("status") == "accepted":
            continue
        asked = seller.post("/api/v1/trading-relationships", {"buyer_id": buyer_id, "message": "Haul demo"})
        buyer.session.post(f"/api/v1/trading-relationships/{asked['id']}/accept")
        log.info("demo: %s accepted %s as a trading partner", buyer.name, cast.seller.name)
