"""Roles held within a department: they act on that department's (and lower departments') objects only."""

from tests.server.access.access_factory import custom_role, member
from tests.server.approvals.approval_factory import assigned_load, purchasing


def _department(client, admin, name, parent_id=None):
    r = client.post("/api/v1/departments", headers=admin.headers, json={"name": name, "parent_id": parent_id})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def _file(client, admin, department_id, load_id):
    r = client.post(f"/api/v1/departments/{department_id}/objects", headers=admin.headers,
                    json={"object_type": "load", "object_id": load_id})
    assert r.status_code == 204, r.get_json()


def _assign(client, admin, department_id, user_id, roles):
    return client.put(f"/api/v1/departments/{department_id}/roles", headers=admin.headers,
                      json={"user_id": user_id, "roles": roles})


def _authorize(client, party, load_id):
    return client.post(f"/api/v1/loads/{load_id}/pickup-authorizations", headers=party.headers, json={})


def _tree(client, buyer):
    steel = _department(client, buyer, "Steel")
    return {"steel": steel, "steel_north": _department(client, buyer, "Steel North", steel),
            "paper": _department(client, buyer, "Paper")}


def test_a_department_role_authorizes_its_departments_loads_only(client, make_party):
    """authorize_pickups held in Steel: a load of Steel North is authorized, one of Paper or of none is 403 naming it."""
    a = assigned_load(client, make_party)
    buyer = a["board"].buyer
    tree = _tree(client, buyer)
    custom_role(client, buyer, "pickup_clerk", ["authorize_pickups"])
    clerk = member(buyer, ["viewer"], name="clerk")
    assert _assign(client, buyer, tree["steel"], clerk.user.id, ["pickup_clerk"]).status_code == 200
    r = _authorize(client, clerk, a["load_id"])  # the load is in no department yet
    assert r.status_code == 403 and r.get_json()["permission"] == "authorize_pickups"
    _file(client, buyer, tree["paper"], a["load_id"])
    r = _authorize(client, clerk, a["load_id"])
    assert r.status_code == 403 and r.get_json()["permission"] == "authorize_pickups"
    assert "authorize_pickups" in r.get_json()["detail"]
    _file(client, buyer, tree["steel_north"], a["load_id"])
    r = _authorize(client, clerk, a["load_id"])
    assert r.status_code == 201, r.get_json()
    assert client.post(f"/api/v1/pickup-authorizations/{r.get_json()['id']}/revoke",
                       headers=clerk.headers).status_code == 200
    _assign(client, buyer, tree["steel"], clerk.user.id, [])  # withdrawn: nothing left
    r = _authorize(client, clerk, a["load_id"])
    assert r.status_code == 403 and r.get_json()["permission"] == "authorize_pickups"


def test_a_department_approver_decides_only_its_departments_requests(client, make_party):
    """An approver by department role is not one for another department's load; the requester never approves."""
    a = assigned_load(client, make_party)
    buyer = a["board"].buyer
    tree = _tree(client, buyer)
    p = purchasing(client, buyer)  # the level asks for purchasing_manager
    steel_manager = member(buyer, ["viewer"], name="steel-manager")
    _assign(client, buyer, tree["steel"], steel_manager.user.id, ["purchasing_manager"])
    _assign(client, buyer, tree["steel"], p["requester"].user.id, ["purchasing_manager"])
    _file(client, buyer, tree["paper"], a["load_id"])
    auth = _authorize(client, p["requester"], a["load_id"]).get_json()
    url = f"/api/v1/approvals/{auth['approval_id']}/approve"
    r = client.post(url, headers=steel_manager.headers, json={})
    assert r.status_code == 403 and r.get_json()["permission"] == "approve"
    _file(client, buyer, tree["steel_north"], a["load_id"])
    r = client.post(url, headers=p["requester"].headers, json={})
    assert r.status_code == 403 and r.get_json()["reason"] == "requester"
    r = client.post(url, headers=steel_manager.headers, json={})
    assert r.status_code == 200 and r.get_json()["status"] == "approved"


def test_nobody_assigns_a_role_above_their_own_permissions(client, make_party):
    """A user manager without a role's permissions gets 403 naming the first one; giving what it holds works."""
    admin = make_party("buyer", roles=("admin",))
    steel = _department(client, admin, "Steel")
    custom_role(client, admin, "people_office", ["manage_users", "approve"])
    office = member(admin, ["people_office"], name="office")
    clerk = member(admin, ["viewer"], name="clerk")
    r = _assign(client, office, steel, clerk.user.id, ["dispatcher"])
    assert r.status_code == 403 and r.get_json()["permission"] == "appoint_inspectors"
    custom_role(client, admin, "approver", ["approve"])
    assert _assign(client, office, steel, clerk.user.id, ["approver"]).status_code == 200
    _assign(client, admin, steel, clerk.user.id, ["approver", "dispatcher"])
    r = _assign(client, office, steel, clerk.user.id, ["approver"])  # nor takes away more than it holds
    assert r.status_code == 403 and r.get_json()["permission"] == "appoint_inspectors"


def test_bad_assignments_are_refused_with_their_field(client, make_party):
    """Unknown role: 422 at roles/<i>; another organisation's user: 422 at user_id; its department: 404."""
    admin = make_party("buyer", roles=("admin",))
    other = make_party("buyer", roles=("admin",))
    steel = _department(client, admin, "Steel")
    theirs = _department(client, other, "Theirs")
    clerk = member(admin, ["viewer"], name="clerk")
    r = _assign(client, admin, steel, clerk.user.id, ["viewer", "no_such_role"])
    assert r.status_code == 422 and [e["path"] for e in r.get_json()["errors"]] == ["roles/1"]
    r = _assign(client, admin, steel, other.user.id, ["viewer"])
    assert r.status_code == 422 and r.get_json()["errors"][0]["path"] == "user_id"
    assert _assign(client, admin, theirs, clerk.user.id, ["viewer"]).status_code == 404
    assert client.get(f"/api/v1/users/{other.user.id}/department-roles", headers=admin.headers).status_code == 404
    r = client.put(f"/api/v1/departments/{steel}/roles", headers=admin.headers, json={"roles": ["viewer"]})
    assert r.status_code == 422 and r.get_json()["errors"][0]["path"] == "user_id"


def test_assignments_are_listed_and_audited(client, make_party):
    """The department and the user list the roles; each assignment and withdrawal is an audit event."""
    admin = make_party("buyer", roles=("admin",))
    steel = _department(client, admin, "Steel")
    custom_role(client, admin, "approver", ["approve"])
    clerk = member(admin, ["viewer"], name="clerk")
    r = _assign(client, admin, steel, clerk.user.id, ["approver", "dispatcher"])
    assert r.status_code == 200 and r.get_json()["role_holders"] == [
        {"user_id": clerk.user.id, "roles": ["approver", "dispatcher"]}]
    assert clerk.user.id in r.get_json()["member_ids"]
    listed = client.get(f"/api/v1/users/{clerk.user.id}/department-roles", headers=admin.headers).get_json()
    assert listed == [{"department_id": steel, "department_name": "Steel", "roles": ["approver", "dispatcher"]}]
    role_id = next(role["id"] for role in client.get("/api/v1/roles", headers=admin.headers).get_json()["items"])
    r = client.delete(f"/api/v1/roles/{role_id}", headers=admin.headers)
    assert r.status_code == 409 and r.get_json()["reason"] == "role_in_use"
    _assign(client, admin, steel, clerk.user.id, ["approver"])
    client.post(f"/api/v1/departments/{steel}/members", headers=admin.headers,
                json={"user_id": clerk.user.id, "member": False})
    events = client.get("/api/v1/audit", headers=admin.headers, query_string={"object_type": "department"}).get_json()
    seen = [(e["action"], (e["after"] or e["before"])["role"]) for e in events["items"] if "role" in
            (e["after"] or e["before"] or {})]
    assert sorted(seen) == sorted([("department.role_assigned", "approver"), ("department.role_assigned", "dispatcher"),
                                   ("department.role_withdrawn", "dispatcher"),
                                   ("department.role_withdrawn", "approver")])
    assert client.delete(f"/api/v1/roles/{role_id}", headers=admin.headers).status_code == 204


def test_narrowed_department_role_holders_see_their_departments_loads(client, make_party):
    """With narrowing on, holding a role in Steel is membership: Steel's load in sight, Paper's a 404."""
    a = assigned_load(client, make_party)
    buyer = a["board"].buyer
    tree = _tree(client, buyer)
    custom_role(client, buyer, "pickup_clerk", ["authorize_pickups"])
    clerk = member(buyer, ["viewer"], name="clerk")
    _assign(client, buyer, tree["steel"], clerk.user.id, ["pickup_clerk"])
    client.put("/api/v1/departments/narrowing", headers=buyer.headers, json={"narrow": True})
    _file(client, buyer, tree["steel_north"], a["load_id"])
    assert client.get(f"/api/v1/loads/{a['load_id']}", headers=clerk.headers).status_code == 200
    assert _authorize(client, clerk, a["load_id"]).status_code == 201
    _file(client, buyer, tree["paper"], a["load_id"])
    assert client.get(f"/api/v1/loads/{a['load_id']}", headers=clerk.headers).status_code == 404
    assert _authorize(client, clerk, a["load_id"]).status_code == 404
