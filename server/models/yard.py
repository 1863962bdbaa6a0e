"""Dock appointments and yard visits at the shipping point."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db.types import UTCDateTime
from server.models.base import JSONType, Model


class DockAppointment(Model):
    __tablename__ = "dock_appointments"

    load_id: Mapped[int] = mapped_column(Integer, ForeignKey("loads.id"), nullable=False, index=True)
    dock_id: Mapped[int] = mapped_column(Integer, ForeignKey("docks.id"), nullable=False, index=True)
    start: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    end: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    status: Mapped[str] = mapped_column(String(20), default="booked", nullable=False)
    frozen: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    booked_by_user_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"), nullable=True)


class YardVisit(Model):
    __tablename__ = "yard_visits"

    load_id: Mapped[int] = mapped_column(Integer, ForeignKey("loads.id"), nullable=False, index=True)
    site_id: Mapped[int] = mapped_column(Integer, ForeignKey("sites.id"), nullable=False, index=True)
    appointment_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("dock_appointments.id"),
                                                       nullable=True)
    driver_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("drivers.id"), nullable=True)
    vehicle_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("vehicles.id"), nullable=True)
    # requested scheduled arrived called loading loaded departed | no_show cancelled
    status: Mapped[str] = mapped_column(String(20), default="requested", nullable=False, index=True)
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    called_dock_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("docks.id"), nullable=True)
    # Every transition with its time: [{"status": ..., "at": iso, "by": user_id}]
    history: Mapped[list] = mapped_column(JSONType, default=list, nullable=False)
