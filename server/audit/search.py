"""Finding audit events: by object and by user, for one organisation's admins, and as CSV."""

from __future__ import annotations

import csv
import io
import json

from sqlalchemy import Select, or_, select

from server.models import AuditEvent

# The CSV layout, one row per event, oldest first (docs/architecture.md, "Audit trail").
CSV_COLUMNS = ("id", "at", "organisation_id", "counterparty_org_id", "user_id", "token_id", "via", "action",
               "object_type", "object_id", "request_id", "before", "after")


def visible_to(organisation_id: int):
    """An organisation sees the events its people made and those made on objects it is a party to."""
    return or_(AuditEvent.organisation_id == organisation_id, AuditEvent.counterparty_org_id == organisation_id)


def query(organisation_id: int, *, object_type: str | None = None, object_id: int | None = None,
          user_id: int | None = None, action: str | None = None) -> Select:
    stmt = select(AuditEvent).where(visible_to(organisation_id))
    if object_type:
        stmt = stmt.where(AuditEvent.object_type == object_type)
    if object_id is not None:
        stmt = stmt.where(AuditEvent.object_id == object_id)
    if user_id is not None:
        stmt = stmt.where(AuditEvent.user_id == user_id)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return stmt.order_by(AuditEvent.at, AuditEvent.id)


def view(row: AuditEvent) -> dict:
    return {column: getattr(row, column) for column in CSV_COLUMNS}


def to_csv(rows) -> str:
    """Events as CSV in ``CSV_COLUMNS`` order; before/after as compact JSON text."""

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        values = view(row)
        values["at"] = row.at.isoformat()
        for key in ("before", "after"):
            values[key] = json.dumps(values[key], separators=(",", ":"), sort_keys=True) if values[key] else ""
        writer.writerow(["" if values[c] is None else values[c] for c in CSV_COLUMNS])
    return out.getvalue()
