"""The one decision on an action done to one object: ``allowed(principal, permission, obj)``.

Granted when the caller holds the permission organisation-wide (``Principal.can``), or when a role it holds in
a department (``DepartmentMember.roles``) grants it and the object belongs to that department or one below it.
An object's department is its own side's: a site's ``department_id`` (a dock: its site's), an order's or load's
``seller_department_id`` for the seller and ``buyer_department_id`` for the buyer; what hangs off a load
(tender, authorization, approval request) is the load's. An object of no department is granted only
organisation-wide. ``require_on`` answers 403 naming the permission, as ``principal.require`` does.
"""

from __future__ import annotations

from server.auth.department_grants import covered_by, department_roles, departments_granting, role_permissions
from server.auth.principal import Principal, refuse_without
from server.extensions import db
from server.models import Department, Load, Order, Site


def department_of(organisation_id: int, obj) -> int | None:
    """The department ``obj`` belongs to on ``organisation_id``'s side, or None."""
    if obj is None:
        return None
    if isinstance(obj, Department):  # acting in a department: creating an order there
        return obj.id if obj.organisation_id == organisation_id else None
    if isinstance(obj, Site):
        return obj.department_id if obj.organisation_id == organisation_id else None
    if isinstance(obj, Load | Order):
        if obj.seller_org_id == organisation_id:
            return obj.seller_department_id
        if obj.buyer_org_id == organisation_id:
            return obj.buyer_department_id
        return None
    if getattr(obj, "load_id", None) is not None:
        return department_of(organisation_id, db.session.get(Load, obj.load_id))
    if getattr(obj, "site_id", None) is not None:
        return department_of(organisation_id, db.session.get(Site, obj.site_id))
    return None


def allowed(principal: Principal, permission: str, obj) -> bool:
    """Whether the caller may do what ``permission`` names to ``obj`` (organisation-wide, or by a department role)."""
    if principal.can(permission):
        return True
    granting = departments_granting(principal, permission)
    if not granting:
        return False
    department_id = department_of(principal.organisation_id, obj)
    return department_id is not None and department_id in covered_by(granting)


def require_on(principal: Principal, permission: str, obj) -> None:
    """403 naming ``permission`` unless ``allowed``."""
    if not allowed(principal, permission, obj):
        refuse_without(principal, permission)


def require_on_any(principal: Principal, permission: str, *objs) -> None:
    """403 naming ``permission`` unless allowed on one of ``objs`` (a load's pickup site or the load itself):
    the early check of an endpoint that reads its body itself, so another department's holder gets no 422."""
    if not any(allowed(principal, permission, obj) for obj in objs):
        refuse_without(principal, permission)


def roles_on(organisation_id: int, user_id: int, obj) -> frozenset[str]:
    """The roles ``user_id`` holds in departments covering ``obj`` (an approval chain's level asks for a role)."""
    department_id = department_of(organisation_id, obj)
    if department_id is None:
        return frozenset()
    held = department_roles(organisation_id, user_id)
    return frozenset(role for covering, roles in held.items() if department_id in covered_by([covering])
                     for role in roles)


def person_on(organisation_id: int, user_id: int, roles: frozenset[str], permissions: frozenset[str], obj,
              token_subset: frozenset[str] | None = None) -> tuple[frozenset[str], frozenset[str]]:
    """A person's roles and permissions for deciding on ``obj``: organisation-wide ones plus those of the roles
    held in a department covering it (cut to a token's subset)."""
    extra = roles_on(organisation_id, user_id, obj) - roles
    if not extra:
        return roles, permissions
    added = role_permissions(organisation_id, extra)
    if token_subset is not None:
        added &= token_subset
    return roles | extra, permissions | added
