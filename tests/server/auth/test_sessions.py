"""Signing out and password changes end sessions on the server: replayed cookies and old tokens are refused."""

import re
import time

from server.extensions import socketio
from tests.conftest import SAME_SITE, TEST_PASSWORD


def _api_sign_in(client, party) -> str:
    assert client.post("/api/v1/auth/login", json={"email": party.user.email,
                                                   "password": TEST_PASSWORD}).status_code == 200
    return client.get_cookie("session").value


def _replay(client, cookie: str) -> int:
    client.set_cookie("session", cookie)
    return client.get("/api/v1/auth/me").status_code


def test_api_sign_out_revokes_the_session_cookie(client, make_party):
    """A cookie saved before POST /auth/logout no longer signs in when replayed."""
    cookie = _api_sign_in(client, make_party("buyer"))
    assert client.post("/api/v1/auth/logout", headers=SAME_SITE).status_code == 204
    assert _replay(client, cookie) == 401


def test_page_sign_out_revokes_the_session_cookie(client, make_party):
    """The HTML sign-out form (with its token) ends the session for a replayed cookie too."""
    party = make_party("seller")
    cookie = _api_sign_in(client, party)
    page = client.get("/seller").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert _replay(client, cookie) == 401


def test_api_sign_out_with_a_bearer_token_revokes_that_token(client, make_party):
    """An app signing out with its session token cannot use that token again."""
    party = make_party("carrier")
    issued = client.post("/api/v1/auth/token", json={"email": party.user.email, "password": TEST_PASSWORD})
    headers = {"Authorization": f"Bearer {issued.get_json()['token']}"}
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    assert client.get("/api/v1/auth/me", headers=party.headers).status_code == 200  # other tokens live on


def test_a_password_change_revokes_every_cookie_and_token_of_the_user(client, make_party):
    """After an admin sets a user's password, the user's old cookie and bearer tokens are refused."""
    admin = make_party("buyer", roles=("admin",))
    user = client.post("/api/v1/users", headers=admin.headers, json={
        "email": "clerk@buyer.test", "name": "Clerk", "password": "first-password-1", "roles": ["viewer"]}).get_json()
    token = client.post("/api/v1/auth/token", json={"email": "clerk@buyer.test",
                                                    "password": "first-password-1"}).get_json()["token"]
    client.post("/api/v1/auth/login", json={"email": "clerk@buyer.test", "password": "first-password-1"})
    cookie = client.get_cookie("session").value
    assert client.patch(f"/api/v1/users/{user['id']}", headers=admin.headers,
                        json={"password": "second-password-2"}).status_code == 200
    assert _replay(client, cookie) == 401
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert client.get("/api/v1/auth/me", headers=admin.headers).status_code == 200  # the admin's own token lives on
    client.delete_cookie("session")
    assert client.post("/api/v1/auth/login", json={"email": "clerk@buyer.test",
                                                   "password": "second-password-2"}).status_code == 200


def _wait_disconnected(socket_client, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not socket_client.is_connected():
            return True
        time.sleep(0.05)
    return False


def test_a_socket_of_a_revoked_token_is_disconnected_within_seconds(ctx, client, make_party):
    """Signing the app's token out closes the live Socket.IO connection made with it."""
    party = make_party("carrier")
    token = client.post("/api/v1/auth/token", json={"email": party.user.email,
                                                    "password": TEST_PASSWORD}).get_json()["token"]
    live = socketio.test_client(ctx, auth={"token": token})
    bystander = socketio.test_client(ctx, auth={"token": party.token})
    assert live.is_connected()
    client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"})
    assert _wait_disconnected(live)
    assert bystander.is_connected()
    bystander.disconnect()


def test_a_socket_of_a_revoked_session_is_disconnected_within_seconds(ctx, client, make_party):
    """A dashboard's socket (session cookie) closes once an admin changes the user's password."""
    admin = make_party("seller", roles=("admin",))
    client.post("/api/v1/users", headers=admin.headers, json={
        "email": "desk@seller.test", "name": "Desk", "password": "first-password-1", "roles": ["viewer"]})
    client.post("/api/v1/auth/login", json={"email": "desk@seller.test", "password": "first-password-1"})
    live = socketio.test_client(ctx, flask_test_client=client)
    assert live.is_connected()
    user_id = client.get("/api/v1/auth/me").get_json()["id"]
    client.patch(f"/api/v1/users/{user_id}", headers=admin.headers, json={"password": "second-password-2"})
    assert _wait_disconnected(live)


def test_a_deactivated_users_token_socket_is_disconnected(ctx, client, make_party):
    """Deactivating a user closes the live socket their app token opened."""
    admin = make_party("carrier", roles=("admin",))
    client.post("/api/v1/users", headers=admin.headers, json={
        "email": "van@carrier.test", "name": "Van", "password": "first-password-1", "roles": ["dispatcher"]})
    issued = client.post("/api/v1/auth/token", json={"email": "van@carrier.test", "password": "first-password-1"})
    live = socketio.test_client(ctx, auth={"token": issued.get_json()["token"]})
    assert live.is_connected()
    client.patch(f"/api/v1/users/{issued.get_json()['user']['id']}", headers=admin.headers, json={"active": False})
    assert _wait_disconnected(live)
