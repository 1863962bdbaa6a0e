"""Independent inspection: a seller or buyer appoints an inspection organisation for a load."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db.types import UTCDateTime
from server.models.base import Model, org_fk


class InspectionAppointment(Model):
    """``inspector_org_id`` may see ``load_id`` and record evidence on it until the appointment is withdrawn."""

    __tablename__ = "inspection_appointments"
    __table_args__ = (UniqueConstraint("load_id", "inspector_org_id"),)

    load_id: Mapped[int] = mapped_column(Integer, ForeignKey("loads.id"), nullable=False, index=True)
    inspector_org_id: Mapped[int] = org_fk()
    appointed_by_org_id: Mapped[int] = org_fk()
    appointed_by_user_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"), nullable=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
