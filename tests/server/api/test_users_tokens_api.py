"""Users (admin only), sign-in and API tokens, on both backends."""

from tests.conftest import TEST_PASSWORD


def test_only_admins_manage_users(client, make_party):
    """An admin lists and adds users; a dispatcher gets 403."""
    admin = make_party("seller", roles=("admin",))
    dispatcher = make_party("seller", roles=("dispatcher",))
    assert client.get("/api/v1/users", headers=dispatcher.headers).status_code == 403
    r = client.post("/api/v1/users", headers=admin.headers, json={
        "email": "dock@plant.test", "name": "Dock", "password": "long-enough-pw", "roles": ["dock_manager"]})
    assert r.status_code == 201
    assert client.get("/api/v1/users", headers=admin.headers).get_json()["total"] == 2


def test_admin_cannot_lock_themselves_out(client, make_party):
    """Deactivating oneself is refused with 409."""
    admin = make_party("seller", roles=("admin",))
    r = client.patch(f"/api/v1/users/{admin.user.id}", headers=admin.headers, json={"active": False})
    assert r.status_code == 409


def test_session_login_then_api_call(client, make_party):
    """A dashboard login sets a session that authorises API calls, and logout ends it."""
    party = make_party("buyer")
    assert client.post("/api/v1/auth/login", json={"email": party.user.email, "password": "nope"}).status_code == 401
    assert client.post("/api/v1/auth/login", json={"email": party.user.email, "password": TEST_PASSWORD}).status_code == 200
    assert client.get("/api/v1/auth/me").get_json()["email"] == party.user.email
    client.post("/api/v1/auth/logout")
    assert client.get("/api/v1/auth/me").status_code == 401


def test_app_token_exchange(client, make_party):
    """The driver app exchanges credentials for an expiring bearer token."""
    party = make_party("carrier", roles=("driver",))
    r = client.post("/api/v1/auth/token", json={"email": party.user.email, "password": TEST_PASSWORD})
    assert r.status_code == 201 and r.get_json()["expires_at"]
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {r.get_json()['token']}"})
    assert me.get_json()["roles"] == ["driver"]


def test_erp_token_is_shown_once_and_revocation_is_immediate(client, make_party):
    """A new API token works until revoked, then answers 401; lists never show the secret."""
    admin = make_party("seller", roles=("admin",))
    made = client.post("/api/v1/tokens", headers=admin.headers, json={"name": "SAP", "roles": ["dispatcher"]})
    assert made.status_code == 201
    token = made.get_json()["token"]
    erp = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/orders", headers=erp).status_code == 200
    listed = client.get("/api/v1/tokens", headers=admin.headers).get_json()["items"]
    assert all("token" not in t for t in listed) and listed[0]["prefix"] == token[:12]
    assert client.delete(f"/api/v1/tokens/{made.get_json()['id']}", headers=admin.headers).status_code == 204
    assert client.get("/api/v1/orders", headers=erp).status_code == 401


def test_tokens_cannot_grant_driver_or_unknown_roles(client, make_party):
    """Token roles are limited to office roles."""
    admin = make_party("seller", roles=("admin",))
    r = client.post("/api/v1/tokens", headers=admin.headers, json={"name": "x", "roles": ["superuser"]})
    assert r.status_code == 422
