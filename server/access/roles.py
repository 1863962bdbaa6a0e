"""Custom roles and role assignment, held to one rule: nobody hands out more than they hold.

The permissions of a role, a user's roles or a token must all be held by whoever grants them; the
first one missing is named in the 403 (``server.auth.principal.refuse_without`` wording).
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import select

from server.audit.trail import record
from server.auth.permissions import BUILTIN_ROLES, PERMISSIONS, ceiling_breach
from server.auth.principal import Principal, permissions_for
from server.errors import ApiProblem
from server.extensions import db
from server.models import CustomRole, Department, DepartmentMember, User


def check_ceiling(principal: Principal, wanted: Iterable[str]) -> None:
    """403 naming the first permission in ``wanted`` that the granting principal does not hold."""
    missing = ceiling_breach(wanted, principal.permissions)
    if missing is not None:
        raise ApiProblem(403, _("You cannot grant the permission '%(missing)s': you do not hold it yourself.", missing=missing),
                         permission=missing)


def check_assignable(principal: Principal, roles: list[str], path: str = "roles") -> frozenset[str]:
    """The permissions ``roles`` give in the caller's organisation; 422 for an unknown name, 403 above the caller."""
    known = set(BUILTIN_ROLES) | set(db.session.scalars(select(CustomRole.name).where(
        CustomRole.organisation_id == principal.organisation_id)))
    unknown = [(f"{path}/{i}", f"'{name}' is not a role of this organisation")
               for i, name in enumerate(roles) if name not in known]
    if unknown:
        raise ApiProblem(422, _("Some roles do not exist."), unknown)
    granted = permissions_for(principal.organisation_id, roles)
    check_ceiling(principal, granted)
    return granted


def check_permission_names(permissions: list[str], path: str = "permissions") -> None:
    unknown = [(f"{path}/{i}", f"'{name}' is not a permission") for i, name in enumerate(permissions)
               if name not in PERMISSIONS]
    if unknown:
        raise ApiProblem(422, _("Some permissions do not exist."), unknown)


USER_MANAGER = "manage_users"


def check_user_manager_remains(organisation_id: int, *, user: User | None = None, roles: list[str] | None = None,
                               active: bool | None = None, role: CustomRole | None = None,
                               permissions: list[str] | None = None) -> None:
    """409 when the change (a user's new ``roles`` or ``active``, or a custom ``role``'s new ``permissions``)
    would leave no active user of the organisation holding ``manage_users``: nobody could fix it after.
    Decided by permissions, so a custom role holding ``manage_users`` counts as much as ``admin``."""
    now = {row.name: set(row.permissions or ()) for row in db.session.scalars(
        select(CustomRole).where(CustomRole.organisation_id == organisation_id))} | {
        name: set(held) for name, held in BUILTIN_ROLES.items()}
    after = {**now, role.name: set(permissions)} if role is not None and permissions is not None else now
    held_now = held_after = False
    for other in db.session.scalars(select(User).where(User.organisation_id == organisation_id)):
        other_roles, other_active = other.roles or [], other.active
        held_now |= other_active and any(USER_MANAGER in now.get(name, ()) for name in other_roles)
        if user is not None and other.id == user.id:
            other_roles = roles if roles is not None else other_roles
            other_active = active if active is not None else other_active
        held_after |= other_active and any(USER_MANAGER in after.get(name, ()) for name in other_roles)
    if held_after or not held_now:  # an organisation run by an API token alone is not locked out by this change
        return
    raise ApiProblem(409, _("This would leave the organisation without anyone who may manage users "
                            "(the '%(permission)s' permission).", permission=USER_MANAGER),
                     reason="last_user_manager", permission=USER_MANAGER)


def role_view(row: CustomRole) -> dict:
    return {"id": row.id, "name": row.name, "description": row.description, "permissions": sorted(row.permissions),
            "builtin": False, "created_at": row.created_at}


def create(principal: Principal, data: dict) -> CustomRole:
    if data["name"] in BUILTIN_ROLES:
        raise ApiProblem(422, _("That name belongs to a built-in role."), [("name", _("is a built-in role"))])
    check_permission_names(data["permissions"])
    check_ceiling(principal, data["permissions"])
    taken = db.session.scalar(select(CustomRole.id).where(CustomRole.organisation_id == principal.organisation_id,
                                                          CustomRole.name == data["name"]))
    if taken:
        raise ApiProblem(409, _("This organisation already has a role of that name."),
                         [("name", _("already exists"))])
    row = CustomRole(organisation_id=principal.organisation_id, name=data["name"],
                     description=data.get("description", ""), permissions=sorted(set(data["permissions"])),
                     created_by_user_id=principal.user_id)
    db.session.add(row)
    db.session.flush()
    record("role.created", "role", row.id, principal=principal, after=role_view(row))
    db.session.commit()
    return row


def update(principal: Principal, row: CustomRole, data: dict) -> CustomRole:
    before = role_view(row)
    if "permissions" in data:
        check_permission_names(data["permissions"])
        check_ceiling(principal, data["permissions"])
        if USER_MANAGER in row.permissions and USER_MANAGER not in data["permissions"]:
            check_user_manager_remains(row.organisation_id, role=row, permissions=data["permissions"])
        row.permissions = sorted(set(data["permissions"]))
    if "description" in data:
        row.description = data["description"]
    record("role.changed", "role", row.id, principal=principal, before=before, after=role_view(row))
    db.session.commit()
    return row


def holders(row: CustomRole) -> list[int]:
    """Users holding the role organisation-wide or in one of the organisation's departments."""
    users = db.session.scalars(select(User).where(User.organisation_id == row.organisation_id))
    held = {user.id for user in users if row.name in (user.roles or [])}
    in_departments = db.session.execute(select(DepartmentMember.user_id, DepartmentMember.roles)
                                        .join(Department, Department.id == DepartmentMember.department_id)
                                        .where(Department.organisation_id == row.organisation_id))
    held |= {user_id for user_id, names in in_departments if row.name in (names or [])}
    return sorted(held)


def delete(principal: Principal, row: CustomRole) -> None:
    held_by = holders(row)
    if held_by:
        raise ApiProblem(409, _("%(count)s user(s) still hold this role; take it from them first.",
                                count=len(held_by)),
                         reason="role_in_use")
    record("role.deleted", "role", row.id, principal=principal, before=role_view(row))
    db.session.delete(row)
    db.session.commit()
