"""A multi-drop load as each party sees it: seller and carrier the whole load, a buyer its own stops.

A buyer on a multi-drop load (the load's own buyer included) gets the load with the delivery
site, window, goods and ETA of its own stop instead of the load's, and its own stops only.
"""

from __future__ import annotations

from sqlalchemy import or_, select

from server.auth.principal import Principal
from server.auth.scoping import scoped
from server.extensions import db
from server.models import Load, LoadStop


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
    out.update(buyer_org_id=principal.organisation_id, delivery_site_id=first.site_id,
               delivery_window={"earliest": first.earliest, "latest": first.latest},
               weight_kg=sum(s.weight_kg for s in own), pallets=sum(s.pallets for s in own),
               volume_m3=None, eta=first.eta)
    return out


def sees_load_proof(load: Load, principal: Principal) -> bool:
    """The load's own proof of delivery (a plain, whole-load one): its seller, carrier and buyer,
    not a buyer that only has a stop on it."""
    return principal.organisation_id in (load.seller_org_id, load.carrier_org_id, load.buyer_org_id)


def visible_entries(entries: list[dict], load: Load, principal: Principal, key: str) -> list[dict]:
    """Evidence items (``key="payload"``) or timeline events (``key="data"``) without what belongs to
    another buyer's stop: its proof, its events, and anything at its site."""
    if sees_whole_load(load, principal) or not is_multi_drop(load.id):
        return entries
    own = stops_of(load, principal)
    own_ids, own_sites = {s.id for s in own}, {s.site_id for s in own}
    others = [s for s in db.session.scalars(select(LoadStop).where(LoadStop.load_id == load.id)) if s.id not in own_ids]
    hidden, hidden_sites = {s.id for s in others}, {s.site_id for s in others}  # another buyer's stops
    whole_proof = sees_load_proof(load, principal)

    def shown(entry: dict) -> bool:
        extra = entry.get(key) or {}
        if extra.get("stop_id") in hidden or (entry.get("site_id") in hidden_sites - own_sites):
            return False
        return whole_proof or not (extra.get("text") == "proof of delivery" and extra.get("stop_id") is None)

    return [e for e in entries if shown(e)]


def narrow_snapshot(snapshot: dict, load: Load, principal: Principal) -> dict:
    """A load's live snapshot for a buyer on a multi-drop load: its own stop's ETA, stage and timeline.

    Events that arrive later in the load's room are the load's (one room per load).
    """
    if sees_whole_load(load, principal) or not is_multi_drop(load.id):
        return snapshot
    own = own_delivery_stops(load, principal)
    timeline = visible_entries(snapshot.get("timeline") or [], load, principal, "data")
    stage = snapshot.get("stage")
    arrived = any(e["kind"] == "arrived_delivery" for e in timeline)
    if stage == "at_delivery" and not arrived:
        stage = "in_transit"  # the truck is at another buyer's stop: still on its way to this one
    on_the_way = snapshot.get("live") and stage != "at_delivery"
    eta = own[0].eta.isoformat() if own and own[0].eta and on_the_way else None
    return {**snapshot, "stage": stage, "eta": eta, "timeline": timeline}
