"""Users (admin only), sign-in and API tokens, on both backends."""

from tests.conftest import SAME_SITE, TEST_PASSWORD


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
    client.post("/api/v1/auth/logout", headers=SAME_SITE)
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


def test_erp_tokens_expire_by_default_and_within_the_maximum(client, make_party, ctx):
    """A token asked for without a lifetime expires after ERP_TOKEN_TTL_DAYS; more than the maximum is a 422."""
    from datetime import UTC, datetime, timedelta

    admin = make_party("seller", roles=("admin",))
    made = client.post("/api/v1/tokens", headers=admin.headers, json={"name": "SAP", "roles": ["viewer"]}).get_json()
    expires = datetime.fromisoformat(made["expires_at"])
    expected = datetime.now(UTC) + timedelta(days=ctx.config["ERP_TOKEN_TTL_DAYS"])
    assert abs((expires - expected).total_seconds()) < 60 and made["status"] == "active"
    too_long = client.post("/api/v1/tokens", headers=admin.headers, json={
        "name": "SAP", "roles": ["viewer"], "expires_in_days": ctx.config["ERP_TOKEN_MAX_DAYS"] + 1})
    assert too_long.status_code == 422 and too_long.get_json()["errors"][0]["path"] == "expires_in_days"
    listed = client.get("/api/v1/tokens", headers=admin.headers).get_json()["items"]
    assert listed[0]["expires_at"] == made["expires_at"] and listed[0]["status"] == "active"


def test_an_expired_erp_token_is_refused(client, make_party, monkeypatch):
    """Once its lifetime has passed, the token answers 401 and the list says expired."""
    from datetime import timedelta

    from server.api import auth as auth_api
    from server.auth import principal as principal_module
    from server.db.types import utcnow

    admin = make_party("seller", roles=("admin",))
    made = client.post("/api/v1/tokens", headers=admin.headers, json={"name": "SAP", "roles": ["viewer"],
                                                                      "expires_in_days": 1}).get_json()
    erp = {"Authorization": f"Bearer {made['token']}"}
    assert client.get("/api/v1/orders", headers=erp).status_code == 200
    later = utcnow() + timedelta(days=1, minutes=1)
    monkeypatch.setattr(principal_module, "utcnow", lambda: later)
    monkeypatch.setattr(auth_api, "utcnow", lambda: later)
    assert client.get("/api/v1/orders", headers=erp).status_code == 401
    assert client.get("/api/v1/tokens", headers=admin.headers).get_json()["items"][0]["status"] == "expired"


def test_rotation_gives_a_new_secret_once_and_the_old_one_a_grace_period(client, make_party, monkeypatch):
    """Rotating returns a new secret with the same roles; the old one works until the grace ends, then 401."""
    from datetime import timedelta

    from server.auth import principal as principal_module
    from server.db.types import utcnow

    admin = make_party("seller", roles=("admin",))
    old = client.post("/api/v1/tokens", headers=admin.headers, json={"name": "SAP", "roles": ["viewer"]}).get_json()
    r = client.post(f"/api/v1/tokens/{old['id']}/rotate", headers=admin.headers, json={"grace_hours": 2})
    assert r.status_code == 201
    new = r.get_json()
    assert new["token"] != old["token"] and new["roles"] == ["viewer"] and new["name"] == "SAP"
    listed = {t["id"]: t for t in client.get("/api/v1/tokens", headers=admin.headers).get_json()["items"]}
    assert "token" not in listed[new["id"]]
    assert listed[old["id"]]["status"] == "rotated" and listed[old["id"]]["replaced_by_id"] == new["id"]
    for token in (old["token"], new["token"]):
        assert client.get("/api/v1/orders", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    again = client.post(f"/api/v1/tokens/{old['id']}/rotate", headers=admin.headers, json={})
    assert again.status_code == 409 and again.get_json()["reason"] == "rotated"
    later = utcnow() + timedelta(hours=2, minutes=1)
    monkeypatch.setattr(principal_module, "utcnow", lambda: later)
    assert client.get("/api/v1/orders", headers={"Authorization": f"Bearer {old['token']}"}).status_code == 401
    assert client.get("/api/v1/orders", headers={"Authorization": f"Bearer {new['token']}"}).status_code == 200


def test_only_erp_tokens_of_ones_own_organisation_rotate(client, make_party):
    """A revoked token cannot be rotated (409); another organisation's token, or a session token, is a 404."""
    admin, stranger = make_party("seller", roles=("admin",)), make_party("seller", roles=("admin",))
    made = client.post("/api/v1/tokens", headers=admin.headers, json={"name": "SAP", "roles": ["viewer"]}).get_json()
    assert client.post(f"/api/v1/tokens/{made['id']}/rotate", headers=stranger.headers, json={}).status_code == 404
    from sqlalchemy import select

    from server.extensions import db
    from server.models import ApiToken

    session_token = db.session.scalar(select(ApiToken.id).where(ApiToken.organisation_id == admin.id,
                                                                ApiToken.kind == "session"))
    assert client.post(f"/api/v1/tokens/{session_token}/rotate", headers=admin.headers).status_code == 404
    assert client.post(f"/api/v1/tokens/{made['id']}/rotate", headers=admin.headers).status_code == 201  # no body
    client.delete(f"/api/v1/tokens/{made['id']}", headers=admin.headers)
    r = client.post(f"/api/v1/tokens/{made['id']}/rotate", headers=admin.headers, json={})
    assert r.status_code == 409 and r.get_json()["reason"] == "revoked"
