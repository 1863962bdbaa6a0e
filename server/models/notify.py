"""Webhook subscriptions, their delivery log, and in-app notifications."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db.types import UTCDateTime
from server.models.base import JSONType, Model, org_fk


class Webhook(Model):
    __tablename__ = "webhooks"

    organisation_id: Mapped[int] = org_fk()
    url: Mapped[str] = mapped_column(String(1000), nullable=False)
    secret: Mapped[str] = mapped_column(String(100), nullable=False)  # HMAC key shown once to the owner
    events: Mapped[list] = mapped_column(JSONType, default=list, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0, nullable=False)


class WebhookDelivery(Model):
    __tablename__ = "webhook_deliveries"

    webhook_id: Mapped[int] = mapped_column(Integer, ForeignKey("webhooks.id"), nullable=False, index=True)
    event: Mapped[str] = mapped_column(String(40), nullable=False)
    payload: Mapped[dict] = mapped_column(JSONType, nullable=False)
    status: Mapped[str] = mapped_column(String(20), default="pending", nullable=False, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    response_code: Mapped[int | None] = mapped_column(Integer, nullable=True)


class Notification(Model):
    __tablename__ = "notifications"

    organisation_id: Mapped[int] = org_fk()
    user_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    payload: Mapped[dict] = mapped_column(JSONType, default=dict, nullable=False)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


# Each HTTP try of a delivery, with the answer or the error (migration 0005), so an ERP admin
# can see why an endpoint failed. Deleting a delivery deletes its attempts.
ERROR_LENGTH = 500


class WebhookAttempt(Model):
    __tablename__ = "webhook_attempts"
    # Rounds count each organisation's attempts of the last minute (migration 0009).
    __table_args__ = (Index("ix_webhook_attempts_created_at", "created_at"),)

    delivery_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), nullable=False, index=True)
    webhook_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("webhooks.id", ondelete="CASCADE"), nullable=False, index=True)
    number: Mapped[int] = mapped_column(Integer, nullable=False)  # 1 for the first try
    ok: Mapped[bool] = mapped_column(Boolean, nullable=False)
    response_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(String(ERROR_LENGTH), nullable=True)
    duration_ms: Mapped[int] = mapped_column(Integer, nullable=False)
