"""Seeding shipments for the browser tests through the real REST API, as the ERPs and apps would:
order -> load plan -> commit -> tender -> grab -> truck and driver assigned."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta

import requests

from server.seed import DEMO_PASSWORD

LOGINS = {"seller": "dispatch@rheinkalk.demo", "buyer": "buyer@baustoff.demo", "buyer2": "buyer@hafen.demo",
          "carrier": "dispatch@weber.demo", "carrier2": "dispatch@transeuropa.demo", "admin": "admin@platform.demo",
          "inspector": "inspector@rheininspect.demo"}
ALL_DAY = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def order_body(buyer_id: int, plant_id: int, site_id: int, tonnes: int = 20) -> dict:
    """An order of bagged cement, picked up within six hours; one truck takes 24 t."""
    now = datetime.now(UTC)
    return {"reference": f"BT-{uuid.uuid4().hex[:6].upper()}", "buyer_id": buyer_id, "pickup_site_id": plant_id,
            "delivery_site_id": site_id,
            "pickup_window": {"earliest": (now + timedelta(minutes=30)).isoformat(),
                              "latest": (now + timedelta(hours=6)).isoformat()},
            "delivery_window": {"earliest": (now + timedelta(hours=3)).isoformat(),
                                "latest": (now + timedelta(hours=30)).isoformat()},
            "lines": [{"sku": "CEM-I-42.5", "quantity": tonnes, "unit_weight_kg": 1000, "unit_volume_m3": 0.65,
                       "unit_pallets": 0.6, "splittable": True}]}


class Api:
    """Bearer-token calls for each demo party; raises with the problem document on any error."""

    def __init__(self, base_url: str):
        self.base = base_url
        self.tokens: dict[str, str] = {}
        self._plates = itertools.count(1)

    def login(self, party: str) -> str:
        if party not in self.tokens:
            r = requests.post(f"{self.base}/api/v1/auth/token", json={"email": LOGINS[party],
                                                                      "password": DEMO_PASSWORD}, timeout=30)
            r.raise_for_status()
            self.tokens[party] = r.json()["token"]
        return self.tokens[party]

    def call(self, party: str, method: str, path: str, json=None, expect=(200, 201, 202, 204)):
        r = requests.request(method, f"{self.base}{path}", json=json, timeout=60,
                             headers={"Authorization": f"Bearer {self.login(party)}"})
        if r.status_code not in expect:
            raise AssertionError(f"{method} {path} as {party}: {r.status_code} {r.text[:1500]}")
        return r.json() if r.content else None

    def open_all_day(self) -> None:
        """The plant and its docks open around the clock, so slots exist whenever the tests run."""
        plant = self.plant()
        self.call("seller", "PATCH", f"/api/v1/sites/{plant['id']}", {"opening_hours": ALL_DAY})
        for dock in plant["docks"]:
            self.call("seller", "PATCH", f"/api/v1/sites/{plant['id']}/docks/{dock['id']}", {"opening_hours": ALL_DAY})

    def plant(self) -> dict:
        return self.call("seller", "GET", "/api/v1/sites")["items"][0]

    def add_truck(self, carrier: str) -> tuple[int, int]:
        """A fresh curtainsider and driver for ``carrier``, so no test waits for a busy truck."""
        types = self.call(carrier, "GET", "/api/v1/vehicle-types")["items"]
        pallet = next(t for t in types if "pallet_dock" in t["equipment"])
        vehicle = self.call(carrier, "POST", "/api/v1/vehicles", {
            "vehicle_type_id": pallet["id"], "plate": f"BT-{next(self._plates)}{uuid.uuid4().hex[:3]}".upper()})
        driver = self.call(carrier, "POST", "/api/v1/drivers", {"name": f"Test driver {uuid.uuid4().hex[:4]}"})
        return vehicle["id"], driver["id"]

    def draft_load(self, buyer: str = "buyer", tonnes: int = 20) -> dict:
        """One order for ``buyer`` planned and committed as one draft load; returns the load."""
        plant = self.plant()
        site = self.call(buyer, "GET", "/api/v1/sites")["items"][0]
        buyer_id = self.call(buyer, "GET", "/api/v1/auth/me")["organisation_id"]
        order = self.call("seller", "POST", "/api/v1/orders", order_body(buyer_id, plant["id"], site["id"], tonnes))
        plan = self.call("seller", "POST", "/api/v1/load-plans", {"order_ids": [order["id"]], "time_limit_s": 1})
        load_ids = self.call("seller", "POST", f"/api/v1/load-plans/{plan['id']}/commit")["load_ids"]
        assert len(load_ids) == 1, plan
        return self.call("seller", "GET", f"/api/v1/loads/{load_ids[0]}")

    def tender(self, load_id: int, price: float = 900.0) -> dict:
        return self.call("seller", "POST", f"/api/v1/loads/{load_id}/tenders",
                         {"mode": "grab", "price": price, "radius_km": 0})

    def assigned_load(self, buyer: str = "buyer", carrier: str = "carrier") -> dict:
        """A load grabbed by ``carrier`` with a new truck and driver on it (status ``assigned``)."""
        load = self.draft_load(buyer)
        tender = self.tender(load["id"])
        self.call(carrier, "POST", f"/api/v1/tenders/{tender['id']}/grab")
        vehicle_id, driver_id = self.add_truck(carrier)
        return self.call(carrier, "POST", f"/api/v1/loads/{load['id']}/assignment",
                         {"vehicle_id": vehicle_id, "driver_id": driver_id})
