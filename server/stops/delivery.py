"""Proof of delivery per stop of a multi-drop load: the carrier or that stop's buyer signs for it.

Each proof is chained into the load's evidence (a ``note`` naming its stop), delivers its stop,
and tells that stop's buyer only (in-app and by webhook: ``delivered`` with the stop, its proof and its
time); the links bound to that stop freeze live (`server.tracking.links.stop_delivered`). The last
stop's proof delivers the load and ends every link's live tracking.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from server.auth.principal import Principal
from server.extensions import db, socketio
from server.models import Event, Load, LoadStop, ProofOfDelivery
from server.notify.publish import publish_event
from server.realtime import emit_to_load, stop_room
from server.tracking.links import end_live_tracking, stop_delivered
from server.yard.evidence import append
from server.yard.pod import DELIVERABLE
from server.yard.refusals import YardRefused
from server.yard.visits import move_load


def _may_sign(principal: Principal, load: Load, stop: LoadStop) -> None:
    carrier = principal.organisation_id == load.carrier_org_id and principal.can("record_evidence")
    buyer = principal.organisation_id == stop.buyer_org_id and principal.can("record_evidence")
    if not (carrier or buyer):
        raise YardRefused("forbidden", "not_allowed", _("This stop's proof of delivery is given by the carrier or "
                                                        "the stop's buyer."))


def record_stop_pod(principal: Principal, load: Load, stop: LoadStop, data: dict, now: datetime) -> ProofOfDelivery:
    """Store the stop's proof, chain it, deliver the stop (and the load after its last stop); commits."""
    _may_sign(principal, load, stop)
    if stop.kind != "delivery":
        raise YardRefused("conflict", "not_a_delivery", _("Only a delivery stop takes a proof of delivery."))
    if load.status not in DELIVERABLE:
        raise YardRefused("conflict", "not_in_transit", _("A load that is %(status)s cannot be delivered.",
                                                          status=load.status))
    exceptions = [dict(e) for e in data.get("exceptions", [])]
    pod = ProofOfDelivery(load_id=load.id, stop_id=stop.id, signed_by=data["signed_by"],
                          received_quantity=data["received_quantity"], exceptions=exceptions, photo_sha256s=[],
                          delivered_at=now, author_user_id=principal.user_id)
    try:
        db.session.add(pod)
        db.session.flush()
        append(principal, load, "note", {"text": "proof of delivery", "stop_id": stop.id,
                                         "signed_by": pod.signed_by, "received_quantity": pod.received_quantity,
                                         "exceptions": exceptions}, now, position=data.get("position"),
               device_id=data.get("device_id") or "api")
        stop.status = "delivered"
        # No site on the event: the load's live room (every buyer on it) must not learn this buyer's site.
        db.session.add(Event(kind="delivered", time=now, load_id=load.id, site_id=None,
                             vehicle_id=load.vehicle_id, data={"pod_id": pod.id, "stop_id": stop.id}))
        left = db.session.scalar(select(LoadStop.id).where(LoadStop.load_id == load.id, LoadStop.kind == "delivery",
                                                           LoadStop.status != "delivered", LoadStop.id != stop.id))
        if left is None:
            move_load(load, "delivered", now, "proof_of_delivery")
        db.session.commit()
        load_delivered = left is None
    except IntegrityError as exc:
        db.session.rollback()
        raise YardRefused("conflict", "already_delivered", _("This stop already has its proof of delivery.")) from exc
    stop_delivered(load.id, stop.id, stop.buyer_org_id, pod.id, now)
    _tell_live_pages(load, stop, pod, now)
    if load_delivered:
        end_live_tracking(load.id, "delivered", now)
    publish_event("delivered", organisation_ids=[load.seller_org_id, stop.buyer_org_id], load_id=load.id,
                  data={"load_id": load.id, "stop_id": stop.id, "reference": load.reference, "status": "delivered",
                        "pod_id": pod.id, "delivered_at": now})
    return pod


def _tell_live_pages(load: Load, stop: LoadStop, pod: ProofOfDelivery, now: datetime) -> None:
    """The signed-in pages of the load's whole-load parties (the load's room) and of that stop's buyer (its
    own room) hear the stop's ``delivered`` and refresh; no other buyer's page hears of it."""
    event = {"kind": "delivered", "time": now.isoformat(), "load_id": load.id, "site_id": None,
             "data": {"stop_id": stop.id, "pod_id": pod.id, "status": "delivered"}}
    emit_to_load("event", event, load.id)
    socketio.emit("event", event, to=stop_room(load.id, stop.buyer_org_id))


def pod_of(stop: LoadStop) -> ProofOfDelivery | None:
    return db.session.scalar(select(ProofOfDelivery).where(ProofOfDelivery.stop_id == stop.id))
