"""Read the facts of many loads at once (a handful of queries per batch) as ``LoadFacts``.

Where each fact comes from, and how a bill line cites it:

* gate-in / gate-out: the pickup yard visit's ``arrived`` and ``departed`` steps (``yard_visits.history``),
  cited as ``{"type": "yard_visit_step", "visit_id", "status"}``;
* GPS arrival, departure and dwell at either stop: the load's tracking ``events``
  (``arrived_pickup`` ... ``departed_delivery``, ``dwell``), cited as ``{"type": "event", "event_id", "kind"}``;
* slots: the load's dock appointments in booking order; one made by a re-plan (no user) or by
  someone of the site's organisation was moved by the plant;
* weights: ``weigh_ticket`` evidence items, cited with their ``seq`` and chain ``hash``; a ticket whose
  payload says ``"third_party": true`` was issued by an independent weighing agency; an item named
  by a later item's ``corrects`` is superseded;
* cancellation: the ``status_changed`` event to ``cancelled``, and whether a truck was assigned before.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select

from server.db.bulk import among
from server.engines.routing.matrix import haversine_km
from server.extensions import db
from server.models import Award, DockAppointment, Event, EvidenceItem, Load, Site, User, YardVisit
from server.settlement.facts import Cancellation, Fact, LoadFacts, Slot, Stay, WeighTicket

ROAD_FACTOR = Decimal("1.3")  # great-circle km to road km, as the routing default (HAUL_ROAD_FACTOR)
GPS_KINDS = ("arrived_pickup", "departed_pickup", "arrived_delivery", "departed_delivery", "dwell", "status_changed")
ASSIGNED = ("assigned", "authorized", "at_pickup", "loading")
BATCH = 5000


def _event_fact(row) -> Fact:
    return Fact(row.time, "dwell" if row.kind == "dwell" else "gps" if row.kind != "status_changed" else "status",
                {"type": "event", "event_id": row.id, "kind": row.kind})


def _gate(visits) -> tuple[Fact | None, Fact | None]:
    """The first gate-in and the last gate-out over the load's pickup visits."""
    gate_in = gate_out = None
    for visit in sorted(visits, key=lambda v: v.id):
        for step in visit.history or []:
            at = datetime.fromisoformat(step["at"])
            fact = Fact(at, "gate", {"type": "yard_visit_step", "visit_id": visit.id, "status": step["status"]})
            if step["status"] == "arrived" and gate_in is None:
                gate_in = fact
            elif step["status"] == "departed":
                gate_out = fact
    return gate_in, gate_out


def _ticket(row, superseded: set[int]) -> WeighTicket | None:
    payload = row.payload or {}
    net = payload.get("net_kg")
    if net is None and isinstance(payload.get("gross_kg"), int | float) and isinstance(payload.get("tare_kg"), int | float):
        net = payload["gross_kg"] - payload["tare_kg"]
    if not isinstance(net, int | float) or isinstance(net, bool):
        return None
    return WeighTicket(row.seq, row.hash, Decimal(str(net)), payload.get("third_party") is True, row.recorded_at,
                       row.seq in superseded)


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start:start + BATCH]


def load_facts(load_ids: Iterable[int]) -> dict[int, LoadFacts]:
    ids = sorted(set(load_ids))
    out: dict[int, LoadFacts] = {}
    for chunk in _chunks(ids):
        out.update(_batch(chunk))
    return out


def _batch(ids: list[int]) -> dict[int, LoadFacts]:
    pickup, delivery = Site.__table__.alias("pickup"), Site.__table__.alias("delivery")
    loads = db.session.execute(
        select(Load.id, Load.reference, Load.status, Load.weight_kg, Load.pickup_earliest, Load.vehicle_id,
               Load.pickup_site_id, Load.delivery_site_id, pickup.c.timezone, pickup.c.organisation_id,
               func.ST_X(pickup.c.location), func.ST_Y(pickup.c.location),
               func.ST_X(delivery.c.location), func.ST_Y(delivery.c.location))
        .join(pickup, pickup.c.id == Load.pickup_site_id).join(delivery, delivery.c.id == Load.delivery_site_id)
        .where(among(Load.id, ids))).all()
    awards = {row.load_id: row for row in db.session.execute(
        select(Award.id, Award.load_id, Award.price).where(among(Award.load_id, ids), Award.cancelled_at.is_(None)))}
    visits = defaultdict(list)
    for visit in db.session.execute(select(YardVisit.id, YardVisit.load_id, YardVisit.history)
                                    .where(among(YardVisit.load_id, ids))):
        visits[visit.load_id].append(visit)
    events = defaultdict(list)
    for row in db.session.execute(select(Event.id, Event.load_id, Event.kind, Event.time, Event.site_id, Event.data)
                                  .where(among(Event.load_id, ids), Event.kind.in_(GPS_KINDS)).order_by(Event.time, Event.id)):
        events[row.load_id].append(row)
    slots = defaultdict(list)
    for row in db.session.execute(select(DockAppointment.id, DockAppointment.load_id, DockAppointment.start,
                                         DockAppointment.status, DockAppointment.booked_by_user_id,
                                         User.organisation_id)
                                  .outerjoin(User, User.id == DockAppointment.booked_by_user_id)
                                  .where(among(DockAppointment.load_id, ids)).order_by(DockAppointment.id)):
        slots[row.load_id].append(row)
    items = defaultdict(list)
    superseded = defaultdict(set)
    for row in db.session.execute(select(EvidenceItem.load_id, EvidenceItem.seq, EvidenceItem.kind, EvidenceItem.hash,
                                         EvidenceItem.payload, EvidenceItem.recorded_at, EvidenceItem.corrects_seq)
                                  .where(among(EvidenceItem.load_id, ids))
                                  .where((EvidenceItem.kind == "weigh_ticket") | EvidenceItem.corrects_seq.is_not(None))):
        if row.corrects_seq is not None:
            superseded[row.load_id].add(row.corrects_seq)
        if row.kind == "weigh_ticket":
            items[row.load_id].append(row)
    out = {}
    for row in loads:
        out[row.id] = _facts(row, awards.get(row.id), visits[row.id], events[row.id], slots[row.id],
                             [t for t in (_ticket(i, superseded[row.id]) for i in items[row.id]) if t is not None])
    return out


def _first(events, kind: str, site_id: int | None = None, last: bool = False) -> Fact | None:
    found = [e for e in events if e.kind == kind and (site_id is None or e.site_id == site_id)]
    return _event_fact(found[-1 if last else 0]) if found else None


def _facts(row, award, visits, events, slots, tickets) -> LoadFacts:
    gate_in, gate_out = _gate(visits)
    live = [s for s in slots if s.status != "cancelled"]
    appointment = Fact(live[-1].start, "appointment", {"type": "appointment", "appointment_id": live[-1].id}) \
        if live else None
    pickup = Stay("pickup", gate_in, gate_out, _first(events, "arrived_pickup"),
                  _first(events, "departed_pickup", last=True), _first(events, "dwell", row.pickup_site_id, last=True),
                  appointment)
    delivery = Stay("delivery", None, None, _first(events, "arrived_delivery"),
                    _first(events, "departed_delivery", last=True),
                    _first(events, "dwell", row.delivery_site_id, last=True))
    distance = Decimal(str(haversine_km((row[11], row[10]), (row[13], row[12])))) * ROAD_FACTOR
    return LoadFacts(
        load_id=row.id, reference=row.reference, status=row.status, ordered_kg=Decimal(str(row.weight_kg or 0)),
        distance_km=distance, pickup_at=row.pickup_earliest, site_timezone=row.timezone or "UTC",
        pickup=pickup, delivery=delivery, tickets=tuple(tickets),
        slots=tuple(Slot(s.start, s.booked_by_user_id is None or s.organisation_id == row.organisation_id,
                         {"type": "appointment", "appointment_id": s.id}) for s in slots),
        cancellation=_cancellation(row, events, gate_in),
        award_price=Decimal(str(award.price)) if award is not None else None,
        award_ref={"type": "award", "award_id": award.id, "price": str(award.price)} if award is not None else None)


def _cancellation(row, events, gate_in: Fact | None) -> Cancellation | None:
    if row.status != "cancelled":
        return None
    changes = [e for e in events if e.kind == "status_changed"]
    cancelled = next((e for e in reversed(changes) if (e.data or {}).get("status") == "cancelled"), None)
    if cancelled is None:
        return None
    before = [e for e in changes if e.time <= cancelled.time]
    assigned = row.vehicle_id is not None or any((e.data or {}).get("status") in ASSIGNED for e in before)
    arrived = gate_in is not None or any(e.kind == "arrived_pickup" and e.time <= cancelled.time for e in events)
    return Cancellation(cancelled.time, assigned, arrived, {"type": "event", "event_id": cancelled.id,
                                                             "kind": "status_changed"})
