"""Roles built from permissions: the catalogue, custom roles, the ceiling on granting, tokens with a subset."""

from tests.server.access.access_factory import custom_role, member


def test_catalogue_lists_permissions_builtin_roles_and_mine(client, make_party):
    """GET /permissions names every permission, the built-in roles' sets, and the caller's own."""
    viewer = make_party("buyer", roles=("viewer",))
    body = client.get("/api/v1/permissions", headers=viewer.headers).get_json()
    names = {p["name"] for p in body["permissions"]}
    assert {"authorize_pickups", "approve", "manage_users", "view_finances", "record_evidence"} <= names
    assert {r["name"] for r in body["builtin_roles"]} == {"admin", "dispatcher", "dock_manager", "driver", "viewer"}
    assert body["mine"] == ["view_finances"]


def test_403_names_the_missing_permission(client, make_party):
    """A viewer posting an order is refused with the permission named, in the detail and as a field."""
    viewer = make_party("seller", roles=("viewer",))
    r = client.post("/api/v1/orders", headers=viewer.headers, json={"not": "even valid"})
    assert r.status_code == 403
    assert r.get_json()["permission"] == "create_orders" and "create_orders" in r.get_json()["detail"]


def test_custom_role_grants_exactly_its_permissions(client, make_party):
    """A clerk whose custom role holds authorize_pickups may reach that endpoint but not manage users."""
    buyer = make_party("buyer", roles=("admin",))
    custom_role(client, buyer, "pickup_clerk", ["authorize_pickups"])
    clerk = member(buyer, ["pickup_clerk"])
    r = client.post("/api/v1/loads/999999/pickup-authorizations", headers=clerk.headers, json={})
    assert r.status_code == 404  # past the permission check, the load is not there
    r = client.get("/api/v1/users", headers=clerk.headers)
    assert r.status_code == 403 and r.get_json()["permission"] == "manage_users"


def test_a_role_cannot_grant_more_than_its_creator_holds(client, make_party):
    """A role manager without view_audit cannot put view_audit into a role, nor assign a role holding it."""
    buyer = make_party("buyer", roles=("admin",))
    custom_role(client, buyer, "role_manager", ["manage_roles", "manage_users", "authorize_pickups"])
    custom_role(client, buyer, "auditor", ["view_audit"])
    manager = member(buyer, ["role_manager"])
    r = client.post("/api/v1/roles", headers=manager.headers, json={"name": "sneaky", "permissions": ["view_audit"]})
    assert r.status_code == 403 and r.get_json()["permission"] == "view_audit"
    r = client.post("/api/v1/users", headers=manager.headers, json={
        "email": "x@buyer.test", "name": "X", "password": "long-enough-pw", "roles": ["auditor"]})
    assert r.status_code == 403 and r.get_json()["permission"] == "view_audit"
    r = client.post("/api/v1/users", headers=manager.headers, json={
        "email": "y@buyer.test", "name": "Y", "password": "long-enough-pw", "roles": ["admin"]})
    assert r.status_code == 403
    ok = client.post("/api/v1/roles", headers=manager.headers, json={"name": "clerk", "permissions": ["authorize_pickups"]})
    assert ok.status_code == 201
    r = client.patch(f"/api/v1/users/{buyer.user.id}", headers=manager.headers, json={"password": "taken-over-pw"})
    assert r.status_code == 403  # setting an admin's password would sign the manager in as that admin


def test_unknown_roles_and_permissions_are_field_errors(client, make_party):
    """Unknown names come back as 422 with the path of the bad element."""
    admin = make_party("buyer", roles=("admin",))
    r = client.post("/api/v1/roles", headers=admin.headers, json={"name": "x_role", "permissions": ["approve", "fly"]})
    assert r.status_code == 422 and r.get_json()["errors"][0]["path"] == "permissions/1"
    r = client.post("/api/v1/users", headers=admin.headers, json={
        "email": "z@buyer.test", "name": "Z", "password": "long-enough-pw", "roles": ["viewer", "ghost"]})
    assert r.status_code == 422 and r.get_json()["errors"][0]["path"] == "roles/1"
    r = client.post("/api/v1/roles", headers=admin.headers, json={"name": "admin", "permissions": ["approve"]})
    assert r.status_code == 422


def test_custom_roles_stay_in_their_organisation(client, make_party):
    """Another organisation's admin neither sees nor assigns a role of the same name."""
    one, other = make_party("buyer", roles=("admin",)), make_party("buyer", roles=("admin",))
    role = custom_role(client, one, "approver", ["approve"])
    assert client.get(f"/api/v1/roles/{role['id']}", headers=other.headers).status_code == 404
    r = client.post("/api/v1/users", headers=other.headers, json={
        "email": "w@buyer.test", "name": "W", "password": "long-enough-pw", "roles": ["approver"]})
    assert r.status_code == 422


def test_token_carries_a_subset_of_its_creators_permissions(client, make_party):
    """A dispatcher-role token cut to view_finances cannot post orders; asking beyond the creator is 403."""
    seller = make_party("seller", roles=("admin",))
    r = client.post("/api/v1/tokens", headers=seller.headers, json={
        "name": "erp", "roles": ["dispatcher"], "permissions": ["view_finances"]})
    assert r.status_code == 201 and r.get_json()["permissions"] == ["view_finances"]
    erp = {"Authorization": f"Bearer {r.get_json()['token']}"}
    r = client.post("/api/v1/orders", headers=erp, json={})
    assert r.status_code == 403 and r.get_json()["permission"] == "create_orders"
    assert client.get("/api/v1/permissions", headers=erp).get_json()["mine"] == ["view_finances"]
    custom_role(client, seller, "token_keeper", ["manage_tokens", "view_finances"])
    keeper = member(seller, ["token_keeper"])
    r = client.post("/api/v1/tokens", headers=keeper.headers, json={"name": "erp2", "roles": ["dispatcher"]})
    assert r.status_code == 403 and r.get_json()["permission"] == "appoint_inspectors"  # the first, sorted
    admins = client.post("/api/v1/tokens", headers=seller.headers, json={"name": "erp3", "roles": ["admin"]}).get_json()
    r = client.post(f"/api/v1/tokens/{admins['id']}/rotate", headers=keeper.headers, json={})
    assert r.status_code == 403 and "token" not in r.get_json()  # rotating would hand the keeper an admin secret


def test_role_changes_are_in_the_audit_trail(client, make_party):
    """Creating and changing a role, a user and a token leave audit events the admin can find by object."""
    admin = make_party("buyer", roles=("admin",))
    role = custom_role(client, admin, "approver", ["approve"])
    client.patch(f"/api/v1/roles/{role['id']}", headers=admin.headers, json={"permissions": ["approve", "bid"]})
    events = client.get(f"/api/v1/audit?object_type=role&object_id={role['id']}", headers=admin.headers).get_json()
    assert [e["action"] for e in events["items"]] == ["role.created", "role.changed"]
    assert events["items"][1]["after"]["permissions"] == ["approve", "bid"]
    client.post("/api/v1/users", headers=admin.headers, json={
        "email": "a@buyer.test", "name": "A", "password": "long-enough-pw", "roles": ["approver"]})
    users = client.get("/api/v1/audit?object_type=user", headers=admin.headers).get_json()
    assert users["items"][0]["action"] == "user.created"


def test_a_held_role_cannot_be_deleted(client, make_party):
    """Deleting a role someone holds is 409; once nobody does, it goes."""
    admin = make_party("buyer", roles=("admin",))
    role = custom_role(client, admin, "approver", ["approve"])
    holder = member(admin, ["approver"])
    assert client.delete(f"/api/v1/roles/{role['id']}", headers=admin.headers).status_code == 409
    client.patch(f"/api/v1/users/{holder.user.id}", headers=admin.headers, json={"roles": ["viewer"]})
    assert client.delete(f"/api/v1/roles/{role['id']}", headers=admin.headers).status_code == 204
