"""Route plans for a carrier's trucks, and the background jobs that compute them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db.types import UTCDateTime
from server.models.base import JSONType, Model, org_fk, point_column


class Job(Model):
    """A background optimisation job (route solve, dock re-plan) and its progress."""

    __tablename__ = "jobs"

    organisation_id: Mapped[int] = org_fk()
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    status: Mapped[str] = mapped_column(String(20), default="queued", nullable=False)
    progress: Mapped[float] = mapped_column(Float, default=0.0, nullable=False)
    params: Mapped[dict] = mapped_column(JSONType, default=dict, nullable=False)
    result: Mapped[dict | None] = mapped_column(JSONType, nullable=True)
    error: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class RoutePlan(Model):
    __tablename__ = "route_plans"

    carrier_org_id: Mapped[int] = org_fk()
    job_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("jobs.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="preview", nullable=False)
    objective: Mapped[str] = mapped_column(String(20), default="distance", nullable=False)
    total_distance_m: Mapped[float] = mapped_column(Float, default=0.0, nullable=False)
    dropped: Mapped[list] = mapped_column(JSONType, default=list, nullable=False)


class Route(Model):
    __tablename__ = "routes"

    plan_id: Mapped[int] = mapped_column(Integer, ForeignKey("route_plans.id"), nullable=False, index=True)
    vehicle_id: Mapped[int] = mapped_column(Integer, ForeignKey("vehicles.id"), nullable=False)
    driver_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("drivers.id"), nullable=True)
    distance_m: Mapped[float] = mapped_column(Float, default=0.0, nullable=False)
    duration_s: Mapped[float] = mapped_column(Float, default=0.0, nullable=False)


class RouteStop(Model):
    __tablename__ = "route_stops"

    route_id: Mapped[int] = mapped_column(Integer, ForeignKey("routes.id"), nullable=False, index=True)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)  # start | pickup | delivery | end
    load_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("loads.id"), nullable=True)
    site_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("sites.id"), nullable=True)
    location = point_column(nullable=False)
    arrival: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    departure: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    load_after: Mapped[dict] = mapped_column(JSONType, default=dict, nullable=False)
