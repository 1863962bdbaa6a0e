"""Every answer carries the browser-side protections; the session cookie is Secure in production."""

import pytest

from tests.conftest import TEST_PASSWORD


@pytest.mark.parametrize("path", ["/login", "/api/v1/auth/me", "/api/v1/no-such-thing", "/static/js/haul.js",
                                  "/api/openapi.json"])
def test_every_answer_has_the_security_headers(client, path):
    """CSP without inline script and no framing, nosniff, DENY and a referrer policy on pages, API and files."""
    r = client.get(path)
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "same-origin"


def test_the_map_tiles_server_is_allowed_for_images(client):
    """The configured tile server may serve images, and nothing else from it."""
    csp = client.get("/login").headers["Content-Security-Policy"]
    assert "img-src 'self' data: blob:" in csp and "script-src 'self';" in csp


def test_no_page_has_an_inline_script(client, trade, make_load):
    """Pages load scripts from files only (JSON data blocks are not scripts), so the CSP breaks nothing."""
    import re

    load = make_load(trade)
    client.post("/api/v1/auth/login", json={"email": trade["buyer"].user.email, "password": TEST_PASSWORD})
    for path in ("/login", "/buyer", f"/loads/{load.id}"):
        html = client.get(path).get_data(as_text=True)
        for tag in re.findall(r"<script[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (path, tag)


def test_the_session_cookie_is_secure_and_http_only_in_production(tmp_path, monkeypatch):
    """HAUL_ENV=production: Secure, HttpOnly and SameSite=Lax on the session cookie, and HSTS."""
    from server.app import create_app

    monkeypatch.setenv("HAUL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-real-production-secret-of-enough-length")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}", "HAUL_INSTANCE_DIR": str(tmp_path),
                      "WEBHOOK_THREAD": False})  # no tables: no delivery rounds
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    with app.test_request_context():
        from flask import session

        session["x"] = 1
        response = app.make_response("")
        app.session_interface.save_session(app, session, response)
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Strict-Transport-Security" in app.test_client().get("/api/v1/auth/me").headers
