"""Outbound orders posted by a seller's ERP, and their lines."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db.types import UTCDateTime
from server.models.base import JSONType, Model, org_fk


class Order(Model):
    __tablename__ = "orders"
    # A retried ERP post with the same key finds this row instead of creating another.
    __table_args__ = (UniqueConstraint("seller_org_id", "idempotency_key"),)

    seller_org_id: Mapped[int] = org_fk()
    buyer_org_id: Mapped[int] = org_fk()
    reference: Mapped[str] = mapped_column(String(100), nullable=False)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # Each side's department the order belongs to (server.departments narrows visibility by them).
    seller_department_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("departments.id"), nullable=True)
    buyer_department_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("departments.id"), nullable=True)
    request_fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    pickup_site_id: Mapped[int] = mapped_column(Integer, ForeignKey("sites.id"), nullable=False)
    delivery_site_id: Mapped[int] = mapped_column(Integer, ForeignKey("sites.id"), nullable=False)
    pickup_earliest: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    pickup_latest: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    delivery_earliest: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    delivery_latest: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    # received -> planned | partly_planned | unplanned -> tendered -> in_transit -> delivered | cancelled
    status: Mapped[str] = mapped_column(String(20), default="received", nullable=False, index=True)
    # What the committed load plan left out: [{line_id, line_no, sku, quantity, reason}] (None before one).
    unplaced: Mapped[list | None] = mapped_column(JSONType, nullable=True)
    notes: Mapped[str] = mapped_column(String(2000), default="", nullable=False)
    created_by_user_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"), nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Who pays the freight: the seller when it delivers, the buyer when it collects with its own carrier.
    freight_payer: Mapped[str] = mapped_column(String(10), default="seller", server_default="seller", nullable=False)

    lines = relationship("OrderLine", back_populates="order", order_by="OrderLine.line_no",
                         cascade="all, delete-orphan")
    pickup_site = relationship("Site", foreign_keys=[pickup_site_id])
    delivery_site = relationship("Site", foreign_keys=[delivery_site_id])


class OrderLine(Model):
    __tablename__ = "order_lines"
    __table_args__ = (UniqueConstraint("order_id", "line_no"),)

    order_id: Mapped[int] = mapped_column(Integer, ForeignKey("orders.id"), nullable=False, index=True)
    line_no: Mapped[int] = mapped_column(Integer, nullable=False)
    sku: Mapped[str] = mapped_column(String(100), nullable=False)
    description: Mapped[str] = mapped_column(String(500), default="", nullable=False)
    quantity: Mapped[int] = mapped_column(Integer, nullable=False)
    unit_weight_kg: Mapped[float] = mapped_column(Float, nullable=False)
    unit_volume_m3: Mapped[float] = mapped_column(Float, nullable=False)
    unit_pallets: Mapped[float] = mapped_column(Float, default=0.0, nullable=False)
    hazmat_class: Mapped[str | None] = mapped_column(String(10), nullable=True)
    splittable: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)

    order = relationship("Order", back_populates="lines")
