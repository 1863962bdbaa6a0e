"""The load board, played by the seller and the carriers' dispatchers.

The seller puts every draft load of the day on the board: fixed-price grabs (first come, first
served) and reverse auctions (one with an auto-accept target). Each carrier watches its board
and acts only on loads it has a free, qualified truck for: it grabs after a short reaction
time, or bids below the ceiling and undercuts the lead while it may. The seller's reads close
auctions at their deadline (the market refreshes tenders lazily). The winner assigns a truck
and a driver.
"""

from __future__ import annotations

import logging
import random

from driver_app.core.positions import haversine_m
from server.demo import pace as steps
from server.demo.api import ApiError
from server.demo.cast import Carrier, Cast
from server.demo.pace import Pace, Timers

log = logging.getLogger("haul.demo")

ACTIVE = ("awarded", "assigned", "authorized", "at_pickup", "loading", "in_transit")
EURO_PER_KM, EURO_BASE, ROAD_FACTOR = 1.9, 120.0, 1.3


def needs_of(load: dict) -> dict:
    return {"equipment": load.get("required_equipment") or "pallet_dock", "weight_kg": load["weight_kg"],
            "volume_m3": load["volume_m3"], "pallets": load["pallets"], "hazmat": bool(load.get("hazmat_classes"))}


def fits(truck: dict, needs: dict) -> bool:
    return (needs["equipment"] in truck["equipment"] and truck["max_weight_kg"] >= needs["weight_kg"]
            and truck["max_volume_m3"] >= needs["volume_m3"] and truck["pallet_positions"] >= needs["pallets"]
            and (truck["hazmat_certified"] or not needs["hazmat"]))


def spare_trucks(carrier: Carrier, committed: list[dict]) -> list[dict]:
    """The carrier's trucks left once each committed load has one (hazardous loads matched first)."""
    free = list(carrier.vehicles)
    for needs in sorted(committed, key=lambda n: not n["hazmat"]):
        match = next((t for t in sorted(free, key=lambda t: t["hazmat_certified"]) if fits(t, needs)), None)
        if match is not None:
            free.remove(match)
    return free


class Market:
    """The seller's tendering and the carriers' grabbing, bidding and assignment, one tick at a time."""

    def __init__(self, cast: Cast, pace: Pace, timers: Timers, rng: random.Random):
        self.cast, self.pace, self.timers, self.rng = cast, pace, timers, rng
        self.tenders: dict[int, dict] = {}  # load id -> its latest tender, as the seller sees it
        self.refused: set[tuple[int, str, int]] = set()  # (load id, "vehicle"|"driver", id) the server refused
        self.waiting: set[int] = set()  # awarded loads whose carrier has no free truck yet (said once)

    def tick(self, loads: dict[int, dict], order: list[int]) -> None:
        if any(load["status"] in ("draft", "tendered") for load in loads.values()):
            self._seller_reads_board(loads)
        for load_id in order:
            if loads[load_id]["status"] == "draft":
                self._tender(loads[load_id], order.index(load_id))
        if any(load["status"] == "tendered" for load in loads.values()):
            for carrier in self.cast.carriers.values():
                self._carrier_turn(carrier, loads)
        for load in loads.values():
            if load["status"] == "awarded":
                self._assign(load, loads)

    # -- the seller ------------------------------------------------------------------------
    def list_price(self, load: dict) -> float:
        buyer = self.cast.buyer_by_site(load["delivery_site_id"])
        km = haversine_m(*self.cast.seller.plant, *buyer.site) / 1000 * ROAD_FACTOR if buyer else 100.0
        return round((EURO_BASE + km * EURO_PER_KM) / 10) * 10

    def _tender(self, load: dict, index: int) -> None:
        """Loads take turns: a fixed-price grab, an auction, an auction with an auto-accept target."""
        price = self.list_price(load)
        if index % 3 == 0:
            terms = {"mode": "grab", "price": price}
            what = f"a fixed-price grab at {price:.0f} EUR"
        else:
            real_s = max(self.pace.real_s(steps.AUCTION_MINUTES), self.pace.min_auction_real_s)
            deadline = self.pace.after_real_s(real_s)
            terms = {"mode": "auction", "ceiling_price": round(price * 1.15), "min_decrement": 5.0,
                     "max_bids_per_carrier": 3, "deadline": deadline.isoformat()}
            what = f"an auction, ceiling {price * 1.15:.0f} EUR"
            if index % 3 == 2:
                terms.update(award_rule="auto_accept", target_price=round(price * 0.92))
                what += f", auto-accept at {price * 0.92:.0f} EUR"
        tender = self.cast.seller.session.post(f"/api/v1/loads/{load['id']}/tenders", {**terms, "radius_km": 0})
        self.tenders[load["id"]] = tender
        load["status"] = "tendered"
        log.info("demo: %s tendered %s as %s", self.cast.seller.name, load["reference"], what)

    def _seller_reads_board(self, loads: dict[int, dict]) -> None:
        """The seller's look at its open tenders; the market closes those past their deadline on the read."""
        session = self.cast.seller.session
        seen = {t["load_id"]: t for t in session.items("/api/v1/tenders", status="open") if t["load_id"] in loads}
        for load_id, before in list(self.tenders.items()):
            if load_id in loads and before["status"] == "open" and seen.get(load_id, {}).get("status") != "open":
                after = seen.get(load_id) or session.get(f"/api/v1/tenders/{before['id']}")
                seen[load_id] = after
                if after["status"] != "open":
                    lead = f", lead {after['lead_price']:.0f} EUR" if after["lead_price"] else ""
                    log.info("demo: the tender for %s closed: %s after %d bid(s)%s", loads[load_id]["reference"],
                             after["status"], after["bid_count"], lead)
        self.tenders.update(seen)

    # -- the carriers ----------------------------------------------------------------------
    def _committed(self, carrier: Carrier, loads: dict[int, dict], board: list[dict]) -> list[dict]:
        mine = [needs_of(load) for load in loads.values()
                if load.get("carrier_id") == carrier.org_id and load["status"] in ACTIVE]
        return mine + [needs_of(t["load"]) for t in board if t["my_bids"]]

    def _carrier_turn(self, carrier: Carrier, loads: dict[int, dict]) -> None:
        board = [t for t in carrier.session.items("/api/v1/tenders") if t["load_id"] in loads]
        for tender in board:
            if tender["status"] != "open" or tender["my_bids"]:
                continue
            if not any(fits(t, needs_of(tender["load"])) for t in
                       spare_trucks(carrier, self._committed(carrier, loads, board))):
                continue
            if tender["mode"] == "grab":
                if self.timers.due((tender["load_id"], "grab", carrier.org_id), self.rng.uniform(*steps.GRAB_REACTION)):
                    self._grab(carrier, tender)
            elif tender["mode"] == "auction":
                if self.timers.due((tender["load_id"], "bid", carrier.org_id), self.rng.uniform(*steps.BID_REACTION)):
                    self._bid(carrier, tender, self._opening_bid(tender))
                    tender["my_bids"] = [0.0]  # committed from now on
        for tender in board:
            self._undercut(carrier, tender)

    def _opening_bid(self, tender: dict) -> float:
        """Below the ceiling; a hungry carrier takes an auto-accept target as it stands, to win at once."""
        if tender.get("target_price") and self.rng.random() < 0.6:
            return tender["target_price"]
        return tender["ceiling_price"] * self.rng.uniform(0.84, 0.97)

    def _grab(self, carrier: Carrier, tender: dict) -> None:
        try:
            award = carrier.session.post(f"/api/v1/tenders/{tender['id']}/grab")
        except ApiError as exc:
            if exc.status == 409:
                log.info("demo: %s was too late to grab %s (%s)", carrier.name, tender["load"]["reference"],
                         exc.reason or exc.detail)
                return
            raise
        log.info("demo: %s grabbed %s at %.0f EUR", carrier.name, tender["load"]["reference"], award["price"])

    def _bid(self, carrier: Carrier, tender: dict, price: float) -> None:
        price = float(round(price))
        try:
            placed = carrier.session.post(f"/api/v1/tenders/{tender['id']}/bids", {"price": price})
        except ApiError as exc:
            if exc.status in (409, 422):
                log.info("demo: %s's bid of %.0f EUR on %s was refused (%s)", carrier.name, price,
                         tender["load"]["reference"], exc.reason or exc.detail)
                return
            raise
        won = " and won it at once (auto-accept)" if placed.get("award") else ""
        log.info("demo: %s bid %.0f EUR on %s%s", carrier.name, price, tender["load"]["reference"], won)

    def _undercut(self, carrier: Carrier, tender: dict) -> None:
        bids = [b for b in tender["my_bids"] if b > 0]
        if tender["mode"] != "auction" or tender["status"] != "open" or not bids or tender["lead_price"] is None:
            return
        mine, lead = min(bids), tender["lead_price"]
        price = lead - max(tender["min_decrement"], 5.0)
        floor = tender["ceiling_price"] * 0.72
        if lead < mine and len(bids) < tender["max_bids_per_carrier"] and price >= floor:
            if self.timers.due((tender["load_id"], "undercut", carrier.org_id, len(bids)),
                               self.rng.uniform(*steps.BID_REACTION)):
                self._bid(carrier, tender, price)

    def _assign(self, load: dict, loads: dict[int, dict]) -> None:
        """The winner puts a free, qualified truck and driver on the load."""
        carrier = self.cast.carriers.get(load["carrier_id"])
        if carrier is None:
            return
        others = [x for x in loads.values() if x["id"] != load["id"] and x.get("carrier_id") == carrier.org_id
                  and x["status"] in ACTIVE]
        needs = needs_of(load)
        busy_trucks = {x.get("vehicle_id") for x in others}
        trucks = sorted((t for t in carrier.vehicles if t["id"] not in busy_trucks and fits(t, needs)
                         and (load["id"], "vehicle", t["id"]) not in self.refused),
                        key=lambda t: (t["hazmat_certified"] and not needs["hazmat"], t["id"]))
        busy_drivers = {x.get("driver_id") for x in others}
        drivers = [d for d in carrier.drivers if d["id"] not in busy_drivers
                   and (d["hazmat_certified"] or not needs["hazmat"]) and (load["id"], "driver", d["id"]) not in self.refused]
        if trucks and drivers:  # as a dispatcher does: only what the server's options call suitable (driver hours)
            options = carrier.session.get(f"/api/v1/loads/{load['id']}/assignment-options")
            suitable_trucks = {v["id"] for v in options.get("vehicles", [])}
            suitable_drivers = {d["id"] for d in options.get("drivers", [])}
            trucks = [t for t in trucks if t["id"] in suitable_trucks]
            drivers = [d for d in drivers if d["id"] in suitable_drivers]
        if not trucks or not drivers:
            if load["id"] not in self.waiting:
                self.waiting.add(load["id"])
                log.info("demo: %s has no free truck or driver for %s yet", carrier.name, load["reference"])
            return
        truck, driver = trucks[0], drivers[0]
        try:
            done = carrier.session.post(f"/api/v1/loads/{load['id']}/assignment",
                                        {"vehicle_id": truck["id"], "driver_id": driver["id"]})
        except ApiError as exc:
            if exc.status in (409, 422):  # try another of what the server named (a driver out of hours, a truck)
                named = {error.get("path") for error in exc.errors if isinstance(error, dict)}
                if "driver_id" in named:
                    self.refused.add((load["id"], "driver", driver["id"]))
                if "vehicle_id" in named or "driver_id" not in named:
                    self.refused.add((load["id"], "vehicle", truck["id"]))
            raise
        load.update(status=done["status"], vehicle_id=truck["id"], driver_id=driver["id"])
        log.info("demo: %s put truck %s with %s on %s", carrier.name, truck["plate"], driver["name"],
                 load["reference"])
