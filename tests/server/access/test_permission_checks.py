"""Self-lockout and "driver only" are decided by permissions, not by built-in role names."""

from tests.server.access.access_factory import custom_role, member


def test_an_admin_may_swap_admin_for_a_custom_role_that_manages_users(client, make_party):
    """Keeping manage_users through a custom role is no lockout (was 409: 'admin' missing from the roles)."""
    admin = make_party("seller", roles=("admin",))
    custom_role(client, admin, "people", ["manage_users", "manage_roles"])
    r = client.patch(f"/api/v1/users/{admin.user.id}", headers=admin.headers, json={"roles": ["people"]})
    assert r.status_code == 200, r.get_json()


def test_an_admin_cannot_give_up_manage_users_themselves(client, make_party):
    """A role set without manage_users for oneself is refused, naming the permission."""
    admin = make_party("seller", roles=("admin",))
    r = client.patch(f"/api/v1/users/{admin.user.id}", headers=admin.headers, json={"roles": ["dispatcher"]})
    assert r.status_code == 409 and r.get_json()["permission"] == "manage_users"


def test_the_last_holder_of_manage_users_is_not_removed(client, make_party):
    """An ERP token with manage_users cannot deactivate or demote the organisation's only user manager;
    once a second holder exists (a custom role), it can."""
    from server.auth.principal import issue_token
    from server.extensions import db

    admin = make_party("seller", roles=("admin",))
    token, _ = issue_token(admin.id, "erp", ["admin"])
    db.session.commit()
    erp = {"Authorization": f"Bearer {token}"}
    for change in ({"active": False}, {"roles": ["viewer"]}):
        r = client.patch(f"/api/v1/users/{admin.user.id}", headers=erp, json=change)
        assert r.status_code == 409 and r.get_json()["reason"] == "last_user_manager", r.get_json()
    custom_role(client, admin, "people", ["manage_users"])
    member(admin, ["people"], name="hr")
    assert client.patch(f"/api/v1/users/{admin.user.id}", headers=erp, json={"roles": ["viewer"]}).status_code == 200


def test_a_custom_role_cannot_lose_manage_users_while_it_is_the_last_to_give_it(client, make_party):
    """Taking manage_users out of the role its only holder manages users by is a 409."""
    admin = make_party("seller", roles=("admin",))
    role = custom_role(client, admin, "people", ["manage_users", "manage_roles"])
    client.patch(f"/api/v1/users/{admin.user.id}", headers=admin.headers, json={"roles": ["people"]})
    r = client.patch(f"/api/v1/roles/{role['id']}", headers=admin.headers, json={"permissions": ["manage_roles"]})
    assert r.status_code == 409 and r.get_json()["reason"] == "last_user_manager"


def test_a_custom_role_with_driver_permissions_only_is_treated_as_a_driver(client, make_party, trade, make_load):
    """Its holder sees the loads assigned to them (none), not the carrier's whole work; a dispatcher sees it."""
    carrier = make_party("carrier")
    load = make_load(trade, carrier=carrier, status="awarded")
    custom_role(client, carrier, "yard_runner", ["book_slots", "check_in"])
    runner = member(carrier, ["yard_runner"], name="runner")
    dispatcher = member(carrier, ["dispatcher"], name="desk")
    assert [x["id"] for x in client.get("/api/v1/loads", headers=dispatcher.headers).get_json()["items"]] == [load.id]
    assert client.get("/api/v1/loads", headers=runner.headers).get_json()["items"] == []
    assert client.get(f"/api/v1/loads/{load.id}", headers=runner.headers).status_code == 404


def test_a_custom_driver_role_is_not_mailed_the_organisation_news(client, make_party):
    """E-mail recipients skip people who may do only what a driver may, whatever their role is called."""
    from server.extensions import db
    from server.notify.email_prefs import recipients

    carrier = make_party("carrier", roles=("admin",))
    custom_role(client, carrier, "yard_runner", ["book_slots", "check_in"])
    runner = member(carrier, ["yard_runner"], name="runner")
    viewer = member(carrier, ["viewer"], name="viewer")
    mailed = {uid for uid, _, _ in recipients(db.session, [carrier.id], "won")}
    assert carrier.user.id in mailed and viewer.user.id in mailed and runner.user.id not in mailed
