"""Inside an organisation: custom roles built from permissions, and the department tree."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import JSONType, Model, org_fk


class CustomRole(Model):
    """A role an organisation's admin composed from the permission catalogue (``server.auth.permissions``).

    Users hold it by name (``User.roles``), next to the built-in ones, whose names it may not take.
    """

    __tablename__ = "custom_roles"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    organisation_id: Mapped[int] = org_fk()
    name: Mapped[str] = mapped_column(String(60), nullable=False)
    description: Mapped[str] = mapped_column(String(300), default="", nullable=False)
    permissions: Mapped[list] = mapped_column(JSONType, default=list, nullable=False)
    created_by_user_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"), nullable=True)


class Department(Model):
    """A node of an organisation's department tree (purchasing, a region, a plant's logistics, a branch)."""

    __tablename__ = "departments"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    organisation_id: Mapped[int] = org_fk()
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    parent_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("departments.id"), nullable=True, index=True)


class DepartmentMember(Model):
    """A user belongs to one or more departments, and may hold roles there (``roles``).

    A role held here (built-in or custom, by name) grants its permissions only on the objects of this
    department and of those below it (``server.auth.object_permissions``), next to the organisation-wide
    ``User.roles``. Holding a role in a department makes one its member, so narrowing keeps what it covers.
    """

    __tablename__ = "department_members"
    __table_args__ = (UniqueConstraint("department_id", "user_id"),)

    department_id: Mapped[int] = mapped_column(Integer, ForeignKey("departments.id"), nullable=False, index=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id"), nullable=False, index=True)
    roles: Mapped[list] = mapped_column(JSONType, default=list, server_default="[]", nullable=False)
