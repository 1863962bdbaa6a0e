"""A multi-drop load as each party sees it: seller and carrier the whole load, a buyer its own stops.

A buyer on a multi-drop load (the load's own buyer included) gets the load with the delivery
site, window, goods and ETA of its own stop instead of the load's, its own stops only, and its stop's
state (`server.tracking.load_state.stop_state`: delivered at its own proof, while the load goes on).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select

from server.auth.principal import Principal
from server.auth.scoping import scoped
from server.extensions import db
from server.models import Load, LoadStop
from server.stops.event_scope import StopScope
from server.tracking.history import last_position
from server.tracking.load_state import LoadState, stop_state


def buyer_loads_clause(org_id: int):
    """Loads where the organisation is the buyer, or a buyer with a stop (multi-drop)."""
    return or_(Load.buyer_org_id == org_id, Load.id.in_(select(LoadStop.load_id).where(LoadStop.buyer_org_id == org_id)))


def stops_of(load: Load, principal: Principal) -> list[LoadStop]:
    """The load's stops the principal may see, in sequence."""
    return list(db.session.scalars(scoped(LoadStop, principal).where(LoadStop.load_id == load.id)
                                   .order_by(LoadStop.seq)))


def is_multi_drop(load_id: int) -> bool:
    return db.session.scalar(select(LoadStop.id).where(LoadStop.load_id == load_id, LoadStop.kind == "delivery")
                             .limit(1)) is not None


def sees_whole_load(load: Load, principal: Principal) -> bool:
    return principal.organisation_id in (load.seller_org_id, load.carrier_org_id)


def stop_out(stop: LoadStop) -> dict:
    return {"id": stop.id, "seq": stop.seq, "kind": stop.kind, "site_id": stop.site_id,
            "buyer_id": stop.buyer_org_id, "order_id": stop.order_id,
            "window": {"earliest": stop.earliest, "latest": stop.latest}, "weight_kg": stop.weight_kg,
            "pallets": stop.pallets, "eta": stop.eta, "status": stop.status}


def own_delivery_stops(load: Load, principal: Principal) -> list[LoadStop]:
    """The principal's own delivery stops on the load, in sequence (none on a plain load)."""
    return [s for s in stops_of(load, principal) if s.kind == "delivery" and s.buyer_org_id == principal.organisation_id]


def narrow_for_party(out: dict, load: Load, principal: Principal) -> dict:
    """``out`` (a load as the API shows it) with its stops, narrowed to a buyer's own stop on a multi-drop load."""
    stops = stops_of(load, principal)
    out["stops"] = [stop_out(s) for s in stops]
    # A buyer on a multi-drop load sees its own delivery stops (a plain load has none).
    own = [s for s in stops if s.kind == "delivery" and s.buyer_org_id == principal.organisation_id]
    if sees_whole_load(load, principal) or not own:
        return out
    first = own[0]
    state = stop_state(load, first)  # its stop's stage and ETA, delivered at its own proof
    out.update(buyer_org_id=principal.organisation_id, delivery_site_id=first.site_id,
               delivery_window={"earliest": first.earliest, "latest": first.latest},
               weight_kg=sum(s.weight_kg for s in own), pallets=sum(s.pallets for s in own),
               volume_m3=None, stage=state.stage, eta=state.eta, delivered_at=state.delivered_at)
    return out


def sees_load_proof(load: Load, principal: Principal) -> bool:
    """The load's own proof of delivery (a plain, whole-load one): its seller, carrier and buyer,
    not a buyer that only has a stop on it."""
    return principal.organisation_id in (load.seller_org_id, load.carrier_org_id, load.buyer_org_id)


def visible_entries(entries: list[dict], load: Load, principal: Principal, key: str) -> list[dict]:
    """Evidence items (``key="payload"``) or timeline events (``key="data"``) without what belongs to
    another buyer's stop: its proof, its events, and anything at its site (`event_scope.StopScope`)."""
    if sees_whole_load(load, principal) or not is_multi_drop(load.id):
        return entries
    scope = StopScope.of(db.session.execute(select(LoadStop.id, LoadStop.site_id, LoadStop.buyer_org_id)
                                            .where(LoadStop.load_id == load.id)).all(), principal.organisation_id)
    whole_proof = sees_load_proof(load, principal)

    def shown(entry: dict) -> bool:
        extra = entry.get(key) or {}
        if not scope.shows(entry.get("site_id"), extra):
            return False
        return whole_proof or not (extra.get("text") == "proof of delivery" and extra.get("stop_id") is None)

    return [e for e in entries if shown(e)]


def narrow_snapshot(snapshot: dict, load: Load, principal: Principal) -> dict:
    """A load's live snapshot for a buyer on a multi-drop load: its own stop's state, ETA and timeline.

    Once its stop's proof is recorded the snapshot is that stop's, frozen as a delivered load's is
    (``delivered``, no ETA, not live; the truck's position and the timeline up to the proof), while the
    load goes on to the other stops.
    """
    if sees_whole_load(load, principal) or not is_multi_drop(load.id):
        return snapshot
    own = own_delivery_stops(load, principal)
    timeline = visible_entries(snapshot.get("timeline") or [], load, principal, "data")
    if not own:
        return {**snapshot, "eta": None, "timeline": timeline}
    state = stop_state(load, own[0], arrived=any(e["kind"] == "arrived_delivery" and e.get("site_id") == own[0].site_id
                                                 for e in timeline))
    out = {**snapshot, "stage": state.stage, "eta": state.eta.isoformat() if state.eta else None, "timeline": timeline}
    if state.delivered_at is not None:
        out.update(_frozen_at(state, load, timeline))
    return out


def _frozen_at(state: LoadState, load: Load, timeline: list[dict]) -> dict:
    """A delivered stop's snapshot fields: what the truck and the load did up to its proof, nothing after."""
    until: datetime = state.delivered_at
    return {"status": state.status, "live": False, "delivered_at": until.isoformat(),
            "position": last_position(load.vehicle_id, until) if load.vehicle_id else None,
            "timeline": [e for e in timeline if datetime.fromisoformat(e["time"]) <= until]}
