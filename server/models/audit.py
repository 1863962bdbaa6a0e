"""The audit trail: one append-only row per state change, written in the change's own transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column

from server.db.types import UTCDateTime
from server.extensions import db
from server.models.base import JSONType


class AuditEvent(db.Model):
    """Who did what to which object, when, and what it looked like before and after.

    ``organisation_id`` is the actor's organisation; ``counterparty_org_id`` the other party of the
    object (the payer of a carrier's bill, say), so both sides' admins find the event.
    """

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    organisation_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("organisations.id"), nullable=True,
                                                        index=True)
    counterparty_org_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("organisations.id"),
                                                            nullable=True, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"), nullable=True, index=True)
    token_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # an ERP token; no FK: tokens are revoked, not kept
    via: Mapped[str] = mapped_column(String(10), default="system", nullable=False)  # session | token | system
    action: Mapped[str] = mapped_column(String(60), nullable=False)
    object_type: Mapped[str] = mapped_column(String(40), nullable=False)
    object_id: Mapped[int] = mapped_column(Integer, nullable=False)
    before: Mapped[dict | None] = mapped_column(JSONType, nullable=True)
    after: Mapped[dict | None] = mapped_column(JSONType, nullable=True)
    request_id: Mapped[str | None] = mapped_column(String(64), nullable=True)


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _append_only(_mapper, _connection, target: AuditEvent) -> None:
    raise RuntimeError(f"audit event {target.id} is append-only: record a new event instead")
