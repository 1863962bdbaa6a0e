"""Shared column helpers for the models."""

from __future__ import annotations

from datetime import datetime

from geoalchemy2 import Geometry
from sqlalchemy import JSON, ForeignKey, Integer
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from server.db.types import UTCDateTime, utcnow
from server.extensions import db

JSONType = JSON().with_variant(JSONB(), "postgresql")


def point_column(nullable: bool = True):
    return mapped_column(Geometry("POINT", srid=4326, spatial_index=True), nullable=nullable)


def polygon_column(nullable: bool = True):
    return mapped_column(Geometry("POLYGON", srid=4326, spatial_index=True), nullable=nullable)


def org_fk(nullable: bool = False, index: bool = True):
    return mapped_column(Integer, ForeignKey("organisations.id"), nullable=nullable, index=index)


class Model(db.Model):
    """Base for every table with a surrogate id and a creation time."""

    __abstract__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
