"""/metrics is for operators only (server/auth/operator.py), on both backends."""

import pytest

SCRAPER_TOKEN = "prometheus-scrape-token-0123456789"


@pytest.fixture
def scraper(ctx, monkeypatch):
    monkeypatch.setitem(ctx.config, "METRICS_TOKEN", SCRAPER_TOKEN)
    return {"Authorization": f"Bearer {SCRAPER_TOKEN}"}


def test_metrics_refuse_anonymous_and_tenants(client, make_party, scraper):
    """No credential or a wrong one is 401, a tenant's admin 403; nothing of the counters leaks."""
    for headers, status in (({}, 401), ({"Authorization": "Bearer not-the-token"}, 401),
                            (make_party("seller", roles=("admin",)).headers, 403),
                            (make_party("carrier", roles=("admin", "dispatcher")).headers, 403)):
        r = client.get("/metrics", headers=headers)
        assert r.status_code == status and r.mimetype == "application/problem+json"
        assert "haul_" not in r.get_data(as_text=True)


def test_metrics_answer_the_scraper_token_and_platform_admins(client, make_party, scraper):
    """The HAUL_METRICS_TOKEN and a platform admin's token both get the Prometheus text."""
    for headers in (scraper, make_party("platform", roles=("admin",)).headers):
        r = client.get("/metrics", headers=headers)
        assert r.status_code == 200 and "haul_socket_refused_joins_total" in r.get_data(as_text=True)
    assert client.get("/metrics", headers=make_party("platform", roles=("viewer",)).headers).status_code == 403


def test_without_a_configured_token_no_bearer_passes_as_the_scraper(client, ctx, monkeypatch):
    """An empty HAUL_METRICS_TOKEN never matches an empty bearer."""
    monkeypatch.setitem(ctx.config, "METRICS_TOKEN", "")
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 401
