"""Every endpoint that asks for a permission, walked by every built-in role, a custom role and an inspector.

The endpoint list and what each needs are read from the app (``require`` marks its views), so an
endpoint added later is walked without editing this test. A caller without the permission gets 403
naming it (before its body is read: the matrix posts no body); a caller holding it never does.
"""

import re

import pytest

from server.auth.permissions import BUILTIN_ROLES
from tests.server.access.access_factory import custom_role, member

CUSTOM = ("purchasing_approver", ["approve", "authorize_pickups", "view_finances"])


def _guarded(app):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if not hasattr(view, "required_org_kinds"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            path = re.sub(r"<int:\w+>", "999999", rule.rule)
            path = re.sub(r"<[^>]+>", "x", path)
            yield method, path, view.required_permission, view.required_org_kinds


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
    made[("inspector", "admin")] = make_party("inspector", roles=("admin",))
    return made


def _permissions(role):
    return BUILTIN_ROLES.get(role, frozenset(CUSTOM[1]))


def test_every_guarded_endpoint_for_every_role(app, client, callers):
    """403 names the permission exactly when the caller's role lacks it; kinds outside the endpoint's are 403 too."""
    endpoints = list(_guarded(app))
    assert len(endpoints) > 80  # the whole API, not a corner of it
    wrong = []
    for method, path, permission, kinds in endpoints:
        for (kind, role), caller in callers.items():
            r = client.open(path, method=method, headers=caller.headers)
            body = r.get_json(silent=True) or {}
            lacks = permission is not None and permission not in _permissions(role)
            if lacks:
                ok = r.status_code == 403 and body.get("permission") == permission
            elif kinds and kind not in kinds:
                ok = r.status_code == 403 and "permission" not in body
            else:
                ok = r.status_code not in (401, 500) and "permission" not in body
            if not ok:
                wrong.append((method, path, kind, role, r.status_code, body.get("detail")))
    assert wrong == []
