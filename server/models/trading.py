"""Trading relationships: a seller may sell to a buyer (create its orders, see its delivery sites) only
once the buyer has accepted the seller's request."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db.types import UTCDateTime
from server.models.base import Model, org_fk


class TradingRelationship(Model):
    """One row per seller and buyer; its status moves as the two decide (``server.api.trading``)."""

    __tablename__ = "trading_relationships"
    __table_args__ = (UniqueConstraint("seller_org_id", "buyer_org_id"),)

    seller_org_id: Mapped[int] = org_fk()
    buyer_org_id: Mapped[int] = org_fk()
    # requested -> accepted | declined | withdrawn; accepted -> ended; declined, withdrawn, ended -> requested
    status: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    message: Mapped[str] = mapped_column(String(500), default="", nullable=False)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    requested_by_user_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_by_user_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ended_by_org_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("organisations.id"), nullable=True)
