"""What a client sees first when it joins a load or tracking room: the current state of the load.

`load_snapshot` gives the load's status and ETA, its vehicle's last stored fix and the status
timeline (the load's events, oldest first); later changes arrive as ``position`` and ``event``
deltas. `register_snapshot_provider` hooks it into `server.sockets.SNAPSHOT_PROVIDERS`.

Its status, stage and ETA come from `server.tracking.load_state` (the ETA ends once the truck arrived
at the delivery site), and its timeline shows each fact once. A delivered (or closed) load is frozen at its proof of delivery: the position is the truck's last
fix up to that moment, the timeline ends there, there is no ETA, and ``live`` is false, so the
public page and its room stop following the truck (it drives on to other customers' loads).

`link_snapshot` is what a public tracking link shows: the same, narrowed to one buyer's stop when the
link is bound to it (a buyer with only a stop on a multi-drop load shared it).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from server.auth.principal import Principal
from server.extensions import db
from server.models import Event, Load, ProofOfDelivery, Site, TrackingLink
from server.tracking.history import last_position, timeline

__all__ = ["last_position", "link_snapshot", "load_snapshot", "timeline"]  # the history's readers, as before
FROZEN = ("delivered", "closed")  # the shipment is over: nothing after its delivery is shown


def delivered_at(load_id: int) -> datetime | None:
    """When the load was delivered: its proof of delivery, else its ``delivered`` event."""
    return (db.session.scalar(select(ProofOfDelivery.delivered_at).where(ProofOfDelivery.load_id == load_id))
            or db.session.scalar(select(func.max(Event.time)).where(Event.load_id == load_id,
                                                                    Event.kind == "delivered")))


def load_snapshot(load_id: int) -> dict | None:
    from server.tracking.load_state import state_of, timeline_entries

    load = db.session.get(Load, load_id)
    if load is None:
        return None
    state = state_of(load)
    frozen = not state.live
    until = delivered_at(load.id) if frozen else None
    # Frozen without a known delivery time: no position at all rather than one from after it.
    followed = load.vehicle_id is not None and (not frozen or until is not None)
    return {
        "load_id": load.id,
        "reference": load.reference,
        "status": load.status,
        "stage": state.stage,
        "live": not frozen,
        "eta": state.eta.isoformat() if state.eta else None,
        "delivered_at": until.isoformat() if until else None,
        "vehicle_id": str(load.vehicle_id) if load.vehicle_id else None,
        "position": last_position(load.vehicle_id, until) if followed else None,
        "timeline": timeline_entries(timeline(load.id, until if frozen else None)),
    }


def link_snapshot(link: TrackingLink) -> dict | None:
    """What a public tracking link shows: the whole load, or, for a link bound to a buyer's stop on a
    multi-drop load, the truck with that stop's ETA and delivery site and the load's events without the
    other buyers' (the same narrowing the buyer gets when logged in: `server.stops.views`)."""
    snapshot = load_snapshot(link.load_id)
    if snapshot is None or link.stop_buyer_org_id is None:
        return snapshot
    from server.stops.views import narrow_snapshot, own_delivery_stops

    load = db.session.get(Load, link.load_id)
    buyer = link_viewer(link.stop_buyer_org_id)
    own = own_delivery_stops(load, buyer)
    site = db.session.get(Site, own[0].site_id) if own and own[0].site_id else None
    return {**narrow_snapshot(snapshot, load, buyer),
            "delivery_site": {"id": site.id, "name": site.name, "address": site.address,
                              "timezone": site.timezone} if site else None}


def link_viewer(buyer_org_id: int) -> Principal:
    """The buyer a stop-bound link speaks for: its organisation, without a user (so no person's
    department narrowing and nothing a user may do, only what the organisation may see)."""
    return Principal(organisation_id=buyer_org_id, org_kind="buyer", roles=frozenset(), user_id=None,
                     via="tracking_link")


def snapshot_provider(kind: str, key) -> dict | None:
    """The `server.sockets` hook: ``("load", load_id)`` -> snapshot, ``("tracking_link", link)`` -> what the
    link shows."""
    if kind == "load" and isinstance(key, int):
        return load_snapshot(key)
    if kind == "tracking_link" and isinstance(key, TrackingLink):
        return link_snapshot(key)
    return None


def register_snapshot_provider() -> None:
    from server.sockets import SNAPSHOT_PROVIDERS

    if snapshot_provider not in SNAPSHOT_PROVIDERS:
        SNAPSHOT_PROVIDERS.append(snapshot_provider)
