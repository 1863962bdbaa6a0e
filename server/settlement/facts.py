"""The plain facts a freight bill is computed from: what happened to one load, with where each fact is recorded.

Pure data (no Flask, no SQLAlchemy): ``server.settlement.gather`` reads them from the database, the
rules in ``accessorials`` and ``charges`` turn them into charges, and tests build them by hand.
Every fact carries a ``ref``: a small dict naming the record it came from (a yard visit step, a
tracking event, an evidence item with its chain hash, a dock appointment), so a charge can cite it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True)
class Fact:
    at: datetime
    source: str  # gate | gps | dwell | appointment | status | pod
    ref: dict


@dataclass(frozen=True)
class Stay:
    """A truck's time at one stop: gate times where the site has a gate, GPS where it has none."""

    stop: str  # pickup | delivery
    gate_in: Fact | None = None
    gate_out: Fact | None = None
    gps_in: Fact | None = None
    gps_out: Fact | None = None
    dwell: Fact | None = None  # the GPS dwell event: the truck was still standing on site at ``dwell.at``
    appointment: Fact | None = None  # the booked slot start; waiting before it is the truck's own


@dataclass(frozen=True)
class WeighTicket:
    seq: int
    hash: str
    net_kg: Decimal
    third_party: bool
    recorded_at: datetime
    superseded: bool = False  # a later item corrects this one

    @property
    def ref(self) -> dict:
        return {"type": "evidence_item", "seq": self.seq, "hash": self.hash, "kind": "weigh_ticket",
                "third_party": self.third_party}


@dataclass(frozen=True)
class Slot:
    """One dock appointment of the load, in booking order; ``by_plant`` when the plant (a manager or a re-plan) made it."""

    start: datetime
    by_plant: bool
    ref: dict


@dataclass(frozen=True)
class Cancellation:
    at: datetime
    assigned: bool  # a truck had been assigned (or the load authorized) before the cancellation
    truck_arrived: bool  # the truck had reached the pickup site
    ref: dict


@dataclass(frozen=True)
class LoadFacts:
    load_id: int
    reference: str
    status: str
    ordered_kg: Decimal
    distance_km: Decimal
    pickup_at: datetime  # the pickup window's start: the rate's validity date and the fuel month
    site_timezone: str = "UTC"
    stops: int = 2  # pickup and delivery; multi-drop loads (#18) pass their own count
    pickup: Stay = field(default_factory=lambda: Stay("pickup"))
    delivery: Stay = field(default_factory=lambda: Stay("delivery"))
    tickets: tuple[WeighTicket, ...] = ()
    slots: tuple[Slot, ...] = ()
    cancellation: Cancellation | None = None
    award_price: Decimal | None = None
    award_ref: dict | None = None
