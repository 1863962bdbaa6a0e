"""At the plant and at the buyer: gate check-in, the dock calls, loading with evidence, and delivery.

The driver scans in at the gate with the pickup authorization's token (POST /api/v1/yard/checkin)
once the truck reached the plant. The plant's dock manager works the virtual queue: calls the
next truck to its dock after a while, starts loading, records the weigh-bridge ticket and the
seal (the driver adds a photo), marks it loaded and lets it depart, which puts the load in
transit. At the buyer the driver hands over and the proof of delivery is signed.
"""

from __future__ import annotations

import logging
import random

from server.demo import pace as steps
from server.demo.api import ApiError
from server.demo.artwork import as_base64, photo_png, signature_png
from server.demo.cast import Cast
from server.demo.drivers import Drivers
from server.demo.pace import Timers

log = logging.getLogger("haul.demo")

AT_PLANT = ("authorized", "at_pickup", "loading")
AT_GATE = ("authorized", "at_pickup")  # a loading truck is inside already
NEXT_STEP = {"called": ("loading", steps.CALLED_TO_LOADING), "loading": ("loaded", steps.LOADING),
             "loaded": ("departed", steps.LOADED_TO_DEPARTED)}


class Yard:
    """The gate, the dock manager and the hand-over at the buyer, one tick at a time."""

    def __init__(self, cast: Cast, timers: Timers, drivers: Drivers, rng: random.Random):
        self.cast, self.timers, self.drivers, self.rng = cast, timers, drivers, rng
        self.checked_in: set[int] = set()
        self.evidence: set[int] = set()

    def tick(self, loads: dict[int, dict]) -> None:
        if any(load["status"] in AT_PLANT for load in loads.values()):
            self._work_the_queue(loads)  # first: it also learns which trucks are inside already
        for load in loads.values():
            if load["status"] in AT_GATE and load["id"] not in self.checked_in and self.drivers.arrived(load["id"], 1):
                self._check_in(load)
            elif load["status"] == "in_transit" and self.drivers.arrived(load["id"], 2):
                if self.timers.due((load["id"], "unload"), steps.UNLOADING):
                    self._deliver(load)

    # -- the gate --------------------------------------------------------------------------
    def _check_in(self, load: dict) -> None:
        carrier = self.cast.carriers[load["carrier_id"]]
        driver = carrier.driver_session(load["driver_id"])
        token = next((a["token"] for a in driver.items("/api/v1/pickup-authorizations")
                      if a["load_id"] == load["id"] and not a["revoked_at"] and a["token"]), None)
        if token is None:
            log.info("demo: the driver of %s has no pickup authorization to show yet", load["reference"])
            return
        # What the gate sees besides the QR code: the truck's plate (and the driver, when signed in as one).
        plate = next((v["plate"] for v in carrier.vehicles if v["id"] == load.get("vehicle_id")), None)
        try:
            visit = driver.post("/api/v1/yard/checkin", {"load_id": load["id"], "token": token, "plate": plate})
        except ApiError as exc:
            if exc.status == 403:
                log.info("demo: the gate refused %s: %s", load["reference"], exc.reason or exc.detail)
                return
            raise
        self.checked_in.add(load["id"])
        log.info("demo: the driver of %s showed the QR code at the gate: checked in, queue position %s",
                 load["reference"], visit.get("position") or "-")

    # -- the dock manager ------------------------------------------------------------------
    def _work_the_queue(self, loads: dict[int, dict]) -> None:
        seller = self.cast.seller
        entries = seller.session.get(f"/api/v1/sites/{seller.plant_id}/queue")["entries"]
        held = {e["called_dock_id"] for e in entries if e["status"] != "arrived"}
        for entry in entries:
            load = loads.get(entry["load_id"])
            if load is None:
                continue
            self.checked_in.add(load["id"])  # the truck is inside (also after a restart)
            if entry["status"] == "arrived":
                if self.timers.due((load["id"], "call"), steps.WAIT_BEFORE_CALL):
                    self._call(entry, load, held)
                continue
            if entry["status"] == "loading" and load["id"] not in self.evidence:
                self._record_evidence(load)
            target, minutes = NEXT_STEP.get(entry["status"], (None, 0))
            if target and self.timers.due((load["id"], target), minutes):
                seller.session.post(f"/api/v1/yard/visits/{entry['visit_id']}/transition", {"to": target})
                log.info("demo: %s at the plant: %s %s", load["reference"], entry["plate"] or "the truck",
                         {"loading": "is being loaded", "loaded": "is loaded",
                          "departed": "left the plant; the load is in transit"}[target])
                if target == "departed":
                    load["status"] = "in_transit"

    def _call(self, entry: dict, load: dict, held: set) -> None:
        session = self.cast.seller.session
        free = [d for d in self.cast.seller.docks
                if d["equipment"] == load["required_equipment"] and d["id"] not in held]
        choices = [None] + [d["id"] for d in free]  # the appointment's dock first, then any free one
        for dock_id in choices:
            try:
                visit = session.post(f"/api/v1/yard/visits/{entry['visit_id']}/call",
                                     {} if dock_id is None else {"dock_id": dock_id})
            except ApiError as exc:
                if exc.status in (409, 422):
                    continue
                raise
            held.add(visit["called_dock_id"])
            name = next((d["name"] for d in self.cast.seller.docks if d["id"] == visit["called_dock_id"]), "a dock")
            log.info("demo: %s called truck %s (%s) to %s", self.cast.seller.name, entry["plate"],
                     load["reference"], name)
            return
        log.info("demo: no dock is free for %s yet; it keeps its place in the queue", load["reference"])

    def _record_evidence(self, load: dict) -> None:
        """The weigh-bridge ticket and seal by the plant, a photo by the driver, chained on the load."""
        seller, plant = self.cast.seller.session, self.cast.seller.plant
        self.evidence.add(load["id"])
        if seller.get(f"/api/v1/loads/{load['id']}/evidence")["items"]:
            return  # recorded before a restart; evidence is append-only, so never twice
        position = {"lat": plant[0], "lon": plant[1]}
        tare = round(self.rng.uniform(13_800, 15_200))
        gross = round(tare + load["weight_kg"] * self.rng.uniform(0.993, 1.007))
        seller.post(f"/api/v1/loads/{load['id']}/evidence", {
            "kind": "weigh_ticket", "payload": {"tare_kg": tare, "gross_kg": gross, "ticket": f"WB-{load['id']:05d}"},
            "position": position, "device_id": "weighbridge-1"})
        seal = f"RK{self.rng.randrange(100000, 999999)}"
        seller.post(f"/api/v1/loads/{load['id']}/evidence", {"kind": "seal", "payload": {"seal_number": seal},
                                                             "position": position, "device_id": "dock-tablet"})
        carrier = self.cast.carriers[load["carrier_id"]]
        carrier.driver_session(load["driver_id"]).post(f"/api/v1/loads/{load['id']}/evidence", {
            "kind": "photo", "payload": {"content_base64": as_base64(photo_png(load["id"])),
                                         "caption": "load secured before sealing"},
            "position": position, "device_id": f"phone-{load['vehicle_id']}"})
        log.info("demo: evidence for %s: weigh ticket (net %d kg), seal %s and the driver's photo", load["reference"],
                 gross - tare, seal)

    # -- the buyer's dock ------------------------------------------------------------------
    def _deliver(self, load: dict) -> None:
        carrier = self.cast.carriers[load["carrier_id"]]
        driver = carrier.driver_session(load["driver_id"])
        exceptions = []
        if self.rng.random() < 0.25:
            exceptions = [{"code": "damaged", "note": "one pallet wrap torn, goods intact"}]
        stops = [s for s in driver.get(f"/api/v1/loads/{load['id']}/stops") if s["kind"] == "delivery"]
        if stops:  # a multi-drop load is signed for stop by stop (a whole-load proof is refused)
            for stop in stops:
                if stop["status"] != "delivered":
                    self._sign(driver, f"/api/v1/loads/{load['id']}/stops/{stop['id']}/pod", load, stop["buyer_id"],
                               stop["pallets"], exceptions)
        else:
            self._sign(driver, f"/api/v1/loads/{load['id']}/pod", load, load["buyer_id"], load["pallets"], exceptions)
        load["status"] = "delivered"

    def _sign(self, driver, path: str, load: dict, buyer_id: int | None, pallets: float, exceptions: list) -> None:
        buyer = self.cast.buyers.get(buyer_id)
        site = buyer.site if buyer else self.cast.seller.plant
        pod = driver.post(path, {
            "signed_by": f"Goods receipt, {buyer.name if buyer else 'the buyer'}",
            "received_quantity": pallets, "exceptions": exceptions,
            "position": {"lat": site[0], "lon": site[1]}, "device_id": f"phone-{load['vehicle_id']}",
            "signature_base64": as_base64(signature_png(load["id"]))})
        log.info("demo: %s delivered to %s, proof of delivery signed by %r%s", load["reference"],
                 buyer.name if buyer else "the buyer", pod["signed_by"],
                 f" with an exception ({exceptions[0]['code']})" if exceptions else "")
