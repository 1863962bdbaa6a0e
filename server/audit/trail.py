"""``record``: one audit event for one state change, added to the caller's session.

Call it in the same transaction as the change (before the commit), so a change and its audit
event are committed or rolled back together. Nothing here commits, updates or deletes: the
table is append-only (the model refuses updates and deletes).

Who: the principal's organisation and user, and for a bearer token the token's id (found by the
token's hash, once per request); ``system`` when no one called (a sweep, a bench, the demo).
The request id is the caller's ``X-Request-Id`` (up to 64 letters, digits, ``-_.:``) or one
made for the request, so the events of one call can be found together.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable
from datetime import datetime

from flask import has_request_context, request
from sqlalchemy import select

from server import clock
from server.auth.principal import Principal, hash_token
from server.db.bulk import insert_rows
from server.extensions import db
from server.models import ApiToken, AuditEvent

REQUEST_ID = "haul.request_id"
_TOKEN_ID = "haul.audit_token_id"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,64}$")


def request_id() -> str | None:
    """This request's id: the caller's ``X-Request-Id`` when it is safe, else a new one (None outside a request)."""
    if not has_request_context():
        return None
    if REQUEST_ID not in request.environ:
        given = request.headers.get("X-Request-Id", "")
        request.environ[REQUEST_ID] = given if _SAFE_ID.match(given) else uuid.uuid4().hex
    return request.environ[REQUEST_ID]


def _token_id(principal: Principal | None) -> int | None:
    if principal is None or principal.via != "token":
        return None
    if principal.token_id is not None:  # resolved with the caller: no second look-up of the same token
        return principal.token_id
    if not has_request_context():
        return None
    if _TOKEN_ID not in request.environ:
        header = request.headers.get("Authorization", "")
        token = header[len("Bearer "):].strip() if header.startswith("Bearer ") else ""
        request.environ[_TOKEN_ID] = db.session.scalar(
            select(ApiToken.id).where(ApiToken.token_hash == hash_token(token))) if token else None
    return request.environ[_TOKEN_ID]


def summary(value) -> dict | None:
    """A before/after summary as plain JSON (Decimals and dates as text, so amounts keep their cents)."""
    if value is None:
        return None
    return json.loads(json.dumps(value, default=str))


def event_row(action: str, object_type: str, object_id: int, *, principal: Principal | None = None,
              organisation_id: int | None = None, counterparty_org_id: int | None = None,
              before=None, after=None, at: datetime | None = None) -> dict:
    """The column values of one audit event (for ``record`` and for bulk writers)."""
    return {"at": at or clock.now(), "action": action, "object_type": object_type, "object_id": object_id,
            "organisation_id": principal.organisation_id if principal else organisation_id,
            "counterparty_org_id": counterparty_org_id,
            "user_id": principal.user_id if principal else None, "token_id": _token_id(principal),
            "via": principal.via if principal else "system",
            "before": summary(before), "after": summary(after), "request_id": request_id()}


def record(action: str, object_type: str, object_id: int, **who_and_what) -> AuditEvent:
    """Add one audit event to the current session (the caller commits it with the change)."""
    row = AuditEvent(**event_row(action, object_type, object_id, **who_and_what))
    db.session.add(row)
    return row


def record_many(rows: Iterable[dict]) -> int:
    """Add many events made by ``event_row`` in one multi-row INSERT (bulk writers: bills of a period)."""
    rows = list(rows)
    insert_rows(AuditEvent, rows)
    return len(rows)
