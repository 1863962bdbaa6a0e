"""Tiny named fixtures of what happened to one load (tests/data/settlement/*.json) as ``LoadFacts``."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from server.settlement.accessorials import Schedule
from server.settlement.charges import Terms
from server.settlement.facts import Cancellation, Fact, LoadFacts, Slot, Stay, WeighTicket

DATA = Path(__file__).resolve().parents[2] / "data" / "settlement"
SCHEDULE = Schedule(detention_rate=Decimal("45.00"), late_cancellation_fee=Decimal("150.00"),
                    truck_ordered_not_used_fee=Decimal("250.00"), layover_fee=Decimal("120.00"),
                    extra_stop_fee=Decimal("60.00"))
SOURCES = {"gate_in": "gate", "gate_out": "gate", "gps_in": "gps", "gps_out": "gps", "dwell": "dwell",
           "appointment": "appointment"}


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _stay(stop: str, given: dict) -> Stay:
    facts = {name: Fact(_at(value), SOURCES[name], {"type": f"{stop}_{name}", "id": k + 1})
             for k, (name, value) in enumerate(given.items())}
    return Stay(stop, **facts)


def load(name: str) -> tuple[LoadFacts, Terms, dict]:
    """(facts, terms, the fixture's expectations) of ``tests/data/settlement/<name>.json``."""
    data = json.loads((DATA / f"{name}.json").read_text())
    given = data.get("load", {})
    cancelled = data.get("cancellation")
    facts = LoadFacts(
        load_id=1, reference="L-1", status=given.get("status", "delivered"),
        ordered_kg=Decimal(given.get("ordered_kg", "24000")), distance_km=Decimal(given.get("distance_km", "120")),
        pickup_at=_at(given.get("pickup_at", "2026-12-01T08:00:00+00:00")),
        site_timezone=given.get("timezone", "UTC"), stops=given.get("stops", 2),
        pickup=_stay("pickup", data.get("pickup", {})), delivery=_stay("delivery", data.get("delivery", {})),
        tickets=tuple(WeighTicket(t["seq"], f"hash{t['seq']}", Decimal(t["net_kg"]), t["third_party"], _at(t["at"]))
                      for t in data.get("tickets", [])),
        slots=tuple(Slot(_at(s["start"]), s["by_plant"], {"type": "appointment", "id": k + 1})
                    for k, s in enumerate(data.get("slots", []))),
        cancellation=Cancellation(_at(cancelled["at"]), cancelled["assigned"], cancelled["truck_arrived"],
                                  {"type": "event", "id": 99, "kind": "status_changed"}) if cancelled else None)
    schedule = replace(SCHEDULE, **data.get("schedule", {}))
    terms = data.get("terms", {})
    return facts, Terms(basis=terms.get("basis", "trip"), rate=Decimal(terms.get("rate", "900.00")),
                        schedule=schedule, agreement_ref={"type": "agreement", "id": 1}), data
