"""The driver app's forms on the evidence and proof-of-delivery endpoints.

The phone sends each form as one submission from its on-disk outbox (one ``Idempotency-Key``,
resent as a whole until the server answers): a ``payload`` JSON part plus ``photos`` files
(multipart), or the payload as the JSON body when there is no file. The dock evidence form
(weigh ticket, seals, samples, notes, photos) becomes one chain item per fact, appended in a
single transaction, so a form is stored whole or not at all. The proof-of-delivery form's files
are the signature first, then photos.

A resend with the same key (the answer was lost on the way back) returns what the first one
stored instead of appending again: each item carries the key as ``submission_key``.
"""

from __future__ import annotations

import json
from datetime import datetime

from flask_babel import gettext as _
from marshmallow import EXCLUDE, Schema, fields, validate
from sqlalchemy import select

from server.auth.principal import Principal
from server.errors import ApiProblem, load_or_422
from server.extensions import db
from server.models import EvidenceItem, Load, ProofOfDelivery
from server.yard import notify
from server.yard.evidence import append, may_record, rows_of, store_file, weight_check
from server.yard.refusals import YardRefused

DEVICE_ID = "driver-app"
MAX_KEY = 200


class _Position(Schema):
    class Meta:
        unknown = EXCLUDE  # the phone adds accuracy and fix time

    lat = fields.Float(required=True, allow_nan=False, validate=validate.Range(min=-90, max=90))
    lon = fields.Float(required=True, allow_nan=False, validate=validate.Range(min=-180, max=180))


class EvidenceForm(Schema):
    class Meta:
        unknown = EXCLUDE  # e.g. photo_stamps: the phone's own bookkeeping

    ticket_number = fields.String(required=True, validate=validate.Length(min=1, max=100))
    tare_kg = fields.Float(required=True, allow_nan=False)
    gross_kg = fields.Float(required=True, allow_nan=False)
    net_kg = fields.Float(load_default=None, allow_none=True, allow_nan=False)
    seal_numbers = fields.List(fields.String(validate=validate.Length(min=1, max=100)), load_default=list,
                               validate=validate.Length(max=50))
    sample_ids = fields.List(fields.String(validate=validate.Length(min=1, max=100)), load_default=list,
                             validate=validate.Length(max=50))
    notes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    recorded_at = fields.AwareDateTime(load_default=None, allow_none=True)
    position = fields.Nested(_Position, load_default=None, allow_none=True)


class PodForm(Schema):
    class Meta:
        unknown = EXCLUDE

    receiver_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    received_quantity = fields.Float(required=True, allow_nan=False, validate=validate.Range(min=0, max=1e9))
    exception = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))
    exception_kind = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=50))
    recorded_at = fields.AwareDateTime(load_default=None, allow_none=True)
    position = fields.Nested(_Position, load_default=None, allow_none=True)


def is_device_form(body: object, multipart_fields: dict | None = None) -> bool:
    """A phone's form: multipart with a ``payload`` part, or a JSON object without ``kind``."""
    if multipart_fields is not None:
        return "payload" in multipart_fields
    return isinstance(body, dict) and "kind" not in body and ("ticket_number" in body or "receiver_name" in body)


def parse(schema: Schema, raw: object) -> dict:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise ApiProblem(422, _("The payload part must be JSON."),
                             [("payload", _("is not JSON"))]) from exc
    return load_or_422(schema, raw, field="payload", what="The form")


def submission_key(header: str | None) -> str | None:
    if header is None:
        return None
    if not 1 <= len(header) <= MAX_KEY:
        raise ApiProblem(400, _("Idempotency-Key must be 1 to %(MAX_KEY)s characters.", MAX_KEY=MAX_KEY))
    return header


def record_evidence_form(principal: Principal, load: Load, form: dict, photos: list[bytes], now: datetime,
                         key: str | None) -> tuple[list[EvidenceItem], dict | None]:
    """Append the form's items (weigh ticket, seals, samples, note, photos) in one commit; returns
    the rows and the weight exception of the ticket, if any."""
    may_record(principal, load)
    if key is not None:
        earlier = [r for r in rows_of(load.id) if (r.payload or {}).get("submission_key") == key]
        if earlier:
            return earlier, None
    stamp = {"captured_at": form["recorded_at"].isoformat()} if form["recorded_at"] else {}
    if key is not None:
        stamp["submission_key"] = key
    ticket = {"ticket_number": form["ticket_number"], "tare_kg": form["tare_kg"], "gross_kg": form["gross_kg"]}
    if form["net_kg"] is not None:
        ticket["net_kg"] = form["net_kg"]
    items = [("weigh_ticket", ticket)]
    items += [("seal", {"seal_number": s}) for s in form["seal_numbers"]]
    items += [("sample", {"sample_id": s}) for s in form["sample_ids"]]
    if form["notes"]:
        items.append(("note", {"text": form["notes"]}))
    items += [("photo", store_file(data, f"photos/{k}")) for k, data in enumerate(photos)]
    rows, exceptions = [], []
    for kind, payload in items:
        row = append(principal, load, kind, {**payload, **stamp}, now, position=form["position"],
                     device_id=DEVICE_ID)
        rows.append(row)
        found = weight_check(load, row, now)
        if found is not None:
            exceptions.append(found)
    db.session.commit()
    for row in rows:
        notify.load_event("yard.evidence", {"load_id": load.id, "seq": row.seq, "kind": row.kind,
                                            "hash": row.hash}, load)
    for found in exceptions:
        notify.load_event("yard.weight_exception", {"load_id": load.id, **found}, load)
    return rows, (exceptions[0] if exceptions else None)


def pod_data(form: dict, key: str | None) -> dict:
    """The form as ``record_pod`` takes it."""
    exceptions = []
    if form["exception"]:
        exceptions.append({"code": form["exception_kind"] or "exception", "note": form["exception"]})
    return {"signed_by": form["receiver_name"], "received_quantity": form["received_quantity"],
            "exceptions": exceptions, "position": form["position"], "device_id": DEVICE_ID,
            "submission_key": key}


def earlier_pod(load: Load, key: str | None) -> ProofOfDelivery | None:
    """The proof a resend of the same submission already stored, if any."""
    if key is None:
        return None
    pod = db.session.scalar(select(ProofOfDelivery).where(ProofOfDelivery.load_id == load.id))
    if pod is None:
        return None
    for row in rows_of(load.id):
        if row.kind == "note" and (row.payload or {}).get("submission_key") == key:
            return pod
    raise YardRefused("conflict", "already_delivered", _("This load already has its proof of delivery."))
