"""``may(permission, *objects)`` for templates: whether the signed-in person may take an action the page offers.

A page shows a form or button only when the API endpoint it sends to would let this person through, so nobody is
offered something that can only answer 403. The decision is the API's own, ``object_permissions.allowed``:

- ``may('authorize_pickups', load)``: the endpoint decides on that object (``require(..., by_department=True)``
  then ``require_on``), so a role held in the object's department counts;
- ``may('build_loads', *orders)``: allowed on at least one of them (``require_on_any``, or a form that picks one);
- ``may('bid')``: the endpoint asks for the permission organisation-wide (``require`` without ``by_department``),
  so no object is passed and only organisation-wide roles count.

The caller is the request's principal (resolved once per request and cached by ``resolve_principal``).
"""

from __future__ import annotations

from server.auth.object_permissions import allowed
from server.auth.principal import resolve_principal


def may(permission: str, *objects) -> bool:
    principal = resolve_principal()
    if principal is None:
        return False
    if not objects:
        return principal.can(permission)
    return any(allowed(principal, permission, obj) for obj in objects)


def register(app_or_blueprint) -> None:
    app_or_blueprint.add_app_template_global(may, "may")
