"""One status model per load (server/tracking/load_state.py): the load page, the API, the app's list and the
public link agree on the stage, the ETA and the words (issue 18, defect 7), on both backends."""

from __future__ import annotations

from datetime import timedelta

from server.db.types import utcnow
from server.extensions import db
from server.models import Event
from tests.conftest import TEST_PASSWORD
from tests.server.market.market_factory import make_driver, make_truck


def _on_the_road(client, trade, make_load, make_party, arrived: bool):
    carrier = make_party("carrier")
    truck = make_truck(carrier.id)
    load = make_load(trade, carrier=carrier, status="in_transit", vehicle_id=truck.id,
                     driver_id=make_driver(carrier.id).id, eta=utcnow() + timedelta(minutes=30))
    start = utcnow() - timedelta(hours=2)
    db.session.add(Event(kind="status_changed", time=start, load_id=load.id, site_id=trade["plant"]["id"],
                         data={"previous": "loading", "status": "in_transit"}))
    db.session.add(Event(kind="eta_changed", time=start + timedelta(minutes=5), load_id=load.id,
                         site_id=trade["yard"]["id"], data={"eta": "2031-05-04T10:20:00+00:00"}))
    if arrived:
        db.session.add(Event(kind="arrived_delivery", time=utcnow() - timedelta(minutes=3), load_id=load.id,
                             site_id=trade["yard"]["id"], data={}))
        db.session.add(Event(kind="eta_changed", time=utcnow() - timedelta(minutes=2), load_id=load.id,
                             site_id=trade["yard"]["id"], data={"eta": "2031-05-04T11:40:00+00:00"}))
    db.session.commit()
    token = client.post(f"/api/v1/loads/{load.id}/tracking-links", headers=trade["buyer"].headers,
                        json={}).get_json()["token"]
    return load, token


def _page(client, party, path):
    client.post("/api/v1/auth/login", json={"email": party.user.email, "password": TEST_PASSWORD})
    html = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
    client.post("/api/v1/auth/logout")
    return html


def test_after_arriving_at_delivery_nothing_says_in_transit_or_gives_an_eta(client, trade, make_load, make_party):
    """Arrived at the delivery site: the API, the public link and the load page say "arrived at delivery", with
    no ETA; the ETA events after the arrival are not shown."""
    load, token = _on_the_road(client, trade, make_load, make_party, arrived=True)
    api = client.get(f"/api/v1/loads/{load.id}", headers=trade["buyer"].headers).get_json()
    assert api["status"] == "in_transit" and api["stage"] == "at_delivery" and api["eta"] is None
    public = client.get(f"/api/v1/track/{token}").get_json()
    assert public["stage"] == "at_delivery" and public["eta"] is None
    assert [e["data"]["eta"] for e in public["timeline"] if e["kind"] == "eta_changed"] == ["2031-05-04T10:20:00+00:00"]
    page = client.get(f"/track/{token}").get_data(as_text=True)
    assert "arrived at delivery" in page and "Estimated arrival" not in page
    html = _page(client, trade["buyer"], f"/loads/{load.id}")
    header = html.split("<h1>", 1)[1].split("</h1>", 1)[0]
    assert "arrived at delivery" in header and "in transit" not in header
    facts = html.split('id="load-facts"', 1)[1].split("</dl>", 1)[0]
    assert "in transit" not in facts and "data-eta-for-vehicle" not in facts
    dashboard = _page(client, trade["buyer"], "/buyer")
    assert "arrived at delivery" in dashboard
    assert "已到达收货地" in client.get(f"/track/{token}?lang=zh_CN").get_data(as_text=True)


def test_a_load_on_the_road_never_offers_a_pickup_authorization(client, trade, make_load, make_party):
    """The buyer's page of a load in transit does not say that a pickup can be authorized once a carrier has it."""
    load, _token = _on_the_road(client, trade, make_load, make_party, arrived=False)
    html = _page(client, trade["buyer"], f"/loads/{load.id}")
    assert "once a carrier has the load" not in html and "The goods were collected" in html
    assert "货物已提取，不再需要提货授权" in _page(client, trade["buyer"], f"/loads/{load.id}?lang=zh_CN")
    assert "in transit" in html.split("<h1>", 1)[1].split("</h1>", 1)[0]


def test_the_public_timeline_gives_the_new_eta_its_time_and_the_delivery_once(client, trade, make_load,
                                                                              make_party):
    """The public page lists "New ETA" with its time, and after the proof of delivery says delivered once."""
    load, token = _on_the_road(client, trade, make_load, make_party, arrived=False)
    page = client.get(f"/track/{token}").get_data(as_text=True)
    timeline = page.split('id="track-timeline"', 1)[1].split("</ol>", 1)[0]
    assert "New ETA: 2031-05-04 10:20" in timeline
    r = client.post(f"/api/v1/loads/{load.id}/pod", headers=trade["buyer"].headers,
                    json={"signed_by": "Yard foreman", "received_quantity": 40})
    assert r.status_code == 201, r.get_json()
    page = client.get(f"/track/{token}").get_data(as_text=True)
    timeline = page.split('id="track-timeline"', 1)[1].split("</ol>", 1)[0]
    assert timeline.lower().count("delivered") == 1, timeline
    snapshot = client.get(f"/api/v1/track/{token}").get_json()
    assert snapshot["eta"] is None and snapshot["stage"] == "delivered"


def test_the_buyers_loads_table_follows_the_same_eta_rule(client, trade, make_load, make_party):
    """The dashboard's loads table gives no ETA (and no live ETA cell) once the truck is at the delivery site."""
    load, _token = _on_the_road(client, trade, make_load, make_party, arrived=True)
    dashboard = _page(client, trade["buyer"], "/buyer")
    row = dashboard.split(f'<tr data-load-id="{load.id}">', 1)[1].split("</tr>", 1)[0]
    assert "data-eta-for-vehicle" not in row and ":30" not in row.rsplit("<td", 1)[1]


def test_the_buyers_loads_table_keeps_the_eta_on_the_way(client, trade, make_load, make_party):
    load, _token = _on_the_road(client, trade, make_load, make_party, arrived=False)
    dashboard = _page(client, trade["buyer"], "/buyer")
    row = dashboard.split(f'<tr data-load-id="{load.id}">', 1)[1].split("</tr>", 1)[0]
    last_cell = row.rsplit("<td", 1)[1]
    assert "data-eta-for-vehicle" in last_cell and "–" not in last_cell
