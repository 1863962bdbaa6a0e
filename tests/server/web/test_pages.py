"""Dashboard pages: sign-in, role dashboards, error pages and languages, on both backends."""

import re

from tests.conftest import TEST_PASSWORD


def _csrf(client, path="/login"):
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def _sign_in(client, email):
    return client.post("/login", data={"email": email, "password": TEST_PASSWORD, "csrf_token": _csrf(client)})


def test_bad_sign_in_shows_errors_next_to_the_fields(client, make_party):
    """A wrong password or an invalid email re-renders the form with the error by its field."""
    party = make_party("buyer")
    r = client.post("/login", data={"email": party.user.email, "password": "nope", "csrf_token": _csrf(client)})
    assert r.status_code == 422
    assert 'id="password-error"' in r.get_data(as_text=True)
    r = client.post("/login", data={"email": "", "password": "x", "csrf_token": _csrf(client)})
    assert 'id="email-error"' in r.get_data(as_text=True)


def test_form_without_csrf_token_is_refused(client, make_party):
    """A forged cross-site form post (no CSRF token) does not sign in."""
    party = make_party("buyer")
    r = client.post("/login", data={"email": party.user.email, "password": TEST_PASSWORD})
    assert r.status_code == 422
    assert client.get("/buyer").status_code == 302


def test_sign_in_leads_to_the_role_dashboard(client, make_party, trade):
    """A seller lands on the seller dashboard, which lists its orders."""
    client.post("/api/v1/orders", headers=trade["seller"].headers, json=trade["order"])
    r = _sign_in(client, trade["seller"].user.email)
    assert r.status_code == 302
    page = client.get("/", follow_redirects=True)
    assert page.request.path == "/seller"
    assert "SO-1" in page.get_data(as_text=True)


def test_other_roles_dashboard_is_a_403_page(client, make_party):
    """A buyer opening the seller dashboard gets a proper 403 page, not a traceback."""
    party = make_party("buyer")
    _sign_in(client, party.user.email)
    r = client.get("/seller")
    assert r.status_code == 403
    assert r.mimetype == "text/html" and "403" in r.get_data(as_text=True)


def test_missing_page_is_a_404_page_and_missing_api_is_problem_json(client):
    """People get an HTML 404; the API answers problem+json."""
    page = client.get("/no-such-page", headers={"Accept": "text/html"})
    assert page.status_code == 404 and page.mimetype == "text/html"
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.mimetype == "application/problem+json"


def test_pages_speak_simplified_chinese(client):
    """?lang=zh_CN switches the page to Chinese and remembers it."""
    assert "登录" in client.get("/login?lang=zh_CN").get_data(as_text=True)
    assert "登录" in client.get("/login").get_data(as_text=True)
    assert "Sign in" in client.get("/login?lang=en").get_data(as_text=True)


def test_unsafe_next_parameter_is_ignored(client, make_party):
    """After sign-in, ?next= only accepts paths on this site."""
    party = make_party("buyer")
    r = client.post("/login?next=//evil.example/x",
                    data={"email": party.user.email, "password": TEST_PASSWORD, "csrf_token": _csrf(client)})
    assert r.headers["Location"] in ("/", "http://localhost/")
