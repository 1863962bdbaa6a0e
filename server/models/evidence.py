"""Evidence at the shipping point and proof of delivery; both append-only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint, func, text
from sqlalchemy.orm import Mapped, mapped_column

from server.db.types import UTCDateTime
from server.models.base import JSONType, Model, point_column


class EvidenceItem(Model):
    """One item of a load's hash chain: a correction is a new item, never an edit."""

    __tablename__ = "evidence_items"
    __table_args__ = (UniqueConstraint("load_id", "seq"),)

    load_id: Mapped[int] = mapped_column(Integer, ForeignKey("loads.id"), nullable=False, index=True)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[str] = mapped_column(String(30), nullable=False)  # weigh_ticket seal sample photo note
    payload: Mapped[dict] = mapped_column(JSONType, nullable=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    location = point_column(nullable=True)
    author_user_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"), nullable=True)
    # Set when an appointed independent inspector recorded the item; part of the hashed author.
    inspector_org_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("organisations.id"), nullable=True)
    device_id: Mapped[str] = mapped_column(String(100), default="", nullable=False)
    corrects_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)


class ProofOfDelivery(Model):
    __tablename__ = "proofs_of_delivery"

    # One proof per delivery stop, and one per plain load (stop_id None counts as stop 0).
    __table_args__ = (Index("uq_proofs_of_delivery_load_stop", "load_id", func.coalesce(text("stop_id"), 0),
                            unique=True),)

    load_id: Mapped[int] = mapped_column(Integer, ForeignKey("loads.id"), nullable=False, index=True)
    # The delivery stop this proof is for on a multi-drop load; None on a plain load (one proof).
    stop_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("load_stops.id"), nullable=True)
    signed_by: Mapped[str] = mapped_column(String(200), nullable=False)
    signature_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    received_quantity: Mapped[float] = mapped_column(Float, nullable=False)
    exceptions: Mapped[list] = mapped_column(JSONType, default=list, nullable=False)
    photo_sha256s: Mapped[list] = mapped_column(JSONType, default=list, nullable=False)
    delivered_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    author_user_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"), nullable=True)
    # Where the proof was given, against the delivery site (server.yard.pod_place): metres from the site,
    # where the position came from (pod: sent with it, gps: the truck's last fix, None: unknown), the
    # radius it was held to (None when the site's geofence decided), and whether it was outside.
    distance_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    position_source: Mapped[str | None] = mapped_column(String(10), nullable=True)
    radius_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    off_site: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
