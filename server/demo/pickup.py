"""Before the truck arrives: the buyer authorizes the pickup and the plant books the dock schedule.

The buyer authorizes the awarded carrier's assigned driver and truck (the signed token the
driver later shows as a QR code at the gate); on a multi-drop load every buyer with a stop does. The plant's dock manager plans the day's dock
schedule with the scheduler (POST /api/v1/sites/{id}/schedule); a load the plan leaves out
is booked by its carrier into the first slot offered for it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from server.demo.api import ApiError
from server.demo.cast import Cast
from server.demo.pace import real_now

log = logging.getLogger("haul.demo")

PLANT_ZONE = ZoneInfo("Europe/Berlin")  # the seed's sites are all in Germany
BOOKABLE = ("assigned", "authorized")
# An offered slot someone took, or that time passed by (into the past, or inside the plant's booking lead time:
# at 3600x a second of choosing is an hour) before booking: the next offered slot is tried.
GONE_MEANWHILE = ("in_the_past", "dock_taken", "lead_time")


class Pickup:
    """Authorizations and dock bookings for the day's loads."""

    def __init__(self, cast: Cast, now: Callable[[], datetime] = real_now):
        self.cast, self.now = cast, now
        self.booked: set[int] = set()  # loads with a slot, or given up on

    def tick(self, loads: dict[int, dict]) -> None:
        for load in loads.values():
            if load["status"] == "assigned" and load.get("driver_id"):
                self._authorize(load)
        unbooked = [load for load in loads.values() if load["status"] in BOOKABLE and load["id"] not in self.booked]
        if unbooked:
            self._plan_docks(unbooked, loads)

    def _authorize(self, load: dict) -> None:
        # A multi-drop load is authorized by every buyer with a stop on it, each for its own goods.
        stops = self.cast.seller.session.get(f"/api/v1/loads/{load['id']}/stops")
        buyer_ids = sorted({s["buyer_id"] for s in stops if s["kind"] == "delivery" and s["buyer_id"]}) \
            or [load["buyer_id"]]
        buyers = [self.cast.buyers.get(buyer_id) for buyer_id in buyer_ids]
        if None in buyers:
            return  # a buyer the demo does not play: the load waits for it
        for buyer in buyers:
            row = buyer.session.post(f"/api/v1/loads/{load['id']}/pickup-authorizations", {"valid_hours": 24})
            carrier = self.cast.carriers.get(load["carrier_id"])
            log.info("demo: %s authorized %s to collect %s with truck %s (token valid until %s)", buyer.name,
                     carrier.name if carrier else "the carrier", load["reference"], row["plate"],
                     row["expires_at"][:16].replace("T", " "))
        load["status"] = "authorized"

    def _plan_docks(self, unbooked: list[dict], loads: dict[int, dict]) -> None:
        seller = self.cast.seller
        day = self.now().astimezone(PLANT_ZONE).date().isoformat()
        plan = seller.session.post(f"/api/v1/sites/{seller.plant_id}/schedule", {"day": day, "time_limit_s": 1.0})
        for appointment in plan.get("booked", []):
            self.booked.add(appointment["load_id"])
            ref = loads.get(appointment["load_id"], {}).get("reference", f"load {appointment['load_id']}")
            log.info("demo: %s's dock schedule booked %s at %s from %s", seller.name, ref, appointment["dock_name"],
                     _local(appointment["start"]))
        for load in unbooked:
            if load["id"] not in self.booked:
                self._book_first_slot(load)

    def _book_first_slot(self, load: dict) -> None:
        carrier = self.cast.carriers.get(load["carrier_id"])
        if carrier is None:
            return
        try:
            carrier.session.get(f"/api/v1/loads/{load['id']}/appointment")
            self.booked.add(load["id"])  # booked already (an earlier run, or the plant)
            return
        except ApiError as exc:
            if exc.status != 404:
                raise
        offered = carrier.session.get(f"/api/v1/loads/{load['id']}/slots")["slots"]
        self.booked.add(load["id"])
        for slot in offered:  # the first one that did not pass, nor was taken, while the dispatcher chose
            try:
                carrier.session.post(f"/api/v1/loads/{load['id']}/appointment", {"dock_id": slot["dock_id"],
                                                                                  "start": slot["start"]})
            except ApiError as exc:
                if exc.reason in GONE_MEANWHILE:
                    continue
                raise
            log.info("demo: %s booked %s at %s from %s", carrier.name, load["reference"], slot["dock_name"],
                     _local(slot["start"]))
            return
        log.info("demo: no dock slot is free for %s; the truck will queue at the gate without one", load["reference"])


def _local(iso: str) -> str:
    """'14:30' at the plant for an ISO time."""
    return datetime.fromisoformat(iso).astimezone(PLANT_ZONE).strftime("%H:%M")
