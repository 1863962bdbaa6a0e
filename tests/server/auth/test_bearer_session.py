"""A bearer-token call neither reads nor rewrites the cookie session a browser may also send."""

import pytest
from sqlalchemy import text

from server.auth.principal import principal_from_token
from server.extensions import db
from tests.conftest import SAME_SITE, TEST_PASSWORD


def test_a_bearer_call_leaves_the_dashboard_login_alone(client, make_party):
    """Signed in as one organisation's user, the same client calls with another's token: the call acts as
    the token's organisation, sets no cookie, and the dashboard login still works afterwards."""
    seller, carrier = make_party("seller"), make_party("carrier")
    assert client.post("/api/v1/auth/login", json={"email": seller.user.email,
                                                   "password": TEST_PASSWORD}).status_code == 200
    as_token = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {carrier.token}"})
    assert as_token.status_code == 200 and as_token.get_json()["organisation_id"] == carrier.id
    assert "Set-Cookie" not in as_token.headers
    as_cookie = client.get("/api/v1/auth/me")
    assert as_cookie.status_code == 200 and as_cookie.get_json()["organisation_id"] == seller.id


def test_a_cookie_call_still_gets_its_session(client, make_party):
    """Without a bearer token the signed cookie is read as before: signing out ends the login."""
    seller = make_party("seller")
    client.post("/api/v1/auth/login", json={"email": seller.user.email, "password": TEST_PASSWORD})
    assert client.get("/api/v1/auth/me").status_code == 200
    client.post("/api/v1/auth/logout", headers=SAME_SITE)
    assert client.get("/api/v1/auth/me").status_code == 401


def test_only_a_bearer_call_skips_the_cookie(ctx):
    """The session interface hands a bearer call the never-saved session without touching the cookie."""
    from server.auth.bearer_session import BearerCallSession

    with ctx.test_request_context("/api/v1/auth/me", headers={"Authorization": "Bearer abc",
                                                             "Cookie": "session=not-even-signed"}) as rc:
        assert isinstance(ctx.session_interface.open_session(ctx, rc.request), BearerCallSession)
    with ctx.test_request_context("/api/v1/auth/me", headers={"Cookie": "session=not-even-signed"}) as rc:
        assert not isinstance(ctx.session_interface.open_session(ctx, rc.request), BearerCallSession)


def test_a_call_does_not_queue_behind_another_marking_its_token_used(client, make_party):
    """While another transaction holds the token's row (it is marking the token used), a call with the same
    token is answered at once and leaves the mark to that transaction; with the row free, the call marks it."""
    if client.application.config["BACKEND"] != "postgis":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises writers")
    carrier = make_party("carrier")
    headers = {"Authorization": f"Bearer {carrier.token}"}
    with db.engine.connect() as other:
        other.execute(text("SELECT id FROM api_tokens WHERE organisation_id = :o FOR UPDATE"), {"o": carrier.id})
        db.session.execute(text("SET lock_timeout = '2s'"))  # a call that queued would fail, not hang
        assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
        marked = other.execute(text("SELECT last_used_at FROM api_tokens WHERE organisation_id = :o"),
                               {"o": carrier.id}).scalar()
        assert marked is None
        other.rollback()
    with client.application.test_request_context("/api/v1/auth/me"):  # the row is free: this call marks it
        principal_from_token(carrier.token)
        assert db.session.execute(text("SELECT last_used_at FROM api_tokens WHERE organisation_id = :o"),
                                  {"o": carrier.id}).scalar() is not None
        db.session.rollback()
