"""A load's evidence bundle and proof of delivery: append and read only.

There is deliberately no PUT, PATCH or DELETE here: evidence is corrected by a new item
that names the one it corrects. Items are JSON; photos come as multipart (or base64 in
JSON). The bundle carries the chain's verification, so a reader sees tampering at once.
"""

from __future__ import annotations

import io
import json

from flask import request, send_file
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import select

from server import clock
from server.api.common import IdField, LatLon
from server.auth.object_permissions import require_on_any
from server.auth.principal import current_principal, require
from server.auth.scoping import get_scoped_or_404
from server.errors import ApiProblem, load_or_422
from server.extensions import db
from server.models import Load, ProofOfDelivery, Site
from server.stops.views import sees_load_proof, visible_entries
from server.yard import device_forms
from server.yard import evidence as service
from server.yard.evidence_store import SHA256, evidence_store, image_type
from server.yard.pod import record_pod
from server.yard.refusals import answer_refusals

blp = Blueprint("evidence", __name__, url_prefix="/api/v1/loads", description="Evidence and proof of delivery")
answer_refusals(blp)
MAX_FILES = 10


class EvidenceIn(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(service.KINDS))
    payload = fields.Dict(load_default=dict, metadata={"description": "weigh_ticket: tare_kg, gross_kg[, net_kg]; "
                          "seal: seal_number; sample: sample_id; note: text; photo (JSON): content_base64"})
    position = fields.Nested(LatLon, load_default=None, allow_none=True)
    device_id = fields.String(load_default="api", validate=validate.Length(min=1, max=100))
    corrects = IdField(load_default=None, allow_none=True, metadata={"description": "seq of the corrected item"})
    captured_at = fields.AwareDateTime(load_default=None, allow_none=True)


class PhotoForm(Schema):
    kind = fields.String(load_default="photo", validate=validate.Equal("photo"))
    caption = fields.String(load_default=None, validate=validate.Length(max=500))
    lat = fields.Float(load_default=None, allow_nan=False, validate=validate.Range(min=-90, max=90))
    lon = fields.Float(load_default=None, allow_nan=False, validate=validate.Range(min=-180, max=180))
    device_id = fields.String(load_default="api", validate=validate.Length(min=1, max=100))
    corrects = IdField(load_default=None, allow_none=True)

    @validates_schema
    def _both(self, data, **_kwargs):
        if (data["lat"] is None) != (data["lon"] is None):
            raise ValidationError(_("give both lat and lon, or neither"), "lat")


class ExceptionIn(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=50),
                         metadata={"example": "damaged"})
    note = fields.String(load_default="", validate=validate.Length(max=1000))


class PodIn(Schema):
    signed_by = fields.String(required=True, validate=validate.Length(min=1, max=200))
    received_quantity = fields.Float(required=True, allow_nan=False, validate=validate.Range(min=0, max=1e9))
    exceptions = fields.List(fields.Nested(ExceptionIn), load_default=list, validate=validate.Length(max=50))
    position = fields.Nested(LatLon, load_default=None, allow_none=True)
    device_id = fields.String(load_default="api", validate=validate.Length(min=1, max=100))
    signature_base64 = fields.String(load_default=None, allow_none=True)
    photos_base64 = fields.List(fields.String(), load_default=list, validate=validate.Length(max=MAX_FILES))


class PodOut(Schema):
    id = fields.Integer()
    load_id = fields.Integer()
    signed_by = fields.String()
    signature_sha256 = fields.String(allow_none=True)
    received_quantity = fields.Float()
    exceptions = fields.List(fields.Dict())
    photo_sha256s = fields.List(fields.String())
    delivered_at = fields.DateTime()
    distance_m = fields.Float(allow_none=True, metadata={"description": "from the delivery site; null: unknown"})
    position_source = fields.String(allow_none=True, metadata={"description": "pod (sent with it), gps (the "
                                                               "truck's last fix) or null"})
    radius_m = fields.Float(allow_none=True, metadata={"description": "the radius held to; null: the geofence"})
    off_site = fields.Boolean(metadata={"description": "given outside the site's geofence or radius"})


class ItemOut(Schema):
    id = fields.Integer()
    load_id = fields.Integer()
    seq = fields.Integer()
    kind = fields.String()
    payload = fields.Dict()
    time = fields.String()
    position = fields.Dict(allow_none=True)
    author_id = fields.String()
    independent = fields.Boolean(metadata={"description": "recorded by an appointed independent inspector"})
    inspector_org_id = fields.Integer(allow_none=True)
    inspector_name = fields.String(allow_none=True)
    device_id = fields.String()
    corrects = fields.Integer(allow_none=True)
    prev_hash = fields.String()
    hash = fields.String()


class AppendOut(Schema):
    items = fields.List(fields.Nested(ItemOut))
    weight_exception = fields.Dict(allow_none=True)


class BundleOut(Schema):
    load_id = fields.Integer()
    items = fields.List(fields.Nested(ItemOut))
    verification = fields.Dict()
    proof_of_delivery = fields.Nested(PodOut, allow_none=True)


def _multipart() -> bool:
    return request.mimetype == "multipart/form-data"


def _files(*names: str) -> list[bytes]:
    files = [f for name in names for f in request.files.getlist(name)]
    if len(files) > MAX_FILES:
        raise ApiProblem(422, _("At most %(MAX_FILES)s files at once.", MAX_FILES=MAX_FILES),
                         [(names[0], _("too many files"))])
    return [f.read() for f in files]


def _body_doc(json_schema: type[Schema], form: dict) -> dict:
    return {"requestBody": {"required": True, "content": {
        "application/json": {"schema": json_schema},
        "multipart/form-data": {"schema": {"type": "object", "properties": form}}}}}


PHOTO_FORM = {"kind": {"type": "string", "enum": ["photo"]}, "caption": {"type": "string"},
              "lat": {"type": "number"}, "lon": {"type": "number"}, "device_id": {"type": "string"},
              "photos": {"type": "array", "items": {"type": "string", "format": "binary"}}}
POD_FORM = {"signed_by": {"type": "string"}, "received_quantity": {"type": "number"},
            "exceptions": {"type": "string", "description": "JSON list of {code, note}"},
            "lat": {"type": "number"}, "lon": {"type": "number"}, "device_id": {"type": "string"},
            "signature": {"type": "string", "format": "binary"},
            "photos": {"type": "array", "items": {"type": "string", "format": "binary"}}}


@blp.post("/<int:load_id>/evidence")
@blp.doc(**_body_doc(EvidenceIn, PHOTO_FORM))
@blp.response(201, AppendOut)
@require("record_evidence", by_department=True)
def post_evidence(load_id):
    """Append evidence: a weigh ticket, seal, sample, note or photo (JSON), or photos (multipart); or the
    driver app's whole evidence form (``server.yard.device_forms``), stored once per Idempotency-Key."""
    principal = current_principal()
    load = get_scoped_or_404(Load, load_id, principal)
    require_on_any(principal, "record_evidence", db.session.get(Site, load.pickup_site_id), load)
    now = clock.now()
    body = None if _multipart() else request.get_json(silent=True)
    if device_forms.is_device_form(body, request.form.to_dict() if _multipart() else None):
        form = device_forms.parse(device_forms.EvidenceForm(), request.form["payload"] if body is None else body)
        key = device_forms.submission_key(request.headers.get("Idempotency-Key"))
        rows, exception = device_forms.record_evidence_form(principal, load, form, _files("photos"), now, key)
        return {"items": [service.item_view(r) for r in rows], "weight_exception": exception}
    if _multipart():
        form = load_or_422(PhotoForm(), request.form.to_dict())
        files = _files("photos", "file")
        if not files:
            raise ApiProblem(422, _("A photo upload needs at least one file."),
                             [("photos", _("no file sent"))])
        service.may_record(principal, load)
        position = {"lat": form["lat"], "lon": form["lon"]} if form["lat"] is not None else None
        rows = []
        for k, data in enumerate(files):
            payload = {**service.store_file(data, f"photos/{k}"), "caption": form["caption"]}
            rows.append(service.record(principal, load, "photo", payload, now, position=position,
                                       device_id=form["device_id"], corrects=form["corrects"])[0])
        return {"items": [service.item_view(r) for r in rows], "weight_exception": None}
    data = load_or_422(EvidenceIn(), body)
    payload = dict(data["payload"])
    if data["captured_at"] is not None:
        payload["captured_at"] = data["captured_at"].isoformat()
    if data["kind"] == "photo" and "content_base64" in payload:
        service.may_record(principal, load)
        content = service.decode_base64(payload.pop("content_base64"), "payload/content_base64")
        payload.update(service.store_file(content, "payload/content_base64"))
    row, exception = service.record(principal, load, data["kind"], payload, now, position=data["position"],
                                    device_id=data["device_id"], corrects=data["corrects"])
    return {"items": [service.item_view(row)], "weight_exception": exception}


@blp.get("/<int:load_id>/evidence")
@blp.response(200, BundleOut)
def get_evidence(load_id):
    """The load's evidence bundle in chain order, with the chain's verification and the proof of delivery."""
    principal = current_principal()
    load = get_scoped_or_404(Load, load_id, principal)
    # The load's own proof; a multi-drop load's proofs are per stop (its stops' endpoints).
    pod = db.session.scalar(select(ProofOfDelivery).where(ProofOfDelivery.load_id == load.id,
                                                          ProofOfDelivery.stop_id.is_(None)))
    if not sees_load_proof(load, principal):  # a buyer with only a stop on the load: its stop's proof
        pod = None
    items = visible_entries([service.item_view(r) for r in service.rows_of(load.id)], load, principal, "payload")
    return {"load_id": load.id, "items": items,
            "verification": service.verify_load(load.id), "proof_of_delivery": pod}


@blp.get("/<int:load_id>/evidence/files/<sha256>")
@blp.response(200, description="The stored file (a photo or signature image)")
def get_evidence_file(load_id, sha256):
    """A photo or signature of the load's evidence, by its SHA-256."""
    load = get_scoped_or_404(Load, load_id, current_principal())
    known = SHA256.match(sha256) and any(sha256 in service.file_hashes(r.payload) for r in service.rows_of(load.id))
    data = evidence_store().get(sha256) if known else None
    if data is None:
        raise ApiProblem(404, _("No such file in this load's evidence."))
    return private_file(data, sha256)


EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp"}


def private_file(data: bytes, sha256: str):
    """A stored file for one load's parties: never kept by shared caches, never sniffed into something else,
    shown inline only when it really is an image (downloaded otherwise), named by its hash."""
    mimetype = image_type(data)
    response = send_file(io.BytesIO(data), mimetype=mimetype or "application/octet-stream",
                         as_attachment=mimetype is None, download_name=sha256 + EXTENSIONS.get(mimetype, ".bin"),
                         etag=False, conditional=False)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@blp.post("/<int:load_id>/pod")
@blp.doc(**_body_doc(PodIn, POD_FORM))
@blp.response(201, PodOut)
@require("record_evidence", by_department=True)
def post_pod(load_id):
    """Proof of delivery: signer, signature image, photos, received quantity and exceptions; once per load.
    The driver app's form (a ``payload`` part, signature first among ``photos``) is taken too."""
    principal = current_principal()
    load = get_scoped_or_404(Load, load_id, principal)
    require_on_any(principal, "record_evidence", load)
    if _multipart() and device_forms.is_device_form(None, request.form.to_dict()):
        form = device_forms.parse(device_forms.PodForm(), request.form["payload"])
        key = device_forms.submission_key(request.headers.get("Idempotency-Key"))
        files = _files("photos")  # the phone sends its signature image first
        return device_forms.earlier_pod(load, key) or record_pod(
            principal, load, device_forms.pod_data(form, key), clock.now(),
            signature=files[0] if files else None, photos=tuple(files[1:]))
    if _multipart():
        raw = request.form.to_dict()
        if "exceptions" in raw:
            try:
                raw["exceptions"] = json.loads(raw["exceptions"])
            except ValueError as exc:
                raise ApiProblem(422, _("exceptions must be a JSON list."),
                                 [("exceptions", _("is not JSON"))]) from exc
        lat, lon = raw.pop("lat", None), raw.pop("lon", None)
        if lat is not None or lon is not None:
            raw["position"] = {"lat": lat, "lon": lon}
        data = load_or_422(PodIn(), raw)
        signature = (_files("signature") or [None])[0]
        photos = _files("photos")
    else:
        data = load_or_422(PodIn(), request.get_json(silent=True))
        signature = service.decode_base64(data["signature_base64"], "signature_base64") if data[
            "signature_base64"] else None
        photos = [service.decode_base64(p, f"photos_base64/{k}") for k, p in enumerate(data["photos_base64"])]
    return record_pod(principal, load, data, clock.now(), signature=signature, photos=tuple(photos))
