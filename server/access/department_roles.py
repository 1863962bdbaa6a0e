"""Roles held within a department: assigned and withdrawn by a user manager, audited, never above the assigner.

A role held in a department (``DepartmentMember.roles``) grants its permissions on that department's objects and
those of the departments below it only (``server.auth.object_permissions``). Assigning one makes the user a member
of the department, so narrowing keeps what the role is for in sight; withdrawing every role keeps the membership
(``/departments/{id}/members`` ends it).
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from server.access.roles import check_assignable, check_ceiling
from server.audit.trail import record
from server.auth.department_grants import role_permissions
from server.auth.principal import Principal
from server.errors import ApiProblem
from server.extensions import db
from server.models import Department, DepartmentMember, User


def holders(department: Department) -> list[dict]:
    """``[{user_id, roles}]`` of the department's members holding a role there, by user."""
    rows = db.session.execute(select(DepartmentMember.user_id, DepartmentMember.roles)
                              .where(DepartmentMember.department_id == department.id)
                              .order_by(DepartmentMember.user_id))
    return [{"user_id": user_id, "roles": sorted(roles)} for user_id, roles in rows if roles]


def of_user(user: User) -> list[dict]:
    """``[{department_id, department_name, roles}]``: where ``user`` holds roles, by department."""
    rows = db.session.execute(select(Department.id, Department.name, DepartmentMember.roles)
                              .join(DepartmentMember, DepartmentMember.department_id == Department.id)
                              .where(DepartmentMember.user_id == user.id,
                                     Department.organisation_id == user.organisation_id)
                              .order_by(Department.id))
    return [{"department_id": department_id, "department_name": name, "roles": sorted(roles)}
            for department_id, name, roles in rows if roles]


def set_roles(principal: Principal, department: Department, user_id: int, roles: list[str]) -> list[str]:
    """Make ``roles`` the user's roles in ``department`` (an empty list withdraws them all).

    422 at ``user_id`` for someone outside the organisation, at ``roles/<i>`` for an unknown role; 403 naming the
    first permission the caller does not hold, among the new roles and those it would take away (nobody hands
    out, or takes from someone, more than they hold themselves, as with a user's organisation-wide roles).
    """
    user = db.session.get(User, user_id)
    if user is None or user.organisation_id != principal.organisation_id:
        raise ApiProblem(422, _("No such user in this organisation."), [("user_id", _("is not a user of yours"))])
    check_assignable(principal, roles)  # paths index the roles as sent
    wanted = sorted(set(roles))
    member = db.session.scalar(select(DepartmentMember).where(DepartmentMember.department_id == department.id,
                                                              DepartmentMember.user_id == user_id))
    before = sorted(member.roles or []) if member is not None else []
    withdrawn = [name for name in before if name not in wanted]
    if withdrawn:
        check_ceiling(principal, role_permissions(principal.organisation_id, withdrawn))
    if member is None:
        member = DepartmentMember(department_id=department.id, user_id=user_id, roles=[])
        db.session.add(member)
    member.roles = wanted
    for name in (name for name in wanted if name not in before):
        record("department.role_assigned", "department", department.id, principal=principal,
               after={"user_id": user_id, "role": name})
    for name in withdrawn:
        record("department.role_withdrawn", "department", department.id, principal=principal,
               before={"user_id": user_id, "role": name})
    db.session.commit()
    return wanted

