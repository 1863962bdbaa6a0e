"""The outsider's checks of issue 15 in one place, through the test client: each must find nothing.

Run on both databases with the default settings (``client``), and the browser-facing ones again on
the production settings (``HAUL_ENV=production``).
"""

import re

import pytest

from tests.conftest import SAME_SITE, TEST_PASSWORD
from tests.server.test_secret_key import forge_session_cookie

EVIL = {"Origin": "https://evil.example"}
INTERNAL_URLS = [
    "http://127.0.0.1:5432/", "http://localhost:6379/", "http://[::1]/", "http://2130706433/",
    "http://0x7f000001/", "http://127.1/", "http://0.0.0.0/", "http://10.0.0.5/", "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/", "http://metadata.google.internal/", "http://0177.0.0.1/",
    "http://[::ffff:127.0.0.1]/", "http://LOCALHOST./", "http://evil@127.0.0.1/",
]
SECURITY_HEADERS = ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy")


def test_a_forged_admin_cookie_gets_nothing(client, make_party):
    """A cookie signed with the once public development key does not sign in as the platform admin."""
    admin = make_party("platform", roles=("admin",))
    client.set_cookie("session", forge_session_cookie(client.application, admin.user.id))
    assert client.get("/api/v1/auth/me").status_code == 401
    assert client.get("/api/v1/organisations").status_code == 401


def test_webhooks_to_internal_addresses_are_refused_in_every_spelling(client, make_party):
    """Loopback, private, link-local and metadata targets, however written, are a 422 on url."""
    admin = make_party("seller", roles=("admin",))
    for url in INTERNAL_URLS:
        r = client.post("/api/v1/webhooks", headers=admin.headers, json={"url": url, "events": ["*"]})
        assert r.status_code == 422, url
        assert any(e["path"] == "url" for e in r.get_json()["errors"]), url


def test_nothing_is_reused_after_sign_out_or_a_password_change(client, make_party):
    """Replayed cookies and old bearer tokens are refused after sign-out and after an admin's password change."""
    party = make_party("buyer", roles=("admin",))
    client.post("/api/v1/auth/login", json={"email": party.user.email, "password": TEST_PASSWORD})
    cookie = client.get_cookie("session").value
    client.post("/api/v1/auth/logout", headers=SAME_SITE)
    client.set_cookie("session", cookie)
    assert client.get("/api/v1/auth/me").status_code == 401
    client.delete_cookie("session")
    app_token = client.post("/api/v1/auth/token", json={"email": party.user.email,
                                                        "password": TEST_PASSWORD}).get_json()["token"]
    client.post("/api/v1/auth/login", json={"email": party.user.email, "password": TEST_PASSWORD})
    cookie = client.get_cookie("session").value
    assert client.patch(f"/api/v1/users/{party.user.id}", headers=party.headers,
                        json={"password": "a-brand-new-password"}).status_code == 200
    client.set_cookie("session", cookie)
    assert client.get("/api/v1/auth/me").status_code == 401
    for token in (app_token, party.token):
        assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_30_wrong_passwords_end_in_429_before_the_right_one(client, make_party):
    """Guessing is braked with 429 and Retry-After, and the right password waits too."""
    email = make_party("carrier").user.email
    statuses = [client.post("/api/v1/auth/token", json={"email": email, "password": f"guess-{i}"}).status_code
                for i in range(30)]
    assert 429 in statuses
    right = client.post("/api/v1/auth/token", json={"email": email, "password": TEST_PASSWORD})
    assert right.status_code == 429 and int(right.headers["Retry-After"]) > 0


def test_nul_bytes_are_a_422_not_a_500(client, make_party):
    """A NUL in a query parameter or a JSON body is refused as bad input."""
    seller = make_party("seller")
    assert client.get("/api/v1/orders?reference=SO%001", headers=seller.headers).status_code == 422
    r = client.post("/api/v1/sites", headers=seller.headers, json={"name": "a\u0000b", "location": {"lat": 1, "lon": 2}})
    assert r.status_code == 422 and r.mimetype == "application/problem+json"


def test_cross_site_form_posts_are_refused(client, trade, make_load):
    """Cookie-authenticated posts from evil.example (text/plain, form) and a token-less sign-out are 403."""
    load = make_load(trade)
    client.post("/api/v1/auth/login", json={"email": trade["buyer"].user.email, "password": TEST_PASSWORD})
    url = f"/api/v1/loads/{load.id}/tracking-links"
    for body in ({"data": '{"ttl_hours": 1}', "content_type": "text/plain"},
                 {"data": {"ttl_hours": "1"}, "content_type": "application/x-www-form-urlencoded"}):
        r = client.post(url, headers=EVIL, **body)
        assert r.status_code == 403 and r.mimetype == "application/problem+json"
    assert client.post("/logout", headers=EVIL).status_code == 403
    assert client.get("/api/v1/auth/me").status_code == 200


def test_every_kind_of_answer_has_the_security_headers(client):
    """Pages, API answers, errors and static files all carry CSP, frame denial, nosniff and a referrer policy."""
    for path in ("/login", "/api/v1/auth/me", "/api/v1/nope", "/static/js/haul.js"):
        headers = client.get(path).headers
        assert all(name in headers for name in SECURITY_HEADERS), path
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


@pytest.fixture(scope="module")
def production_client(tmp_path_factory):
    """The app on the production settings (HAUL_ENV=production, a real SECRET_KEY), on SQLite."""
    from server.app import create_app
    from server.db.migrate import upgrade_to_head

    instance = tmp_path_factory.mktemp("production")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'p.db'}", "HAUL_INSTANCE_DIR": str(instance),
                      "ENV_NAME": "production", "SECRET_KEY": "a-production-secret-nobody-has-published",
                      "WEBHOOK_THREAD": False})
    with app.app_context():
        upgrade_to_head()
    return app.test_client()


def test_the_production_settings_pass_the_browser_checks(production_client):
    """Production: Secure cookie, HSTS, the headers, and a forged dev-key cookie is refused."""
    page = production_client.get("/login")
    assert all(name in page.headers for name in (*SECURITY_HEADERS, "Strict-Transport-Security"))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True))
    assert token is not None
    cookie = page.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    production_client.set_cookie("session", forge_session_cookie(production_client.application, 1))
    assert production_client.get("/api/v1/auth/me").status_code == 401
    assert production_client.post("/logout", headers=EVIL).status_code == 403
