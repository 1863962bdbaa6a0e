"""The carrier marketplace: tenders, bids, awards and the buyer's pickup authorization."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from server.db.types import UTCDateTime
from server.models.base import JSONType, Model, org_fk


class Tender(Model):
    __tablename__ = "tenders"

    load_id: Mapped[int] = mapped_column(Integer, ForeignKey("loads.id"), nullable=False, index=True)
    seller_org_id: Mapped[int] = org_fk()
    mode: Mapped[str] = mapped_column(String(20), nullable=False)  # grab | auction | sequential
    status: Mapped[str] = mapped_column(String(20), default="open", nullable=False, index=True)
    award_rule: Mapped[str] = mapped_column(String(30), default="lowest_price", nullable=False)
    price: Mapped[float | None] = mapped_column(Float, nullable=True)  # fixed grab price
    ceiling_price: Mapped[float | None] = mapped_column(Float, nullable=True)
    min_decrement: Mapped[float] = mapped_column(Float, default=0.0, nullable=False)
    max_bids_per_carrier: Mapped[int] = mapped_column(Integer, default=3, nullable=False)
    target_price: Mapped[float | None] = mapped_column(Float, nullable=True)  # auto-accept at or below
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    private: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    preferred_carrier_ids: Mapped[list] = mapped_column(JSONType, default=list, nullable=False)
    sequential_index: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    offer_timeout_s: Mapped[int] = mapped_column(Integer, default=900, nullable=False)
    offer_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    radius_km: Mapped[float] = mapped_column(Float, default=50.0, nullable=False)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Bumped on every state change; the award is a conditional update on it.
    version: Mapped[int] = mapped_column(Integer, default=0, nullable=False)


class Bid(Model):
    __tablename__ = "bids"

    tender_id: Mapped[int] = mapped_column(Integer, ForeignKey("tenders.id"), nullable=False, index=True)
    carrier_org_id: Mapped[int] = org_fk()
    price: Mapped[float] = mapped_column(Float, nullable=False)
    status: Mapped[str] = mapped_column(String(20), default="active", nullable=False)


class Award(Model):
    __tablename__ = "awards"
    # The database, not the Python process, guarantees one award per tender and one live award
    # per load (a load whose carrier withdrew can be tendered and awarded again).
    __table_args__ = (
        UniqueConstraint("tender_id"),
        Index("uq_awards_live_load_id", "load_id", unique=True, postgresql_where=text("cancelled_at IS NULL"),
              sqlite_where=text("cancelled_at IS NULL")),
    )

    tender_id: Mapped[int] = mapped_column(Integer, ForeignKey("tenders.id"), nullable=False)
    load_id: Mapped[int] = mapped_column(Integer, ForeignKey("loads.id"), nullable=False)
    carrier_org_id: Mapped[int] = org_fk()
    price: Mapped[float] = mapped_column(Float, nullable=False)
    rule: Mapped[str] = mapped_column(String(30), nullable=False)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class PickupAuthorization(Model):
    __tablename__ = "pickup_authorizations"

    load_id: Mapped[int] = mapped_column(Integer, ForeignKey("loads.id"), nullable=False, index=True)
    buyer_org_id: Mapped[int] = org_fk()
    carrier_org_id: Mapped[int] = org_fk()
    driver_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("drivers.id"), nullable=True)
    plate: Mapped[str] = mapped_column(String(20), nullable=False)
    token_id: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)  # the signed token's jti
    issued_by_user_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"), nullable=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # None: no approval was needed; pending (the gate refuses it), approved or rejected (server.approvals).
    approval_status: Mapped[str | None] = mapped_column(String(20), nullable=True)


class CarrierScoreEvent(Model):
    """One scored fact about a carrier on a load (on time, tracked share, cancellation)."""

    __tablename__ = "carrier_score_events"
    __table_args__ = (UniqueConstraint("carrier_org_id", "load_id", "kind"),)

    carrier_org_id: Mapped[int] = org_fk()
    load_id: Mapped[int] = mapped_column(Integer, ForeignKey("loads.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    value: Mapped[float] = mapped_column(Float, nullable=False)
