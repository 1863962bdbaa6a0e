"""Device pairings: a dispatcher's short-lived, single-use code that signs a driver's phone in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db.types import UTCDateTime
from server.models.base import Model, org_fk


class DevicePairing(Model):
    """One pairing code for one driver (and optionally a truck), and what became of it.

    Only an HMAC of the code is stored. Pending until ``expires_at``; ``paired_at`` is set by
    the one request that used it (a conditional UPDATE, so two phones cannot both win), and the
    token and device credential it issued are kept so that unpairing can revoke them.
    """

    __tablename__ = "device_pairings"

    organisation_id: Mapped[int] = org_fk()
    driver_id: Mapped[int] = mapped_column(Integer, ForeignKey("drivers.id"), nullable=False, index=True)
    vehicle_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("vehicles.id"), nullable=True)
    created_by_user_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"), nullable=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    paired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    device_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    api_token_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("api_tokens.id"), nullable=True)
    device_credential_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("device_credentials.id"),
                                                             nullable=True)

    def status(self, now: datetime) -> str:
        """pending | paired | cancelled | expired."""
        if self.paired_at is not None:
            return "paired"
        if self.cancelled_at is not None:
            return "cancelled"
        return "expired" if self.expires_at <= now else "pending"
