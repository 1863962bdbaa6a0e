"""Proof of delivery: who signed, what was received, what was wrong; once per load.

The signature image and photos go to the evidence store; a ``note`` item with the whole
proof (and the files' hashes) is appended to the load's evidence chain, so the proof is as
tamper-evident as the pickup evidence. The load moves from ``in_transit`` to ``delivered``. A multi-drop
load takes no whole-load proof (409 ``sign_per_stop``): each stop's proof is its own (``server.stops``).
Where the proof was given is measured against the delivery site (``pod_place``); one given off
the site is still recorded, but flagged (a ``pod_off_site`` event) and its buyer told.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from server.auth.object_permissions import allowed
from server.auth.principal import Principal
from server.extensions import db
from server.models import Event, Load, ProofOfDelivery
from server.notify import shipment_notices
from server.notify.publish import publish_event
from server.stops.views import is_multi_drop
from server.tracking.links import end_live_tracking
from server.yard import notify
from server.yard.evidence import append, store_file
from server.yard.pod_place import place_of
from server.yard.refusals import YardRefused
from server.yard.visits import move_load

DELIVERABLE = ("in_transit",)


def _may_sign(principal: Principal, load: Load) -> None:
    carrier = principal.organisation_id == load.carrier_org_id and principal.can("record_evidence")
    buyer = principal.organisation_id == load.buyer_org_id and allowed(principal, "record_evidence", load)
    if not (carrier or buyer):
        raise YardRefused("forbidden", "not_allowed",
                          _("The proof of delivery is given by the carrier or the buyer."))


def record_pod(principal: Principal, load: Load, data: dict, now: datetime, *, signature: bytes | None = None,
               photos: tuple[bytes, ...] = ()) -> ProofOfDelivery:
    """Store the proof, chain it, deliver the load; commits. A second proof is a 409, and so is a whole-load
    proof on a multi-drop load (each buyer's stop is signed for on its own: ``server.stops.delivery``)."""
    _may_sign(principal, load)
    if is_multi_drop(load.id):
        raise YardRefused("conflict", "sign_per_stop", _(
            "This load delivers to several stops: sign the proof of delivery per stop at "
            "/api/v1/loads/%(load_id)s/stops/{stop_id}/pod.", load_id=load.id),
            stops_url=f"/api/v1/loads/{load.id}/stops")
    if db.session.scalar(select(ProofOfDelivery.id).where(ProofOfDelivery.load_id == load.id)) is not None:
        raise YardRefused("conflict", "already_delivered", _("This load already has its proof of delivery."))
    if load.status not in DELIVERABLE:
        raise YardRefused("conflict", "not_in_transit", _("A load that is %(status)s cannot be delivered.",
                                                          status=load.status))
    signature_sha = store_file(signature, "signature")["sha256"] if signature else None
    photo_shas = [store_file(photo, f"photos/{k}")["sha256"] for k, photo in enumerate(photos)]
    exceptions = [dict(e) for e in data.get("exceptions", [])]
    place = place_of(load, data.get("position"), now)
    pod = ProofOfDelivery(load_id=load.id, signed_by=data["signed_by"], signature_sha256=signature_sha,
                          received_quantity=data["received_quantity"], exceptions=exceptions,
                          photo_sha256s=photo_shas, delivered_at=now, author_user_id=principal.user_id,
                          distance_m=place.distance_m, position_source=place.source, radius_m=place.radius_m,
                          off_site=place.off_site)
    payload = {"text": "proof of delivery", "signed_by": pod.signed_by, "received_quantity": pod.received_quantity,
               "exceptions": exceptions, "signature_sha256": signature_sha, "photo_sha256s": photo_shas,
               **place.as_dict()}
    if data.get("submission_key"):  # the driver app's resend finds its proof by this (device_forms)
        payload["submission_key"] = data["submission_key"]
    try:
        db.session.add(pod)
        db.session.flush()
        append(principal, load, "note", payload, now, position=data.get("position"),
               device_id=data.get("device_id") or "api")
        move_load(load, "delivered", now, "proof_of_delivery")
        db.session.add(Event(kind="delivered", time=now, load_id=load.id, site_id=load.delivery_site_id,
                             vehicle_id=load.vehicle_id, data={"pod_id": pod.id, "exceptions": len(exceptions),
                                                               "received_quantity": pod.received_quantity,
                                                               **place.as_dict()}))
        if place.off_site:
            db.session.add(Event(kind="pod_off_site", time=now, load_id=load.id, site_id=load.delivery_site_id,
                                 vehicle_id=load.vehicle_id, data={"pod_id": pod.id, **place.as_dict()}))
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise YardRefused("conflict", "already_delivered",
                          _("This load already has its proof of delivery.")) from exc
    notify.load_event("load.delivered", {"load_id": load.id, "pod_id": pod.id, "exceptions": exceptions,
                                         "received_quantity": pod.received_quantity}, load)
    end_live_tracking(load.id, "delivered", now)
    shipment_notices.delivered(load, pod.id, len(exceptions))
    if place.off_site:
        tell_buyer_off_site(load, pod, place)
    return pod


def tell_buyer_off_site(load: Load, pod: ProofOfDelivery, place) -> None:
    """The buyer hears of a proof given away from its site (in-app, and by its ``exception`` webhooks)."""
    publish_event("exception", organisation_ids=[load.buyer_org_id], load_id=load.id,
                  data={"load_id": load.id, "reference": load.reference, "reason": "pod_off_site",
                        "pod_id": pod.id, **place.as_dict()})
    notify.load_event("load.pod_off_site", {"load_id": load.id, "pod_id": pod.id, **place.as_dict()}, load)
