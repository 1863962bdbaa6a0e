"""Approval chains: an organisation's rules, the requests they open, each decision, and delegations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db.types import UTCDateTime
from server.models.base import JSONType, Model, org_fk


class ApprovalRule(Model):
    """``action`` above ``threshold`` (of ``metric``) needs the approval of every level, in order.

    ``levels`` is a list of ``{"mode": "any" | "all", "role": name | None, "user_ids": [...]}``: a level
    is passed by one of its approvers (any) or by each of them (all).
    """

    __tablename__ = "approval_rules"

    organisation_id: Mapped[int] = org_fk()
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    action: Mapped[str] = mapped_column(String(40), nullable=False)  # authorize_pickup | award | commit_load_plan
    metric: Mapped[str] = mapped_column(String(20), nullable=False)  # tonnage | price | trucks
    threshold: Mapped[float] = mapped_column(Float, nullable=False)
    levels: Mapped[list] = mapped_column(JSONType, nullable=False)
    active: Mapped[bool] = mapped_column(default=True, nullable=False)


class ApprovalRequest(Model):
    """One object waiting for (or done with) its approval chain."""

    __tablename__ = "approval_requests"

    organisation_id: Mapped[int] = org_fk()
    rule_id: Mapped[int] = mapped_column(Integer, ForeignKey("approval_rules.id"), nullable=False)
    object_type: Mapped[str] = mapped_column(String(40), nullable=False)
    object_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    load_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("loads.id"), nullable=True, index=True)
    requested_by_user_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="pending", nullable=False, index=True)
    level: Mapped[int] = mapped_column(Integer, default=0, nullable=False)  # the level now deciding
    levels: Mapped[list] = mapped_column(JSONType, nullable=False)  # the rule's levels when it was opened
    measured: Mapped[float] = mapped_column(Float, nullable=False)  # the value that crossed the threshold
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ApprovalDecision(Model):
    """One approver's word on one level (append-only: the request's history)."""

    __tablename__ = "approval_decisions"

    request_id: Mapped[int] = mapped_column(Integer, ForeignKey("approval_requests.id"), nullable=False, index=True)
    level: Mapped[int] = mapped_column(Integer, nullable=False)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id"), nullable=False)
    on_behalf_of_user_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"), nullable=True)
    decision: Mapped[str] = mapped_column(String(10), nullable=False)  # approve | reject
    comment: Mapped[str] = mapped_column(String(500), default="", nullable=False)


class ApprovalDelegation(Model):
    """While ``from_user`` is away (until ``ends_at``), ``to_user`` decides in their place."""

    __tablename__ = "approval_delegations"

    organisation_id: Mapped[int] = org_fk()
    from_user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id"), nullable=False, index=True)
    to_user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id"), nullable=False, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
