"""The gate and dock console page and its live board, rendered by the test client on both backends."""

import json

import pytest

from server import clock
from server.extensions import db
from server.models import User
from tests.conftest import _TEST_PASSWORD_HASH, SAME_SITE, TEST_PASSWORD
from tests.server.yard.yard_factory import MONDAY, authorize, make_load, make_plant


@pytest.fixture
def plant(ctx, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: MONDAY)
    plant = make_plant(timezone="Europe/Berlin")
    for caller in (plant.manager, plant.carrier):
        db.session.get(User, caller.user_id).password_hash = _TEST_PASSWORD_HASH
    db.session.commit()
    return plant


def _signed_in(ctx, caller):
    client = ctx.test_client()
    email = db.session.get(User, caller.user_id).email
    assert client.post("/api/v1/auth/login", json={"email": email, "password": TEST_PASSWORD}).status_code == 200
    return client


def test_the_console_shows_a_checked_in_truck_with_its_next_step(ctx, plant):
    """A waiting truck appears with slot choices and "Call to dock", in the site's local time with its zone."""
    load = make_load(plant)
    token = authorize(ctx, plant, load)
    client = _signed_in(ctx, plant.manager)
    assert client.post(f"/api/v1/sites/{plant.site.id}/gate/checkin", json={"token": token, "plate": "DU-AB 123"},
                       headers=SAME_SITE
                       ).status_code == 200
    page = client.get("/console")
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html[html.find("<main"):][:600]
    assert load.reference in html and "Call to dock" in html and "Book D1 11:00 CEST" in html and "CEST" in html
    assert "vendor/jsQR.js" in html and 'id="haul-reasons"' in html
    fragment = client.get(f"/console/{plant.site.id}/board")
    assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)


def test_the_console_speaks_chinese_with_one_word_for_a_dock(ctx, plant):
    """In Chinese the console says 月台 for a dock and never 装卸口."""
    load = make_load(plant)
    token = authorize(ctx, plant, load)
    client = _signed_in(ctx, plant.manager)
    client.post(f"/api/v1/sites/{plant.site.id}/gate/checkin", json={"token": token, "plate": "DU-AB 123"}, headers=SAME_SITE)
    html = client.get("/console?lang=zh_CN").get_data(as_text=True)
    assert "叫号到月台" in html and "装卸口" not in html and "Call to dock" not in html
    reasons = json.loads(html.split('id="haul-reasons">')[1].split("</script>")[0])
    assert reasons["forged"].startswith("伪造") and "月台" in reasons["dock_taken"]


def test_the_console_is_for_the_plants_staff(ctx, plant):
    """A carrier is refused (403 page); another site's board is a 404."""
    carrier = _signed_in(ctx, plant.carrier)
    assert carrier.get("/console").status_code == 403
    manager = _signed_in(ctx, plant.manager)
    assert manager.get("/console/999999/board").status_code == 404


def test_the_sellers_site_page_shows_the_plant_kpis(ctx, plant):
    """The seller's page has the plant's KPI tables, and their fragment renders alone (another site: 404)."""
    load = make_load(plant)
    token = authorize(ctx, plant, load)
    client = _signed_in(ctx, plant.manager)
    client.post(f"/api/v1/sites/{plant.site.id}/gate/checkin", json={"token": token, "plate": "DU-AB 123"}, headers=SAME_SITE)
    html = client.get("/seller").get_data(as_text=True)
    assert "Plant KPIs" in html and "Dwell, p90 (min)" in html and "/console?site=" in html
    fragment = client.get(f"/fragments/kpis/{plant.site.id}").get_data(as_text=True)
    assert "<html" not in fragment and "All days" in fragment
    assert client.get("/fragments/kpis/999999").status_code == 404


def test_the_yard_queue_shows_slots_in_the_sites_time_like_the_gantt(ctx, plant):
    """Defect 4: the seller's yard queue gave a Berlin plant's slot in UTC; it is the site's time with its zone."""
    load = make_load(plant)
    token = authorize(ctx, plant, load)
    client = _signed_in(ctx, plant.manager)
    assert client.post(f"/api/v1/loads/{load.id}/appointment", json={"dock_id": plant.docks["D1"].id,
                                                                      "start": "2030-06-03T09:30:00+00:00"},
                       headers=SAME_SITE).status_code == 201
    client.post(f"/api/v1/sites/{plant.site.id}/gate/checkin", json={"token": token, "plate": "DU-AB 123"}, headers=SAME_SITE)
    fragment = client.get(f"/fragments/queue/{plant.site.id}").get_data(as_text=True)
    assert "D1 11:30 CEST" in fragment and "09:30 UTC" not in fragment
