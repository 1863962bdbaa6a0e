"""Every endpoint that asks for a permission, walked by every built-in role, a custom role, an inspector, and a
person holding roles only within a department.

The endpoint list and what each needs are read from the app (``require`` marks its views), so an
endpoint added later is walked without editing this test. A caller without the permission gets 403
naming it (before its body is read: the matrix posts no body); a caller holding it never does.
"""

import re

import pytest

from server.auth.permissions import BUILTIN_ROLES
from tests.server.access.access_factory import custom_role, member

CUSTOM = ("purchasing_approver", ["approve", "authorize_pickups", "view_finances"])
# A viewer organisation-wide who is a dispatcher and a dock manager in one department only.
IN_DEPARTMENT = "viewer+dispatcher,dock_manager@department"
DEPARTMENT_ROLES = ["dispatcher", "dock_manager"]


def _guarded(app):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if not hasattr(view, "required_org_kinds"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            path = re.sub(r"<int:\w+>", "999999", rule.rule)
            path = re.sub(r"<[^>]+>", "x", path)
            yield method, path, view.required_permission, view.required_org_kinds, \
                getattr(view, "required_by_department", False)


@pytest.fixture
def callers(client, make_party):
    """One caller per built-in role, per organisation kind, plus the custom role and an inspector's admin."""
    made = {}
    for kind in ("seller", "buyer", "carrier", "platform"):
        admin = make_party(kind, roles=("admin",))
        made[(kind, "admin")] = admin
        for role in BUILTIN_ROLES:
            if role != "admin":
                made[(kind, role)] = member(admin, [role])
        custom_role(client, admin, *CUSTOM)
        made[(kind, CUSTOM[0])] = member(admin, [CUSTOM[0]])
        department = client.post("/api/v1/departments", headers=admin.headers, json={"name": "Desk"}).get_json()
        desk = member(admin, ["viewer"], name="desk")
        r = client.put(f"/api/v1/departments/{department['id']}/roles", headers=admin.headers,
                       json={"user_id": desk.user.id, "roles": DEPARTMENT_ROLES})
        assert r.status_code == 200, r.get_json()
        made[(kind, IN_DEPARTMENT)] = desk
    made[("inspector", "admin")] = make_party("inspector", roles=("admin",))
    return made


def _permissions(role, by_department=False):
    """What the role holds where the matrix's object (id 999999, nobody's) is: a department's roles count only
    past an endpoint's first check, and only on endpoints that decide on their object (``by_department``)."""
    if role == IN_DEPARTMENT:
        in_department = frozenset().union(*(BUILTIN_ROLES[name] for name in DEPARTMENT_ROLES))
        return BUILTIN_ROLES["viewer"] | (in_department if by_department else frozenset())
    return BUILTIN_ROLES.get(role, frozenset(CUSTOM[1]))


def test_every_guarded_endpoint_for_every_role(app, client, callers):
    """403 names the permission exactly when the caller's role lacks it; kinds outside the endpoint's are 403 too."""
    endpoints = list(_guarded(app))
    assert len(endpoints) > 80  # the whole API, not a corner of it
    wrong = []
    for method, path, permission, kinds, by_department in endpoints:
        for (kind, role), caller in callers.items():
            r = client.open(path, method=method, headers=caller.headers)
            body = r.get_json(silent=True) or {}
            lacks = permission is not None and permission not in _permissions(role, by_department)
            if lacks:
                ok = r.status_code == 403 and body.get("permission") == permission
            elif kinds and kind not in kinds:
                ok = r.status_code == 403 and "permission" not in body
            else:
                ok = r.status_code not in (401, 500) and "permission" not in body
            if not ok:
                wrong.append((method, path, kind, role, r.status_code, body.get("detail")))
    assert wrong == []
