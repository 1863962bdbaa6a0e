"""Issue 18: every time on a page is read on the clock of the site it belongs to, with the zone shown:
pickup times at the pickup site, delivery times and the ETA to it at the delivery site, an event at its site."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.extensions import db
from server.models import Event, Load, Site, User
from tests.conftest import _TEST_PASSWORD_HASH, TEST_PASSWORD
from tests.server.market.market_factory import point
from tests.server.yard.yard_factory import keep, make_load, make_plant

WINTER = datetime(2030, 12, 9, 7, 0, tzinfo=UTC)  # 08:00 in Berlin (CET), 02:00 in New York (EST)


def _sign_in(client, caller):
    user = db.session.get(User, caller.user_id)
    user.password_hash = _TEST_PASSWORD_HASH
    db.session.commit()
    assert client.post("/api/v1/auth/login", json={"email": user.email, "password": TEST_PASSWORD}).status_code == 200


def _html(client, path):
    answer = client.get(path, headers={"Accept": "text/html"})
    assert answer.status_code == 200, path
    return answer.get_data(as_text=True)


def _berlin_plant_to_new_york():
    """A load from a Berlin-time plant to a New York-time yard, on the road, with an arrival at the plant."""
    plant = make_plant(timezone="Europe/Berlin")
    yard = keep(Site(organisation_id=plant.buyer.id, name="NY yard", kind="customer", timezone="America/New_York",
                     location=point(40.7, -74.0)))
    load = make_load(plant, start=WINTER, status="in_transit")
    row = db.session.get(Load, load.id)
    row.delivery_site_id, row.eta = yard.id, WINTER + timedelta(hours=13)  # 20:00 UTC: 15:00 EST
    db.session.add(Event(kind="arrived_pickup", time=WINTER + timedelta(hours=1), load_id=load.id,
                         site_id=plant.site.id, vehicle_id=plant.truck.id, data={}))
    db.session.commit()
    return plant, load


def test_the_load_page_reads_pickup_events_in_berlin_and_the_eta_at_the_delivery_site(ctx, client):
    plant, load = _berlin_plant_to_new_york()
    _sign_in(client, plant.seller)
    facts = _html(client, f"/fragments/loads/{load.id}/facts")
    assert "2030-12-09 15:00 EST" in facts and "20:00 UTC" not in facts  # the ETA, on the New York clock
    assert "2030-12-09 08:00 CET – 12:00 CET" in facts
    timeline = _html(client, f"/fragments/loads/{load.id}/timeline")
    assert "2030-12-09 09:00 CET" in timeline and "08:00 UTC" not in timeline


def test_the_buyers_loads_list_reads_each_time_at_its_own_site(ctx, client):
    """The pickup window on the plant's clock (Berlin), the ETA on the delivery site's (New York)."""
    plant, load = _berlin_plant_to_new_york()
    _sign_in(client, plant.buyer)
    page = _html(client, "/fragments/buyer/loads")
    assert load.reference in page
    assert "2030-12-09 08:00 CET – 12:00 CET" in page and "2030-12-09 15:00 EST" in page and " UTC" not in page


def test_a_time_without_a_site_is_read_on_the_viewers_own_clock(ctx, app):
    from server.web.zones import site_time, when

    plant = make_plant(timezone="Europe/Berlin")
    with app.test_request_context():
        assert site_time(WINTER, plant.site.id) == "2030-12-09 08:00 CET"
        assert when(WINTER) == "2030-12-09 07:00 UTC"  # nobody signed in: UTC, still with its zone
        assert site_time(None, plant.site.id) == "–"


def test_the_public_tracking_page_reads_the_eta_on_the_delivery_sites_clock(ctx, client):
    from server.auth.principal import issue_token

    plant, load = _berlin_plant_to_new_york()
    token, _ = issue_token(plant.buyer.id, "test", ["admin"], user_id=plant.buyer.user_id, kind="session")
    link = client.post(f"/api/v1/loads/{load.id}/tracking-links", headers={"Authorization": f"Bearer {token}"},
                       json={"ttl_hours": 24})
    assert link.status_code == 201, link.get_json()
    page = client.get(link.get_json()["url"]).get_data(as_text=True)
    assert "2030-12-09 15:00 EST" in page and "20:00 UTC" not in page
