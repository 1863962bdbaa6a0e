"""The department tree of an organisation: no cycles, members, and the objects that belong to a department."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from server.access.department_roles import holders
from server.access.roles import check_ceiling
from server.audit.trail import record
from server.auth.department_grants import role_permissions
from server.auth.principal import Principal
from server.errors import ApiProblem
from server.extensions import db
from server.models import Department, DepartmentMember, Load, Order, Site, User

# object_type -> (model, how the caller's side names its department column)
OBJECTS = {"order": Order, "load": Load, "site": Site}


def view(row: Department) -> dict:
    members = db.session.scalars(select(DepartmentMember.user_id).where(DepartmentMember.department_id == row.id)
                                 .order_by(DepartmentMember.user_id))
    return {"id": row.id, "name": row.name, "parent_id": row.parent_id, "member_ids": list(members),
            "role_holders": holders(row), "created_at": row.created_at}


def own(principal: Principal, department_id: int | None, path: str) -> Department | None:
    if department_id is None:
        return None
    row = db.session.get(Department, department_id)
    if row is None or row.organisation_id != principal.organisation_id:
        raise ApiProblem(422, _("No such department in this organisation."),
                         [(path, _("is not a department of yours"))])
    return row


def _would_cycle(row: Department, parent: Department | None) -> bool:
    """Whether hanging ``row`` under ``parent`` makes ``row`` its own ancestor."""
    seen = set()
    while parent is not None and parent.id not in seen:
        if parent.id == row.id:
            return True
        seen.add(parent.id)
        parent = db.session.get(Department, parent.parent_id) if parent.parent_id else None
    return False


def _name_free(principal: Principal, name: str, except_id: int | None = None) -> None:
    taken = db.session.scalar(select(Department.id).where(Department.organisation_id == principal.organisation_id,
                                                          Department.name == name))
    if taken and taken != except_id:
        raise ApiProblem(409, _("A department of that name exists."), [("name", _("already exists"))])


def create(principal: Principal, data: dict) -> Department:
    parent = own(principal, data.get("parent_id"), "parent_id")
    _name_free(principal, data["name"])
    row = Department(organisation_id=principal.organisation_id, name=data["name"],
                     parent_id=parent.id if parent else None)
    db.session.add(row)
    db.session.flush()
    record("department.created", "department", row.id, principal=principal,
           after={"name": row.name, "parent_id": row.parent_id})
    db.session.commit()
    return row


def update(principal: Principal, row: Department, data: dict) -> Department:
    before = {"name": row.name, "parent_id": row.parent_id}
    if "parent_id" in data:
        parent = own(principal, data["parent_id"], "parent_id")
        if _would_cycle(row, parent):
            raise ApiProblem(422, _("The department tree cannot have a cycle."),
                             [("parent_id", _("is this department or one below it"))])
        row.parent_id = parent.id if parent else None
    if "name" in data:
        _name_free(principal, data["name"], row.id)
        row.name = data["name"]
    record("department.changed", "department", row.id, principal=principal, before=before,
           after={"name": row.name, "parent_id": row.parent_id})
    db.session.commit()
    return row


def set_member(principal: Principal, row: Department, user_id: int, member: bool) -> None:
    user = db.session.get(User, user_id)
    if user is None or user.organisation_id != principal.organisation_id:
        raise ApiProblem(422, _("No such user in this organisation."),
                         [("user_id", _("is not a user of yours"))])
    existing = db.session.scalar(select(DepartmentMember).where(DepartmentMember.department_id == row.id,
                                                                DepartmentMember.user_id == user_id))
    if member and existing is None:
        db.session.add(DepartmentMember(department_id=row.id, user_id=user_id))
    elif not member and existing is not None:
        # Leaving a department ends the roles held there: the same ceiling and audit as withdrawing them.
        if existing.roles:
            check_ceiling(principal, role_permissions(principal.organisation_id, existing.roles))
            for name in sorted(existing.roles):
                record("department.role_withdrawn", "department", row.id, principal=principal,
                       before={"user_id": user_id, "role": name})
        db.session.delete(existing)
    record("department.member_added" if member else "department.member_removed", "department", row.id,
           principal=principal, after={"user_id": user_id})
    db.session.commit()


def assign(principal: Principal, row: Department | None, obj) -> None:
    """Put an order, load or site of the caller's side into one of its departments (or none)."""
    org_id = principal.organisation_id
    if isinstance(obj, Site):
        column = "department_id"
    elif obj.seller_org_id == org_id:
        column = "seller_department_id"
    elif obj.buyer_org_id == org_id:
        column = "buyer_department_id"
    else:
        raise ApiProblem(403, _("Only the seller or buyer files an order or load into its departments."),
                         reason="not_a_party")
    before = getattr(obj, column)
    setattr(obj, column, row.id if row else None)
    record("department.object_filed", type(obj).__tablename__.rstrip("s"), obj.id, principal=principal,
           before={column: before}, after={column: row.id if row else None})
    db.session.commit()
