"""Vehicle types, vehicles and drivers of a carrier."""

from __future__ import annotations

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.models.base import JSONType, Model, org_fk


class VehicleType(Model):
    __tablename__ = "vehicle_types"

    organisation_id: Mapped[int] = org_fk()
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    max_weight_kg: Mapped[float] = mapped_column(Float, nullable=False)
    max_volume_m3: Mapped[float] = mapped_column(Float, nullable=False)
    pallet_positions: Mapped[int] = mapped_column(Integer, nullable=False)
    equipment: Mapped[list] = mapped_column(JSONType, default=list, nullable=False)
    fixed_cost: Mapped[float] = mapped_column(Float, default=0.0, nullable=False)
    cost_per_km: Mapped[float] = mapped_column(Float, default=0.0, nullable=False)


class Vehicle(Model):
    __tablename__ = "vehicles"
    __table_args__ = (UniqueConstraint("organisation_id", "plate"),)

    organisation_id: Mapped[int] = org_fk()
    vehicle_type_id: Mapped[int] = mapped_column(Integer, ForeignKey("vehicle_types.id"), nullable=False)
    plate: Mapped[str] = mapped_column(String(20), nullable=False)
    hazmat_certified: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    # Where its planned routes end: back at the depot, or at the last delivery ("open").
    route_end: Mapped[str] = mapped_column(String(10), default="depot", server_default="depot", nullable=False)

    vehicle_type = relationship("VehicleType")


class Driver(Model):
    __tablename__ = "drivers"

    organisation_id: Mapped[int] = org_fk()
    user_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"), nullable=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    phone: Mapped[str] = mapped_column(String(40), default="", nullable=False)
    licence_no: Mapped[str] = mapped_column(String(60), default="", nullable=False)
    hazmat_certified: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
