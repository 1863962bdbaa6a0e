"""One status model per load: what every page, the driver app, the public link and webhooks say of a load.

The stored ``Load.status`` is the state machine's (`server.market.states`); people are told the
load's *stage*, which adds what the tracking saw: a load in transit whose truck arrived at the
delivery site is ``at_delivery`` ("arrived at delivery") until its proof of delivery. The ETA ends
there: it is given only while the truck is on its way, never once it arrived or delivered. The
pickup section's words follow the same stage (``pickup``), and a timeline shows each fact once
(`timeline_entries`). Everything that shows a load's status asks here.

A buyer's stop on a multi-drop load has its own state (`stop_state`), derived from the load's: it is
``delivered`` (with its proof's time, no ETA, no longer live) once its own proof of delivery is
recorded, while the load goes on to the other stops; ``at_delivery`` once the truck arrived at *its*
site; and its ETA is the ETA to that stop, never the load's. The stop-bound public link, the stop
buyer's load page, API and live room all ask it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from server.extensions import db
from server.models import Event, Load, LoadStop, ProofOfDelivery

FINISHED = ("delivered", "closed")
BEFORE_CARRIER = ("awaiting_approval", "draft", "tendered")
AUTHORIZABLE = ("awarded", "assigned", "authorized")
AT_PICKUP = ("at_pickup", "loading")


@dataclass(frozen=True)
class LoadState:
    """``status``: the stored one; ``stage``: what people are told; ``eta``: only while on the way;
    ``live``: whether its tracking still follows the truck; ``pickup``: what the pickup section says
    (``before_carrier``, ``authorizable``, ``at_pickup``, ``collected`` or ``cancelled``);
    ``on_the_way``: a truck is bound for the delivery site, so an ETA (live or not yet known) belongs;
    ``delivered_at``: a stop's proof of delivery time (`stop_state`)."""

    status: str
    stage: str
    eta: datetime | None
    live: bool
    pickup: str
    on_the_way: bool = False
    delivered_at: datetime | None = None


def state_of(load: Load, arrived: bool | None = None) -> LoadState:
    """The load's state; ``arrived`` (at the delivery site) is read from its events unless given."""
    if arrived is None:
        arrived = load.status == "in_transit" and load.id in arrived_at_delivery([load.id])
    status = load.status
    stage = "at_delivery" if status == "in_transit" and arrived else status
    on_the_way = status in AUTHORIZABLE + AT_PICKUP + ("in_transit",) and stage != "at_delivery"
    return LoadState(status=status, stage=stage, eta=load.eta if on_the_way else None,
                     live=status not in FINISHED, pickup=_pickup(status), on_the_way=on_the_way)


def states_of(loads: Iterable[Load]) -> dict[int, LoadState]:
    """Every load's state, with one query for all of them."""
    loads = list(loads)
    arrived = arrived_at_delivery([load.id for load in loads if load.status == "in_transit"])
    return {load.id: state_of(load, load.id in arrived) for load in loads}


def stop_state(load: Load, stop: LoadStop, arrived: bool | None = None) -> LoadState:
    """The state of one delivery stop of a multi-drop load, as its buyer is told it (see the module doc).

    ``arrived`` (the truck reached the stop's own site) is read from the load's events unless given; an
    arrival at another buyer's stop leaves this one in transit, with its own ETA."""
    load_state = state_of(load, arrived=False)  # the load's arrival may be at another buyer's stop
    if stop.status == "delivered":
        at = db.session.scalar(select(ProofOfDelivery.delivered_at).where(ProofOfDelivery.stop_id == stop.id))
        return LoadState(status="delivered", stage="delivered", eta=None, live=False, pickup=load_state.pickup,
                         delivered_at=at)
    if arrived is None:
        arrived = load.status == "in_transit" and db.session.scalar(select(Event.id).where(
            Event.load_id == load.id, Event.kind == "arrived_delivery", Event.site_id == stop.site_id).limit(1)) is not None
    at_stop = load.status == "in_transit" and arrived
    on_the_way = load_state.on_the_way and not at_stop
    return LoadState(status=load_state.status, stage="at_delivery" if at_stop else load_state.stage,
                     eta=stop.eta if on_the_way else None, live=load_state.live, pickup=load_state.pickup,
                     on_the_way=on_the_way)


def arrived_at_delivery(load_ids: list[int]) -> set[int]:
    """Which of the loads have an ``arrived_delivery`` event."""
    if not load_ids:
        return set()
    return set(db.session.scalars(select(Event.load_id).where(Event.load_id.in_(load_ids),
                                                              Event.kind == "arrived_delivery").distinct()))


def _pickup(status: str) -> str:
    if status in BEFORE_CARRIER:
        return "before_carrier"
    if status in AUTHORIZABLE:
        return "authorizable"
    if status in AT_PICKUP:
        return "at_pickup"
    return "cancelled" if status == "cancelled" else "collected"


def timeline_entries(events: list[dict]) -> list[dict]:
    """The events people read, each fact once: the delivery once (its ``delivered`` event, not also the
    status change to it), a new ETA only with its time and only before the truck arrived at delivery."""
    delivered = any(e["kind"] == "delivered" for e in events)
    out, arrived = [], False
    for event in events:
        data = event.get("data") or {}
        if event["kind"] == "arrived_delivery":
            arrived = True
        if event["kind"] == "status_changed" and delivered and data.get("status") == "delivered":
            continue
        if event["kind"] == "eta_changed" and (arrived or not data.get("eta")):
            continue
        out.append(event)
    return out
