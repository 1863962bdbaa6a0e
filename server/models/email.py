"""E-mail as a notification channel: each user's choices, and the outbox the sender works through."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db.types import UTCDateTime
from server.models.base import JSONType, Model

MODES = ("immediate", "digest")
REASON_LENGTH = 300


class EmailSettings(Model):
    """A user's e-mail choices; a user without a row gets the defaults (``server.notify.email_prefs``)."""

    __tablename__ = "email_settings"

    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id"), nullable=False, unique=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    mode: Mapped[str] = mapped_column(String(20), default="immediate", nullable=False)
    kinds: Mapped[list] = mapped_column(JSONType, default=list, nullable=False)
    # Set when the address bounced: e-mail stays off until the user turns it on again.
    disabled_reason: Mapped[str | None] = mapped_column(String(REASON_LENGTH), nullable=True)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class EmailMessage(Model):
    """One notification to send to one user: ``pending`` (immediate), ``digest`` (waits for the day's
    digest), ``sending`` (claimed), ``sent``, ``failed`` (gave up), ``bounced``, ``skipped`` (e-mail off)."""

    __tablename__ = "email_messages"
    __table_args__ = (Index("ix_email_messages_due", "status", "next_attempt_at"),)

    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False,
                                         index=True)
    notification_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("notifications.id", ondelete="CASCADE"), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="pending", nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    error: Mapped[str | None] = mapped_column(String(REASON_LENGTH), nullable=True)
