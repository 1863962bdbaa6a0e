"""The day's order book: the seller's ERP posts orders, then the seller builds truckloads from them.

Orders go through POST /api/v1/orders with an ``Idempotency-Key`` made of the day number, so
posting a day again (after a crash or a restart) returns the same orders. Loads come from a
load-plan preview and its commit, as a dispatcher would do it on the seller's dashboard.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from server.demo.api import ApiError
from server.demo.cast import Cast
from server.demo.state import DayState

log = logging.getLogger("haul.demo")

# sku, description, kg, m3 and pallets per unit, hazmat class, may the line be split
PRODUCTS = {
    "cement": ("CEM-I-42.5", "Cement CEM I 42.5 R, bagged", 1_000, 1.0, 0.65, None, True),
    "lime": ("LIME-HYD", "Hydrated lime, big bags", 900, 0.9, 1.1, "8", False),
    "mortar": ("MORT-M10", "Dry mortar M10, bagged", 1_000, 0.8, 0.65, None, True),
}
# (which buyer, product, quantity): two lanes, two truckloads each.
DAY_ORDERS = [(0, "cement", 18), (1, "cement", 20), (0, "lime", 15), (1, "mortar", 14)]
PICKUP_HOURS, DELIVERY_HOURS = 10, 30  # real hours: generous, since the server keeps real time


def reference(day: int, number: int) -> str:
    return f"DEMO{day:03d}-{number}"


def order_payloads(cast: Cast, day: int, now: datetime) -> list[tuple[str, dict]]:
    """(idempotency key, order body) for each of the day's orders."""
    buyers = sorted(cast.buyers.items())
    start = now.replace(microsecond=0) + timedelta(minutes=1)
    payloads = []
    for number, (buyer_index, product, quantity) in enumerate(DAY_ORDERS, start=1):
        buyer_id, buyer = buyers[(buyer_index + day - 1) % len(buyers)]
        sku, description, kg, m3, pallets, hazmat, splittable = PRODUCTS[product]
        body = {
            "reference": reference(day, number), "buyer_id": buyer_id,
            "pickup_site_id": cast.seller.plant_id, "delivery_site_id": buyer.site_id,
            "pickup_window": {"earliest": _iso(start), "latest": _iso(start + timedelta(hours=PICKUP_HOURS))},
            "delivery_window": {"earliest": _iso(start), "latest": _iso(start + timedelta(hours=DELIVERY_HOURS))},
            "notes": f"Haul demo day {day}",
            "lines": [{"sku": sku, "description": description, "quantity": quantity + (day % 3),
                       "unit_weight_kg": kg, "unit_volume_m3": m3, "unit_pallets": pallets,
                       "hazmat_class": hazmat, "splittable": splittable}],
        }
        payloads.append((f"haul-demo:day-{day}:order-{number}", body))
    return payloads


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def post_orders(cast: Cast, state: DayState, now: datetime) -> list[int]:
    """Post (or find again) the day's orders; returns their ids."""
    ids = []
    for key, body in order_payloads(cast, state.day, now):
        order = cast.seller.session.post("/api/v1/orders", body, headers={"Idempotency-Key": key})
        ids.append(order["id"])
    log.info("demo: day %d: %s posted %d orders (%s .. %s) through the order API", state.day,
             cast.seller.name, len(ids), reference(state.day, 1), reference(state.day, len(ids)))
    return ids


def build_loads(cast: Cast, state: DayState) -> list[int]:
    """Preview a load plan for the day's orders and commit it; returns the new loads' ids.

    When the orders are on loads already (the demo stopped between the commit and saving its
    state), the seller's loads made since the day started are taken instead; none at all means
    an earlier demo played this day (and its state file is gone).
    """
    session = cast.seller.session
    try:
        plan = session.post("/api/v1/load-plans", {"order_ids": state.order_ids, "time_limit_s": 1.0})
    except ApiError as exc:
        if exc.status != 409:
            raise
        loads = [load for load in session.items("/api/v1/loads", role="seller")
                 if load["created_at"] >= (state.started_at or "") and load["status"] != "cancelled"]
        if loads:
            log.info("demo: day %d: the orders are on loads already; carrying on with those %d", state.day, len(loads))
        return sorted(load["id"] for load in loads)
    summary = ", ".join(f"{load['vehicle_type']} {load['totals']['weight_kg'] / 1000:.1f} t"
                        for load in plan["plan"]["loads"])
    committed = session.post(f"/api/v1/load-plans/{plan['id']}/commit")
    log.info("demo: day %d: load building made %d truckloads (%s)", state.day, len(committed["load_ids"]), summary)
    return committed["load_ids"]
