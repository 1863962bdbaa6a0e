"""The demo's last step of a shipment: the carrier bills each delivered load, the seller's audit approves it
(or the seller's admin does), the seller pays it, and at the end of the day both sides confirm a statement.

All through the public REST API, as the carriers' and the seller's ERPs would. On its first run the
seller agrees an accessorial schedule with each carrier for each buyer's lane (contract rates per
trip; awarded loads are billed at their awarded price), so detention from the yard's own gate
times shows up on the bills.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime

from server.demo.api import ApiError
from server.demo.cast import Cast
from server.demo.pace import real_now

log = logging.getLogger("haul.demo")
SCHEDULE = {"free_minutes_pickup": 60, "detention_period_minutes": 30, "detention_rate": "35.00",
            "free_minutes_delivery": 60, "layover_fee": "180.00", "late_cancellation_fee": "150.00",
            "truck_ordered_not_used_fee": "250.00", "extra_stop_fee": "60.00"}


class Settlement:
    def __init__(self, cast: Cast, now: Callable[[], datetime] = real_now):
        self.cast, self.now = cast, now
        self.settled: set[int] = set()
        self.agreed = False

    def _agree(self) -> None:
        seller = self.cast.seller
        year = self.now().year
        for carrier in self.cast.carriers.values():
            for buyer in self.cast.buyers.values():
                try:
                    seller.session.post("/api/v1/rate-agreements", {
                        "reference": f"DEMO-{carrier.org_id}-{buyer.site_id}", "carrier_id": carrier.org_id,
                        "currency": "EUR", "lane": {"origin_site_id": seller.plant_id,
                                                    "destination_site_id": buyer.site_id},
                        "valid_from": f"{year}-01-01", "valid_to": f"{year + 1}-12-31", "basis": "trip",
                        "rate": "850.00", "accessorials": SCHEDULE, "tax_rate_pct": "19", "tolerance_pct": "2"})
                except ApiError as exc:
                    if exc.status != 422:  # 422: agreed on an earlier run (an overlapping agreement)
                        raise
        self.agreed = True

    def tick(self, loads: dict[int, dict]) -> None:
        if not self.agreed:
            self._agree()
        for load in loads.values():
            if load["status"] not in ("delivered", "closed") or load["id"] in self.settled:
                continue
            carrier = self.cast.carriers.get(load.get("carrier_id"))
            if carrier is None:
                continue
            self._settle(carrier, load)
            self.settled.add(load["id"])

    def _settle(self, carrier, load: dict) -> None:
        seller = self.cast.seller.session
        try:
            bill = carrier.session.post("/api/v1/freight-bills", {"load_id": load["id"]})
        except ApiError as exc:
            if exc.status != 409:  # 409: billed on an earlier run
                raise
            return
        bill = carrier.session.post(f"/api/v1/freight-bills/{bill['id']}/issue")
        if bill["status"] == "issued":  # above the tolerance: the seller's admin looks and approves
            bill = seller.post(f"/api/v1/freight-bills/{bill['id']}/approve", {"note": "checked in the demo"})
        seller.post(f"/api/v1/freight-bills/{bill['id']}/payments",
                    {"amount": bill["open"], "currency": bill["currency"], "reference": f"DEMO-PAY-{bill['id']}"})
        log.info("demo: %s billed %s for %s (%s lines); the seller paid it", carrier.name, bill["total"],
                 load["reference"], len(bill["lines"]))

    def close_day(self, day: date) -> None:
        """Each carrier's statement of the day, confirmed by both sides."""
        seller = self.cast.seller.session
        for carrier in self.cast.carriers.values():
            statement = seller.post("/api/v1/statements", {"counterparty_id": carrier.org_id, "currency": "EUR",
                                                           "period_start": day.isoformat(), "period_end": day.isoformat()})
            if not statement["documents"]:
                continue
            seller.post(f"/api/v1/statements/{statement['id']}/confirm")
            carrier.session.post(f"/api/v1/statements/{statement['id']}/confirm")
            log.info("demo: %s and the seller confirmed statement %s: closing balance %s %s", carrier.name,
                     statement["id"], statement["closing_balance"], statement["currency"])
