"""Builders for settlement tests: a delivered load with its gate times, GPS events and weigh tickets.

Rows are created directly (settlement reads facts, however they were recorded). The pickup is on
``PICKUP`` (2026-11-10 08:00 UTC); sites come from the ``trade`` fixture.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.extensions import db
from server.models import Award, Event, Load, Tender, YardVisit
from server.yard.evidence import append

PICKUP = datetime(2026, 11, 10, 8, 0, tzinfo=UTC)
AGREEMENT = {"reference": "RA-2026", "currency": "EUR", "valid_from": "2026-01-01", "valid_to": "2026-12-31",
             "basis": "tonne", "rate": "30.00", "tax_rate_pct": "19", "tolerance_pct": "2",
             "accessorials": {"free_minutes_pickup": 120, "detention_period_minutes": 60, "detention_rate": "45.00"}}


def agreement_body(trade, carrier_id: int, **overrides) -> dict:
    lane = {"origin_site_id": trade["plant"]["id"], "destination_site_id": trade["yard"]["id"]}
    return {**AGREEMENT, "carrier_id": carrier_id, "lane": lane, **overrides}


def delivered_load(trade, carrier_id: int, *, reference: str = "L-1", gate_in_min: int = 0, gate_out_min: int = 210,
                   tickets=((24_100, False), (24_050, True)), award_price: float | None = None,
                   status: str = "delivered", freight_payer: str = "seller") -> Load:
    """A load picked up on ``PICKUP``: gate-in and gate-out minutes after 08:00, weigh tickets (net kg, third party)."""
    load = Load(seller_org_id=trade["seller"].id, buyer_org_id=trade["buyer"].id, carrier_org_id=carrier_id,
                reference=reference, status=status, pickup_site_id=trade["plant"]["id"],
                delivery_site_id=trade["yard"]["id"], pickup_earliest=PICKUP, pickup_latest=PICKUP + timedelta(hours=4),
                delivery_earliest=PICKUP + timedelta(hours=4), delivery_latest=PICKUP + timedelta(hours=30),
                weight_kg=24_000, volume_m3=30, pallets=20, freight_payer=freight_payer)
    db.session.add(load)
    db.session.flush()
    steps = [("arrived", gate_in_min), ("called", gate_in_min + 5), ("loading", gate_in_min + 10)]
    if gate_out_min is not None:
        steps.append(("departed", gate_out_min))
    history = [{"status": s, "at": (PICKUP + timedelta(minutes=m)).isoformat(), "by": None} for s, m in steps]
    db.session.add(YardVisit(load_id=load.id, site_id=load.pickup_site_id, status=steps[-1][0], history=history,
                             arrived_at=PICKUP + timedelta(minutes=gate_in_min)))
    if award_price is not None:
        tender = Tender(load_id=load.id, seller_org_id=load.seller_org_id, mode="grab", status="awarded",
                        price=award_price)
        db.session.add(tender)
        db.session.flush()
        db.session.add(Award(tender_id=tender.id, load_id=load.id, carrier_org_id=carrier_id, price=award_price,
                             rule="grab"))
    db.session.add(Event(kind="delivered", time=PICKUP + timedelta(hours=6), load_id=load.id, data={}))
    for k, (net, third_party) in enumerate(tickets):
        payload = {"tare_kg": 14_000, "gross_kg": 14_000 + net, "net_kg": net}
        if third_party:
            payload.update(third_party=True, agency="Weighing Agency")
        append(None, load, "weigh_ticket", payload, PICKUP + timedelta(minutes=gate_in_min + 60 + k))
    db.session.commit()
    db.session.refresh(load)
    db.session.expunge(load)
    return load
