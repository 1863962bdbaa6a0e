"""Vehicle positions, the events derived from them, and public tracking links."""

from __future__ import annotations

from datetime import datetime

from geoalchemy2 import Geometry
from sqlalchemy import Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db.types import UTCDateTime, utcnow
from server.extensions import db
from server.models.base import JSONType, Model


class Position(db.Model):
    """One GPS fix. ``(vehicle_id, time)`` is the key, so a redelivered fix is a no-op."""

    __tablename__ = "positions"

    vehicle_id: Mapped[int] = mapped_column(Integer, ForeignKey("vehicles.id"), primary_key=True)
    time: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    geom = mapped_column(Geometry("POINT", srid=4326, spatial_index=True), nullable=False)
    speed: Mapped[float | None] = mapped_column(Float, nullable=True)  # m/s
    heading: Mapped[float | None] = mapped_column(Float, nullable=True)
    accuracy: Mapped[float | None] = mapped_column(Float, nullable=True)  # metres
    battery: Mapped[float | None] = mapped_column(Float, nullable=True)
    seq: Mapped[int | None] = mapped_column(Integer, nullable=True)
    altitude: Mapped[float | None] = mapped_column(Float, nullable=True)  # metres
    # What else the device said (hdop, satellites, charging, OwnTracks' trigger, ...), bounded by
    # gps_ingest.attributes; null when it said nothing more.
    attributes: Mapped[dict | None] = mapped_column(JSONType, nullable=True)
    source: Mapped[str] = mapped_column(String(20), default="haul", nullable=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class Event(Model):
    __tablename__ = "events"

    kind: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    vehicle_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("vehicles.id"), nullable=True)
    load_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("loads.id"), nullable=True, index=True)
    site_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("sites.id"), nullable=True)
    data: Mapped[dict] = mapped_column(JSONType, default=dict, nullable=False)


class TrackingLink(Model):
    """A public, expiring tracking link; only the token's SHA-256 is stored."""

    __tablename__ = "tracking_links"

    load_id: Mapped[int] = mapped_column(Integer, ForeignKey("loads.id"), nullable=False, index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    created_by_user_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # A buyer with only a stop on a multi-drop load shares its own stop, not the whole load: the link
    # shows that buyer's stop (ETA, site, events) and nothing of the other buyers'. NULL: the whole load.
    stop_buyer_org_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("organisations.id"), nullable=True)
