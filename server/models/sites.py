"""Sites (plants, warehouses, buyer sites) and their loading docks."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.models.base import JSONType, Model, org_fk, point_column, polygon_column


class Site(Model):
    __tablename__ = "sites"

    organisation_id: Mapped[int] = org_fk()
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), default="plant", nullable=False)  # plant|warehouse|customer
    department_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("departments.id"), nullable=True)
    address: Mapped[str] = mapped_column(String(500), default="", nullable=False)
    location = point_column(nullable=False)
    geofence = polygon_column(nullable=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", nullable=False)
    # {"mon": [["06:00", "22:00"]], ...}; a missing day is closed.
    opening_hours: Mapped[dict] = mapped_column(JSONType, default=dict, nullable=False)
    # The plant's own booking rules (lead time, cut-offs, grace, free time); see server/yard/booking_rules.py.
    booking_rules: Mapped[dict] = mapped_column(JSONType, default=dict, server_default="{}", nullable=False)

    docks = relationship("Dock", back_populates="site", order_by="Dock.id")


class Dock(Model):
    __tablename__ = "docks"

    site_id: Mapped[int] = mapped_column(Integer, ForeignKey("sites.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    # pallet_dock | liquid_arm | bulk_chute | side_loader
    equipment: Mapped[str] = mapped_column(String(30), nullable=False)
    opening_hours: Mapped[dict] = mapped_column(JSONType, default=dict, nullable=False)
    breaks: Mapped[list] = mapped_column(JSONType, default=list, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)

    site = relationship("Site", back_populates="docks")
