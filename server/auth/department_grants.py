"""Roles held within a department: which permissions a person holds in which departments, and the tree below.

A member of a department may hold roles there (``DepartmentMember.roles``, built-in or custom names). They
grant their permissions only on the objects of that department and of the departments below it; the
decision itself is ``server.auth.object_permissions``. Read lazily, once per request, and only for a caller
whose organisation-wide permissions lack what an endpoint asks, so no other call pays a query for it.

This module imports no ``Principal`` (``principal.require`` asks it whether a caller holds a permission in
some department before reading the body), so it only reads the caller's ids.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import has_request_context, request
from sqlalchemy import select

from server.auth.permissions import BUILTIN_ROLES, builtin_permissions
from server.extensions import db
from server.models import CustomRole, Department, DepartmentMember

_CACHE = "haul.department_grants"


def subtree(department_ids):
    """The departments at or below ``department_ids`` (a recursive query, on both databases)."""
    tree = select(Department.id).where(Department.id.in_(department_ids)).cte("subtree", recursive=True)
    tree = tree.union(select(Department.id).where(Department.parent_id == tree.c.id))
    return select(tree.c.id)


def role_permissions(organisation_id: int, roles: Iterable[str]) -> frozenset[str]:
    """The permissions of role names in an organisation (built-in from the catalogue, custom from its rows)."""
    roles = set(roles)
    granted = set(builtin_permissions(roles))
    custom = roles - set(BUILTIN_ROLES)
    if custom:
        for permissions in db.session.scalars(select(CustomRole.permissions).where(
                CustomRole.organisation_id == organisation_id, CustomRole.name.in_(custom))):
            granted.update(permissions or ())
    return frozenset(granted)


def department_roles(organisation_id: int, user_id: int | None) -> dict[int, frozenset[str]]:
    """department id -> the roles ``user_id`` holds there (departments of its own organisation only)."""
    if user_id is None:
        return {}
    rows = db.session.execute(select(DepartmentMember.department_id, DepartmentMember.roles)
                              .join(Department, Department.id == DepartmentMember.department_id)
                              .where(DepartmentMember.user_id == user_id,
                                     Department.organisation_id == organisation_id))
    return {department_id: frozenset(roles) for department_id, roles in rows if roles}


def grants(principal) -> dict[int, frozenset[str]]:
    """department id -> the permissions the caller holds there by its department roles (cut to a token's
    subset, like its organisation-wide ones). Cached on the request."""
    if principal.user_id is None:
        return {}
    cache = request.environ.setdefault(_CACHE, {}) if has_request_context() else {}
    key = (principal.organisation_id, principal.user_id, principal.token_subset)
    if key not in cache:
        held = {}
        for department_id, roles in department_roles(principal.organisation_id, principal.user_id).items():
            permissions = role_permissions(principal.organisation_id, roles)
            if principal.token_subset is not None:
                permissions &= principal.token_subset
            if permissions:
                held[department_id] = permissions
        cache[key] = held
    return cache[key]


def departments_granting(principal, permission: str) -> set[int]:
    """The departments where the caller holds ``permission`` by a department role (not those below them)."""
    return {department_id for department_id, held in grants(principal).items() if permission in held}


def covered_by(department_ids: Iterable[int]) -> set[int]:
    """``department_ids`` and every department below them."""
    department_ids = list(department_ids)
    if not department_ids:
        return set()
    return set(db.session.scalars(subtree(department_ids)))
