"""Cookie-authenticated state changes must come from this site: forged cross-site posts are a 403 problem."""

import re

import pytest

from server.extensions import db
from server.models import TrackingLink
from tests.conftest import SAME_SITE, TEST_PASSWORD

EVIL = {"Origin": "https://evil.example"}


def _cookie_sign_in(client, party):
    assert client.post("/api/v1/auth/login", json={"email": party.user.email,
                                                   "password": TEST_PASSWORD}).status_code == 200


@pytest.mark.parametrize("body", [
    {"data": '{"ttl_hours": 24}', "content_type": "text/plain"},
    {"data": {"ttl_hours": "24"}, "content_type": "application/x-www-form-urlencoded"},
    {"json": {"ttl_hours": 24}},
])
def test_a_cross_site_post_with_the_session_cookie_is_refused(client, trade, make_load, body):
    """Origin evil.example, with a text/plain, form or JSON body: 403 problem+json, and no link is made."""
    load = make_load(trade)
    _cookie_sign_in(client, trade["buyer"])
    r = client.post(f"/api/v1/loads/{load.id}/tracking-links", headers=EVIL, **body)
    assert r.status_code == 403 and r.mimetype == "application/problem+json"
    assert r.get_json()["reason"] == "cross_site"
    assert db.session.query(TrackingLink).count() == 0


def test_a_foreign_referer_or_a_null_origin_is_refused_too(client, trade, make_load):
    """Without Origin the Referer decides; a sandboxed page's 'null' origin is foreign."""
    load = make_load(trade)
    _cookie_sign_in(client, trade["seller"])
    url = f"/api/v1/loads/{load.id}/tracking-links"
    assert client.post(url, json={}, headers={"Referer": "https://evil.example/page"}).status_code == 403
    assert client.post(url, json={}, headers={"Origin": "null"}).status_code == 403
    assert client.delete(f"{url}/1", headers=EVIL).status_code == 403


def test_a_cookie_post_without_origin_needs_the_csrf_token(client, trade, make_load):
    """No Origin and no Referer: the X-CSRF-Token of the page (meta tag) lets it through, nothing else does."""
    load = make_load(trade)
    _cookie_sign_in(client, trade["buyer"])
    url = f"/api/v1/loads/{load.id}/tracking-links"
    refused = client.post(url, json={"ttl_hours": 24})
    assert refused.status_code == 403 and refused.get_json()["reason"] == "csrf_token_missing"
    assert client.post(url, json={"ttl_hours": 24}, headers={"X-CSRF-Token": "made-up"}).status_code == 403
    page = client.get(f"/loads/{load.id}").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)">', page).group(1)
    assert client.post(url, json={"ttl_hours": 24}, headers={"X-CSRF-Token": token}).status_code == 201
    assert client.post(url, json={"ttl_hours": 24}, headers=SAME_SITE).status_code == 201


def test_the_same_host_over_https_counts_as_this_site(client, trade, make_load):
    """Behind a proxy ending TLS the browser's Origin is https:// while the app sees http://; another host is not."""
    load = make_load(trade)
    _cookie_sign_in(client, trade["buyer"])
    url = f"/api/v1/loads/{load.id}/tracking-links"
    assert client.post(url, json={"ttl_hours": 24}, headers={"Origin": "https://localhost"}).status_code == 201
    assert client.post(url, json={"ttl_hours": 24}, headers={"Origin": "https://localhost.evil.example"}).status_code == 403
    assert client.post(url, json={"ttl_hours": 24}, headers={"Origin": "http://localhost:8080"}).status_code == 403


def test_bearer_calls_are_exempt(client, trade, make_load):
    """An ERP's bearer call carries no ambient credential: any Origin or none is fine."""
    load = make_load(trade)
    r = client.post(f"/api/v1/loads/{load.id}/tracking-links", json={"ttl_hours": 24},
                    headers={**trade["buyer"].headers, **EVIL})
    assert r.status_code == 201


def test_sign_out_is_protected_on_the_api_and_the_page(client, make_party):
    """A cross-site POST /logout or /api/v1/auth/logout does not sign anyone out, nor one with no Origin and no token."""
    party = make_party("buyer")
    _cookie_sign_in(client, party)
    assert client.post("/api/v1/auth/logout", headers=EVIL).status_code == 403
    assert client.post("/logout", headers=EVIL).status_code == 403
    assert client.post("/logout").status_code == 403  # neither Origin nor the form's token
    assert client.get("/api/v1/auth/me").status_code == 200
    assert client.post("/logout", headers=SAME_SITE).status_code == 302  # this site's own button
    assert client.get("/api/v1/auth/me").status_code == 401


def test_a_cross_site_sign_in_is_refused(client, make_party):
    """A forged sign-in (login CSRF into the attacker's account) from another site is refused."""
    party = make_party("buyer")
    r = client.post("/api/v1/auth/login", json={"email": party.user.email, "password": TEST_PASSWORD}, headers=EVIL)
    assert r.status_code == 403
    assert client.post("/api/v1/auth/login", json={"email": party.user.email, "password": TEST_PASSWORD},
                       headers=SAME_SITE).status_code == 200
