"""The per-attempt log of webhook deliveries (migration 0005).

``WebhookDelivery`` (server/models/notify.py) holds one event for one endpoint and its
state; each HTTP try of it is a ``WebhookAttempt`` with the answer or the error, so an
ERP admin can see why an endpoint failed. Deleting a delivery deletes its attempts.
"""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Model

ERROR_LENGTH = 500


class WebhookAttempt(Model):
    __tablename__ = "webhook_attempts"

    delivery_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), nullable=False, index=True)
    webhook_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("webhooks.id", ondelete="CASCADE"), nullable=False, index=True)
    number: Mapped[int] = mapped_column(Integer, nullable=False)  # 1 for the first try
    ok: Mapped[bool] = mapped_column(Boolean, nullable=False)
    response_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(String(ERROR_LENGTH), nullable=True)
    duration_ms: Mapped[int] = mapped_column(Integer, nullable=False)
