"""Accessorial charges computed from recorded facts, each citing the facts it was computed from.

Pure rules, plain data in and out (``LoadFacts`` in, ``Charge`` out). The rules, in words:

* **Detention** (pickup and delivery, each on its own): the clock starts when the truck is on
  site, at the gate-in (the yard visit's ``arrived`` step) or, where there is no gate, the GPS
  geofence arrival; a truck early for its slot waits on its own time, so the clock starts at the
  slot when that is later. It stops at the gate-out (the visit's ``departed`` step), else at the
  GPS geofence departure, else at the GPS dwell event (the truck was still standing there then:
  a lower bound, never a guess). Time beyond the free time is charged per *started* period: free
  time used exactly is nothing, one minute over is one period.
* **Late cancellation / truck ordered not used**: a load cancelled after a truck was assigned, within
  ``late_cancellation_hours`` of the pickup, costs the late-cancellation fee; one cancelled after the
  truck reached the pickup site costs the truck-ordered-not-used fee instead (not both).
* **Layover**: when the plant moved the slot (a manager or a re-plan; never the carrier) to a later
  local day than the one the truck came for, and the truck had arrived for the original slot, each
  night between the arrival and the new slot's local day is one layover.
* **Extra stops**: stops beyond ``stops_included`` (2: pickup and delivery) at ``extra_stop_fee``
  each; the number of stops is an input, so multi-drop loads need no change here.

Weights for per-tonne freight are chosen by :func:`freight_weight`: the latest third-party weigh
ticket, else the latest ticket, else the ordered weight; a ticket more than the tolerance off the
ordered weight is marked ``outside_tolerance``, which the payer's audit never approves on its own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from server.settlement.facts import Fact, LoadFacts, Stay, WeighTicket

ONE = Decimal(1)


@dataclass(frozen=True)
class Schedule:
    """An agreement's accessorial schedule (amounts in the agreement's currency)."""

    free_minutes_pickup: int = 120
    free_minutes_delivery: int = 120
    detention_period_minutes: int = 60
    detention_rate: Decimal = Decimal("0")  # per started period
    late_cancellation_hours: int = 24
    late_cancellation_fee: Decimal = Decimal("0")
    truck_ordered_not_used_fee: Decimal = Decimal("0")
    layover_fee: Decimal = Decimal("0")  # per night
    stops_included: int = 2
    extra_stop_fee: Decimal = Decimal("0")
    weight_tolerance_pct: Decimal = Decimal("2")


@dataclass(frozen=True)
class Charge:
    """One bill line as a rule computed it: amount = quantity x unit price (rounded by the document)."""

    code: str
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    evidence: tuple[dict, ...] = ()
    notes: dict = field(default_factory=dict)

    @property
    def raw_amount(self) -> Decimal:
        return self.quantity * self.unit_price


def cite(fact: Fact) -> dict:
    return {**fact.ref, "at": fact.at.isoformat(), "source": fact.source}


def on_site(stay: Stay) -> tuple[Fact, Fact] | None:
    """(clock start, clock stop) of a stay, or None when either end is not recorded."""
    start = stay.gate_in or stay.gps_in
    stop = stay.gate_out or stay.gps_out or stay.dwell
    if start is None or stop is None or stop.at <= start.at:
        return None
    if stay.appointment is not None and stay.appointment.at > start.at:
        start = stay.appointment
    return (start, stop) if stop.at > start.at else None


def detention(stay: Stay, free_minutes: int, schedule: Schedule) -> list[Charge]:
    """Detention at one stop, per started period beyond the free time; nothing when not provable."""
    span = on_site(stay)
    if span is None or schedule.detention_period_minutes <= 0:
        return []
    start, stop = span
    minutes = Decimal((stop.at - start.at).total_seconds()) / 60
    over = minutes - free_minutes
    if over <= 0:
        return []
    periods = math.ceil(over / schedule.detention_period_minutes)
    cited = {id(f): f for f in (stay.gate_in, stay.gps_in, stay.appointment, start, stop) if f is not None}
    return [Charge(f"detention_{stay.stop}",
                   f"Detention at {stay.stop}: {minutes:.0f} min on site, {free_minutes} min free, "
                   f"{periods} started period(s) of {schedule.detention_period_minutes} min",
                   Decimal(periods), "period", schedule.detention_rate, tuple(cite(f) for f in cited.values()),
                   {"minutes_on_site": str(minutes.quantize(ONE)), "free_minutes": free_minutes,
                    "clock_start": start.source, "clock_stop": stop.source})]


def cancellation(facts: LoadFacts, schedule: Schedule) -> list[Charge]:
    found = facts.cancellation
    if found is None or not found.assigned:
        return []
    evidence = (cite(Fact(found.at, "status", found.ref)),)
    if found.truck_arrived:
        return [Charge("truck_ordered_not_used", "Truck ordered and not used: cancelled after it reached the site",
                       ONE, "truck", schedule.truck_ordered_not_used_fee, evidence)]
    notice = facts.pickup_at - found.at
    if notice < timedelta(hours=schedule.late_cancellation_hours):
        hours = max(Decimal(0), Decimal(notice.total_seconds()) / 3600).quantize(Decimal("0.1"))
        return [Charge("late_cancellation", f"Late cancellation: {hours} h before pickup "
                       f"(less than {schedule.late_cancellation_hours} h), after a truck was assigned",
                       ONE, "load", schedule.late_cancellation_fee, evidence)]
    return []


def _local_day(moment: datetime, zone: str):
    return moment.astimezone(ZoneInfo(zone)).date()


def layover(facts: LoadFacts, schedule: Schedule) -> list[Charge]:
    """Nights the truck had to stay because the plant moved its slot to a later day."""
    if len(facts.slots) < 2:
        return []
    first, last = facts.slots[0], facts.slots[-1]
    arrived = facts.pickup.gate_in or facts.pickup.gps_in
    if not last.by_plant or arrived is None:
        return []
    came_for = _local_day(first.start, facts.site_timezone)
    if _local_day(arrived.at, facts.site_timezone) > came_for:
        return []  # the truck came a day late: its own overnight
    nights = (_local_day(last.start, facts.site_timezone) - came_for).days
    if nights <= 0:
        return []
    evidence = (cite(Fact(first.start, "appointment", first.ref)), cite(Fact(last.start, "appointment", last.ref)),
                cite(arrived))
    return [Charge("layover", f"Layover: the plant moved the slot from {came_for} to "
                   f"{_local_day(last.start, facts.site_timezone)}", Decimal(nights), "night",
                   schedule.layover_fee, evidence)]


def extra_stops(facts: LoadFacts, schedule: Schedule) -> list[Charge]:
    extra = facts.stops - schedule.stops_included
    if extra <= 0:
        return []
    return [Charge("extra_stops", f"Extra stops: {facts.stops} stops, {schedule.stops_included} included",
                   Decimal(extra), "stop", schedule.extra_stop_fee, ({"type": "load", "load_id": facts.load_id,
                                                                      "stops": facts.stops},))]


@dataclass(frozen=True)
class WeightBasis:
    kg: Decimal
    source: str  # third_party_ticket | weigh_ticket | ordered
    evidence: tuple[dict, ...]
    outside_tolerance: bool
    difference_pct: Decimal


def freight_weight(tickets: tuple[WeighTicket, ...], ordered_kg: Decimal, tolerance_pct: Decimal) -> WeightBasis:
    """The weight freight is charged on, and whether it is outside the tolerance of the ordered weight."""
    live = sorted((t for t in tickets if not t.superseded), key=lambda t: (t.recorded_at, t.seq))
    third = [t for t in live if t.third_party]
    chosen = (third or live or [None])[-1]
    if chosen is None:
        return WeightBasis(ordered_kg, "ordered", ({"type": "load", "field": "weight_kg", "value": str(ordered_kg)},),
                           False, Decimal(0))
    pct = (chosen.net_kg - ordered_kg) * 100 / ordered_kg if ordered_kg > 0 else Decimal(0)
    return WeightBasis(chosen.net_kg, "third_party_ticket" if chosen.third_party else "weigh_ticket",
                       (chosen.ref,), abs(pct) > tolerance_pct, pct.quantize(Decimal("0.01")))


def accessorial_charges(facts: LoadFacts, schedule: Schedule) -> list[Charge]:
    """Every accessorial the facts prove, in bill order."""
    return [*detention(facts.pickup, schedule.free_minutes_pickup, schedule),
            *detention(facts.delivery, schedule.free_minutes_delivery, schedule),
            *layover(facts, schedule), *extra_stops(facts, schedule), *cancellation(facts, schedule)]
