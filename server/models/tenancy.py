"""Organisations, users, roles and the three kinds of credentials."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db.types import UTCDateTime
from server.models.base import JSONType, Model, org_fk


class OrgKind(enum.StrEnum):
    SELLER = "seller"
    BUYER = "buyer"
    CARRIER = "carrier"
    PLATFORM = "platform"
    INSPECTOR = "inspector"  # an independent weighing and sampling agency


class Role(enum.StrEnum):
    ADMIN = "admin"
    DISPATCHER = "dispatcher"
    DOCK_MANAGER = "dock_manager"
    DRIVER = "driver"
    VIEWER = "viewer"


class Organisation(Model):
    __tablename__ = "organisations"

    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    # Scorecard thresholds and other per-organisation settings.
    settings: Mapped[dict] = mapped_column(JSONType, default=dict, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)


class User(Model):
    __tablename__ = "users"

    organisation_id: Mapped[int] = org_fk()
    email: Mapped[str] = mapped_column(String(254), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    password_hash: Mapped[str] = mapped_column(String(300), nullable=False)
    roles: Mapped[list] = mapped_column(JSONType, default=list, nullable=False)
    language: Mapped[str] = mapped_column(String(10), default="en", nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    # Bumped by signing out and by a password change: a session cookie signed in with an older
    # generation no longer signs anyone in (server.auth.sessions).
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0", nullable=False)

    organisation = relationship("Organisation")

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)


class ApiToken(Model):
    """A bearer token for an ERP or an app session; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    organisation_id: Mapped[int] = org_fk()
    user_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"), nullable=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), default="erp", nullable=False)  # erp | session
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    prefix: Mapped[str] = mapped_column(String(16), nullable=False)  # shown in lists to tell tokens apart
    roles: Mapped[list] = mapped_column(JSONType, default=list, nullable=False)
    # When set, the token may use only these of its roles' permissions (a subset of its creator's).
    permissions: Mapped[list | None] = mapped_column(JSONType, nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Set when the token was rotated: the successor, while this one lives out its grace period.
    replaced_by_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("api_tokens.id"), nullable=True)


class DeviceCredential(Model):
    """MQTT and API credentials of one driver device, bound to one vehicle."""

    __tablename__ = "device_credentials"
    __table_args__ = (UniqueConstraint("username"),
                      Index("ix_device_credentials_http_id_hash", "http_id_hash", unique=True))

    organisation_id: Mapped[int] = org_fk()
    driver_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("drivers.id"), nullable=True)
    vehicle_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("vehicles.id"), nullable=True)
    username: Mapped[str] = mapped_column(String(100), nullable=False)
    secret_hash: Mapped[str] = mapped_column(String(300), nullable=False)
    pairing_code_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    pairing_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The HTTP device id (OsmAnd / Traccar Client ``id``), itself a secret: only its SHA-256 (the
    # lookup key) and a short prefix (to tell ids apart in lists and logs) are stored.
    http_id_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    http_id_prefix: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # The OwnTracks DeviceID this login publishes as (``owntracks/<username>/<device>``); none: no OwnTracks.
    owntracks_device: Mapped[str | None] = mapped_column(String(100), nullable=True)
    # Set by the ingest's garbage brake (gps_ingest.device_brake) when the device kept sending garbage:
    # refused like a revoked login until the carrier re-enables it (POST .../reinstate).
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    suspended_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
