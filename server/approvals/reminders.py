"""Reminders: a request pending longer than the interval is announced again to its organisation.

Run by ``haul approvals remind`` (cron, or ``--every``). A request is reminded at most once per interval.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select

from server.audit.trail import record
from server.extensions import db
from server.models import ApprovalRequest
from server.notify.publish import publish_event


def due(now: datetime, interval: timedelta) -> list[ApprovalRequest]:
    cutoff = now - interval
    last = func.coalesce(ApprovalRequest.reminded_at, ApprovalRequest.created_at)
    return list(db.session.scalars(select(ApprovalRequest).where(
        ApprovalRequest.status == "pending", or_(last <= cutoff)).order_by(ApprovalRequest.id).limit(500)))


def remind(now: datetime, interval: timedelta) -> int:
    """Remind the organisations of every overdue pending request; returns how many were reminded."""
    rows = due(now, interval)
    for row in rows:
        row.reminded_at = now
        record("approval.reminded", "approval", row.id, organisation_id=row.organisation_id,
               after={"level": row.level, "waiting_since": row.created_at})
    db.session.commit()
    for row in rows:
        publish_event("approval_reminder", organisation_ids=[row.organisation_id], load_id=row.load_id,
                      data={"approval_id": row.id, "object_type": row.object_type, "object_id": row.object_id,
                            "level": row.level, "waiting_since": row.created_at})
    return len(rows)
