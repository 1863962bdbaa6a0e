"""The load page and the buyer dashboard for a multi-drop load: each buyer sees its own stop."""

from server.extensions import db
from server.models import Load, LoadStop
from tests.conftest import TEST_PASSWORD
from tests.server.stops.multi_drop_factory import two_buyer_load


def _sign_in(client, party):
    client.post("/api/v1/auth/logout")
    assert client.post("/api/v1/auth/login", json={"email": party.user.email,
                                                   "password": TEST_PASSWORD}).status_code == 200


def test_each_buyer_page_shows_its_own_stop_and_the_seller_sees_all(client, trade, make_party):
    multi = two_buyer_load(client, trade, make_party)
    load_id = multi["load_id"]
    load = db.session.get(Load, load_id)
    load.status = "in_transit"
    db.session.commit()
    stop_b = db.session.query(LoadStop).filter_by(load_id=load_id, buyer_org_id=multi["buyer_b"].id).one().id
    signed = client.post(f"/api/v1/loads/{load_id}/stops/{stop_b}/pod",
                         headers=multi["buyer_b"].headers, json={"signed_by": "Bonn receiver", "received_quantity": 8})
    assert signed.status_code == 201

    _sign_in(client, multi["buyer_b"])
    dashboard = client.get("/buyer").get_data(as_text=True)
    assert load.reference in dashboard
    page = client.get(f"/loads/{load_id}?lang=zh_CN").get_data(as_text=True)
    assert "您的站点" in page and "Bonn yard" in page and "8000 kg" in page
    assert multi["buyer_a"].org.name not in page and "Bonn receiver" in page

    _sign_in(client, multi["buyer_a"])
    page = client.get(f"/loads/{load_id}").get_data(as_text=True)
    assert "Bonn" not in page and "Bonn receiver" not in page and multi["buyer_b"].org.name not in page
    assert "10000 kg" in page

    _sign_in(client, multi["seller"])
    page = client.get(f"/loads/{load_id}").get_data(as_text=True)
    assert "Bonn yard" in page and multi["buyer_b"].org.name in page and multi["buyer_a"].org.name in page


def test_a_buyers_stop_window_reads_on_its_sites_clock(client, trade, make_party):
    """The stop's window is on its site's clock, like the pickup's (it read UTC; found by the whole-chain test)."""
    import re
    from zoneinfo import ZoneInfo

    from server.models import Site

    multi = two_buyer_load(client, trade, make_party)
    db.session.get(Site, multi["yard_b"]).timezone = "Asia/Tokyo"
    db.session.commit()
    stop = db.session.query(LoadStop).filter_by(load_id=multi["load_id"], buyer_org_id=multi["buyer_b"].id).one()
    earliest = stop.earliest.replace(tzinfo=stop.earliest.tzinfo or ZoneInfo("UTC")).astimezone(ZoneInfo("Asia/Tokyo"))
    _sign_in(client, multi["buyer_b"])
    page = client.get(f"/loads/{multi['load_id']}").get_data(as_text=True)
    own = re.search(r"<dt>Your stop</dt><dd>(.*?)</dd>", page).group(1)
    assert f"{earliest:%Y-%m-%d %H:%M} JST – " in own and own.count("JST") == 2, own
