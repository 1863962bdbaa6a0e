"""A load's evidence: append-only items, hash-chained by ``server.engines.evidence_chain``.

Items are weigh-bridge tickets, seals, sample IDs, photos (stored by content hash) and
notes. Each is stamped by the server with the time, and carries the position, author and
device given. Nothing is ever updated or deleted: a correction is a new item that names the
corrected one. A weigh ticket whose net weight is more than the tolerance off the load's
ordered weight raises a ``weight_exception`` event. :func:`verify_load` recomputes the chain
from the stored rows and re-hashes every stored file, and names the first bad item.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import asdict
from datetime import UTC, datetime

from flask import current_app
from flask_babel import gettext as _
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import Point
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from server.audit import trail
from server.auth.inspection_scope import is_inspector
from server.auth.object_permissions import require_on
from server.auth.principal import Principal
from server.engines import evidence_chain, weighing
from server.extensions import db
from server.models import Event, EvidenceItem, InspectionAppointment, Load, Organisation, Site
from server.validation_messages import translated
from server.yard import notify
from server.yard.booking import site_staff
from server.yard.evidence_store import evidence_store, image_type, sha256_of
from server.yard.locking import lock_rows
from server.yard.refusals import YardRefused

KINDS = evidence_chain.KINDS
NOT_YET = ("awaiting_approval", "draft", "tendered", "cancelled")
FILE_KINDS = ("photo",)
SYSTEM_AUTHOR = "system"


def point_to_db(position: dict):
    return from_shape(Point(position["lon"], position["lat"]), srid=4326)


def point_from_db(value) -> dict | None:
    if value is None:
        return None
    point = to_shape(value)
    return {"lat": point.y, "lon": point.x}


def author_key(user_id: int | None, inspector_org_id: int | None = None) -> str:
    """The author as hashed into the chain; an independent inspector's items carry its organisation too."""
    author = str(user_id) if user_id is not None else SYSTEM_AUTHOR
    return f"{author}@inspector:{inspector_org_id}" if inspector_org_id is not None else author


def time_key(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def chain_fields(row: EvidenceItem) -> dict:
    """A stored row as the chain engine hashes it."""
    location = point_from_db(row.location)
    return {"load_id": str(row.load_id), "seq": row.seq, "kind": row.kind, "payload": row.payload,
            "time": time_key(row.recorded_at), "position": (location["lat"], location["lon"]) if location else None,
            "author_id": author_key(row.author_user_id, row.inspector_org_id), "device_id": row.device_id, "corrects": row.corrects_seq,
            "prev_hash": row.prev_hash, "hash": row.hash}


def rows_of(load_id: int) -> list[EvidenceItem]:
    return list(db.session.scalars(select(EvidenceItem).where(EvidenceItem.load_id == load_id)
                                   .order_by(EvidenceItem.seq, EvidenceItem.id)))


def may_record(principal: Principal, load: Load) -> None:
    """The pickup site's staff, the carrier, or an inspector appointed to the load (who alone sees it)."""
    site = db.session.get(Site, load.pickup_site_id)
    carrier = principal.organisation_id == load.carrier_org_id and principal.can("record_evidence")
    inspector = is_inspector(principal) and principal.can("record_evidence")
    if not (carrier or inspector or site_staff(principal, site)):
        raise YardRefused("forbidden", "not_allowed",
                          _("Evidence is recorded by the pickup site's staff or the carrier."))
    if not (carrier or inspector):  # the site's staff: record_evidence there (a department role counts)
        require_on(principal, "record_evidence", site)
    if load.status in NOT_YET:
        raise YardRefused("conflict", "load_not_started", _("A load that is %(status)s has no evidence yet.",
                                                            status=load.status))


def store_file(data: bytes, path: str) -> dict:
    """Store an image file; returns its photo payload part. A file that is no image is refused."""
    kind = image_type(data)
    if kind is None:
        raise YardRefused("invalid", "not_an_image",
                          _("Photos and signatures must be JPEG, PNG, GIF or WebP images."),
                          [(path, _("is not a JPEG, PNG, GIF or WebP image"))])
    return {"sha256": evidence_store().put(data), "content_type": kind, "bytes": len(data)}


def decode_base64(text, path: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True) if isinstance(text, str) else b""
    except (binascii.Error, ValueError) as exc:
        raise YardRefused("invalid", "bad_base64", _("The file is not valid base64."),
                          [(path, _("is not base64"))]) from exc


def append(principal: Principal | None, load: Load, kind: str, payload: dict, now: datetime, *,
           position: dict | None = None, device_id: str = "api", corrects: int | None = None) -> EvidenceItem:
    """Add one item to the load's chain (in the caller's transaction, holding the load's lock)."""
    lock_rows(Load, [load.id])
    rows = rows_of(load.id)
    chain = [evidence_chain.EvidenceItem(**chain_fields(row)) for row in rows]
    user_id = principal.user_id if principal is not None else None
    inspector_org_id = principal.organisation_id if principal is not None and is_inspector(principal) else None
    try:
        item = evidence_chain.append(chain, {
            "load_id": str(load.id), "kind": kind, "payload": payload, "time": time_key(now),
            "position": (position["lat"], position["lon"]) if position else None,
            "author_id": author_key(user_id, inspector_org_id), "device_id": device_id or "api",
            "corrects": corrects})
    except evidence_chain.EvidenceValidationError as exc:
        db.session.rollback()
        errors = [(path, translated(message)) for path, message in exc.errors]  # the engine writes English
        raise YardRefused("invalid", "bad_evidence", _("The evidence item is not valid."), errors) from exc
    row = EvidenceItem(load_id=load.id, seq=item.seq, kind=item.kind, payload=item.payload,
                       recorded_at=datetime.fromisoformat(item.time.replace("Z", "+00:00")),
                       location=point_to_db(position) if position else None, author_user_id=user_id,
                       inspector_org_id=inspector_org_id,
                       device_id=item.device_id, corrects_seq=item.corrects, prev_hash=item.prev_hash, hash=item.hash)
    db.session.add(row)
    db.session.flush()
    return row


def tolerance_pct(site: Site) -> float:
    org = db.session.get(Organisation, site.organisation_id)
    default = float(current_app.config.get("YARD_WEIGHT_TOLERANCE_PCT", 2.0))
    value = (org.settings or {}).get("weighbridge_tolerance_pct", default) if org else default
    return float(value) if isinstance(value, int | float) and value >= 0 else default


def weight_check(load: Load, row: EvidenceItem, now: datetime) -> dict | None:
    """The weight exception of a weigh ticket (also recorded as an event), or None within tolerance."""
    if row.kind != "weigh_ticket" or not load.weight_kg or load.weight_kg <= 0:
        return None
    site = db.session.get(Site, load.pickup_site_id)
    found = weighing.net_weight_exception(float(row.payload["net_kg"]), float(load.weight_kg), tolerance_pct(site))
    if found is None:
        return None
    data = {**asdict(found), "tolerance_pct": tolerance_pct(site), "evidence_seq": row.seq}
    db.session.add(Event(kind="weight_exception", time=now, load_id=load.id, site_id=site.id,
                         vehicle_id=load.vehicle_id, data=data))
    return data


def _counterparty(principal: Principal | None, load: Load) -> int:
    """Whose admins also find the item's audit event: the party that appointed an inspector, else the other side."""
    if principal is not None and is_inspector(principal):
        appointed_by = db.session.scalar(select(InspectionAppointment.appointed_by_org_id).where(
            InspectionAppointment.load_id == load.id, InspectionAppointment.inspector_org_id == principal.organisation_id))
        return appointed_by or load.seller_org_id
    actor = principal.organisation_id if principal else None
    return load.buyer_org_id if actor == load.seller_org_id else load.seller_org_id


def record(principal: Principal, load: Load, kind: str, payload: dict, now: datetime, **meta) -> tuple[EvidenceItem, dict | None]:
    """Record one item and commit; returns the stored row and the weight exception, if any."""
    may_record(principal, load)
    store = evidence_store()
    missing = [digest for digest in file_hashes(payload) if not store.exists(digest)]
    if missing:  # an item naming a file nobody stored would fail every later verification
        raise YardRefused("invalid", "unknown_file", _("The item refers to a file that was never uploaded."),
                          [("payload", _("no stored file %(digest)s", digest=digest)) for digest in missing])
    try:
        row = append(principal, load, kind, payload, now, **meta)
        exception = weight_check(load, row, now)
        trail.record("evidence.recorded", "evidence_item", row.id, principal=principal,
                     counterparty_org_id=_counterparty(principal, load),
                     after={"load_id": load.id, "seq": row.seq, "kind": row.kind, "hash": row.hash,
                            "inspector_org_id": row.inspector_org_id})
        db.session.commit()
    except IntegrityError as exc:  # another writer took the same seq (the lock makes this rare)
        db.session.rollback()
        raise YardRefused("conflict", "chain_moved",
                          _("Another item was recorded at the same time; send again.")) from exc
    notify.load_event("yard.evidence", {"load_id": load.id, "seq": row.seq, "kind": row.kind, "hash": row.hash}, load)
    if exception is not None:
        notify.load_event("yard.weight_exception", {"load_id": load.id, **exception}, load)
    return row, exception


def verify_load(load_id: int) -> dict:
    """Recompute the chain and re-hash its files: ``ok``, or the first bad item and why."""
    rows = rows_of(load_id)
    result = evidence_chain.verify([chain_fields(row) for row in rows])
    out = {"ok": result.ok, "items": len(rows), "head": rows[-1].hash if rows else evidence_chain.GENESIS,
           "first_bad_seq": result.first_bad_seq, "first_bad_item_id": None, "reason": result.reason or None}
    if not result.ok:
        out["first_bad_item_id"] = next((r.id for r in rows if r.seq == result.first_bad_seq), None)
        return out
    store = evidence_store()
    for row in rows:
        for digest in file_hashes(row.payload):
            data = store.get(digest)
            if data is None or sha256_of(data) != digest:
                what = "is missing" if data is None else "was altered"
                out.update(ok=False, first_bad_seq=row.seq, first_bad_item_id=row.id,
                           reason=f"the stored file {digest[:12]}... {what}")
                return out
    return out


def file_hashes(payload: dict) -> list[str]:
    """The stored files an item refers to (a photo, a signature, the photos of a POD)."""
    found = [payload.get("sha256"), payload.get("signature_sha256"), *(payload.get("photo_sha256s") or [])]
    return [digest for digest in found if isinstance(digest, str)]


def item_view(row: EvidenceItem) -> dict:
    fields = chain_fields(row)
    location = fields.pop("position")
    independent = db.session.get(Organisation, row.inspector_org_id) if row.inspector_org_id else None
    return {**fields, "id": row.id, "load_id": row.load_id, "position": {"lat": location[0], "lon": location[1]}
            if location else None, "recorded_at": row.recorded_at, "author_user_id": row.author_user_id,
            "independent": independent is not None, "inspector_org_id": row.inspector_org_id,
            "inspector_name": independent.name if independent else None}
