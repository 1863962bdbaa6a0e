"""Loads (truckloads built from orders), their line allocations and, for multi-drop loads, their stops."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db.types import UTCDateTime
from server.models.base import Model, org_fk


class Load(Model):
    __tablename__ = "loads"

    seller_org_id: Mapped[int] = org_fk()
    buyer_org_id: Mapped[int] = org_fk()
    carrier_org_id: Mapped[int | None] = org_fk(nullable=True)
    reference: Mapped[str] = mapped_column(String(100), nullable=False)
    # draft -> tendered -> awarded -> assigned -> authorized -> at_pickup -> loading -> in_transit
    #   -> delivered -> closed; cancelled from most states (the state machine enforces it)
    status: Mapped[str] = mapped_column(String(20), default="draft", nullable=False, index=True)
    pickup_site_id: Mapped[int] = mapped_column(Integer, ForeignKey("sites.id"), nullable=False)
    delivery_site_id: Mapped[int] = mapped_column(Integer, ForeignKey("sites.id"), nullable=False)
    pickup_earliest: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    pickup_latest: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    delivery_earliest: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    delivery_latest: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    vehicle_type_name: Mapped[str] = mapped_column(String(100), default="", nullable=False)
    required_equipment: Mapped[str] = mapped_column(String(30), default="pallet_dock", nullable=False)
    weight_kg: Mapped[float] = mapped_column(Float, default=0.0, nullable=False)
    volume_m3: Mapped[float] = mapped_column(Float, default=0.0, nullable=False)
    pallets: Mapped[float] = mapped_column(Float, default=0.0, nullable=False)
    hazmat_classes: Mapped[str] = mapped_column(String(100), default="", nullable=False)
    vehicle_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("vehicles.id"), nullable=True, index=True)
    driver_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("drivers.id"), nullable=True)
    price: Mapped[float | None] = mapped_column(Float, nullable=True)
    eta: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Who pays the freight: the seller when it delivers, the buyer when it collects with its own carrier.
    freight_payer: Mapped[str] = mapped_column(String(10), default="seller", server_default="seller", nullable=False)
    # Each side's department the load belongs to (server.departments narrows visibility by them).
    seller_department_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("departments.id"), nullable=True)
    buyer_department_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("departments.id"), nullable=True)

    lines = relationship("LoadLine", back_populates="load", cascade="all, delete-orphan")


class LoadLine(Model):
    __tablename__ = "load_lines"

    load_id: Mapped[int] = mapped_column(Integer, ForeignKey("loads.id"), nullable=False, index=True)
    order_line_id: Mapped[int] = mapped_column(Integer, ForeignKey("order_lines.id"), nullable=False,
                                               index=True)
    quantity: Mapped[int] = mapped_column(Integer, nullable=False)

    load = relationship("Load", back_populates="lines")


class LoadStop(Model):
    """One stop of a multi-drop load: the pickup, then one delivery per buyer's order, in ``seq`` order.

    A load without stops is a plain one (one pickup, one delivery: the load's own sites). A
    delivery stop belongs to one buyer; that buyer sees the load through it, and only it.
    """

    __tablename__ = "load_stops"
    __table_args__ = (UniqueConstraint("load_id", "seq"),)

    load_id: Mapped[int] = mapped_column(Integer, ForeignKey("loads.id"), nullable=False, index=True)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)  # pickup | delivery
    site_id: Mapped[int] = mapped_column(Integer, ForeignKey("sites.id"), nullable=False)
    buyer_org_id: Mapped[int | None] = org_fk(nullable=True)
    order_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("orders.id"), nullable=True, index=True)
    earliest: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    latest: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    weight_kg: Mapped[float] = mapped_column(Float, default=0.0, nullable=False)
    pallets: Mapped[float] = mapped_column(Float, default=0.0, nullable=False)
    eta: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # planned -> arrived -> delivered
    status: Mapped[str] = mapped_column(String(20), default="planned", nullable=False)
