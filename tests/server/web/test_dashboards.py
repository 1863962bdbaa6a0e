"""Role dashboards, the load page and their live fragments, on both backends (rendered by the test client)."""

from datetime import UTC, datetime, timedelta

from tests.conftest import TEST_PASSWORD


def _sign_in(client, party):
    assert client.post("/api/v1/auth/login", json={"email": party.user.email, "password": TEST_PASSWORD}).status_code == 200


def _page(client, path):
    r = client.get(path, headers={"Accept": "text/html"})
    return r.status_code, r.get_data(as_text=True)


def _dock_with_appointment(client, trade, make_load):
    from server.extensions import db
    from server.models import DockAppointment

    seller = trade["seller"]
    hours = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    dock = client.post(f"/api/v1/sites/{trade['plant']['id']}/docks", headers=seller.headers,
                       json={"name": "Ramp 7", "equipment": "pallet_dock", "opening_hours": hours}).get_json()
    load = make_load(trade, reference="L-GANTT")
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    db.session.add(DockAppointment(load_id=load.id, dock_id=dock["id"], start=start, end=start + timedelta(minutes=30)))
    db.session.commit()
    return dock, load


def test_seller_dashboard_shows_the_dock_gantt_and_its_fragment(client, trade, make_load):
    """The seller's page draws each dock as a row with the day's slots; the fragment re-renders it alone."""
    dock, load = _dock_with_appointment(client, trade, make_load)
    _sign_in(client, trade["seller"])
    status, html = _page(client, "/seller")
    assert status == 200
    assert f'data-dock-id="{dock["id"]}"' in html and f'data-load-id="{load.id}"' in html and "L-GANTT" in html
    status, fragment = _page(client, f"/fragments/docks/{trade['plant']['id']}")
    assert status == 200 and "<html" not in fragment and "Ramp 7" in fragment
    assert _page(client, "/fragments/docks/999999")[0] == 404


def test_load_page_is_for_its_parties_only(client, trade, make_load, make_party):
    """The buyer opens its load's page; another buyer gets the HTML 404 page that says nothing of the load."""
    load = make_load(trade, reference="L-SECRET")
    _sign_in(client, trade["buyer"])
    status, html = _page(client, f"/loads/{load.id}")
    assert status == 200 and "L-SECRET" in html and "pickup-form" not in html  # no carrier yet: no authorizing
    client.post("/logout")
    _sign_in(client, make_party("buyer"))
    for path in (f"/loads/{load.id}", f"/fragments/loads/{load.id}/timeline"):
        status, html = _page(client, path)
        assert status == 404 and "L-SECRET" not in html and "Traceback" not in html
        assert "<h1" in html


def test_dashboards_and_fragments_refuse_other_kinds_with_a_403_page(client, trade):
    """A buyer is refused the seller's, carrier's and admin's pages and fragments with an HTML 403."""
    _sign_in(client, trade["buyer"])
    for path in ("/seller", "/carrier", "/admin", "/fragments/carrier/board", "/fragments/seller/loads",
                 "/fragments/admin/tokens"):
        status, html = _page(client, path)
        assert status == 403, path
        assert "403" in html and "Traceback" not in html
    assert _page(client, "/fragments/loads/1/no-such-section")[0] == 404


def test_carrier_board_lists_an_open_tender(client, trade, make_load, make_party):
    """A qualified carrier sees a fixed-price tender with a Grab button, and the seller sees its status."""
    carrier = make_party("carrier")
    vtype = client.post("/api/v1/vehicle-types", headers=carrier.headers, json={
        "name": "Curtainsider", "max_weight_kg": 24000, "max_volume_m3": 90, "pallet_positions": 33,
        "equipment": ["pallet_dock"]}).get_json()
    client.post("/api/v1/vehicles", headers=carrier.headers, json={"vehicle_type_id": vtype["id"], "plate": "W-1"})
    load = make_load(trade, reference="L-BOARD")
    tender = client.post(f"/api/v1/loads/{load.id}/tenders", headers=trade["seller"].headers,
                         json={"mode": "grab", "price": 800, "radius_km": 0})
    assert tender.status_code == 201, tender.get_json()
    _sign_in(client, carrier)
    status, html = _page(client, "/fragments/carrier/board")
    assert status == 200 and "L-BOARD" in html and f'/api/v1/tenders/{tender.get_json()["id"]}/grab' in html
    client.post("/logout")
    _sign_in(client, trade["seller"])
    status, html = _page(client, "/fragments/seller/loads")
    assert "L-BOARD" in html and "fixed price (grab)" in html


def test_buyer_dashboard_in_simplified_chinese(client, trade, make_load):
    """With ?lang=zh_CN the buyer's dashboard, its labels and the load statuses are Chinese."""
    make_load(trade, reference="L-ZH", status="draft")
    _sign_in(client, trade["buyer"])
    status, html = _page(client, "/buyer?lang=zh_CN")
    assert status == 200
    assert '<html lang="zh-CN">' in html and "货运" in html and "草稿" in html


def test_admin_page_lists_organisations_for_the_platform_only(client, make_party, trade):
    """The platform admin sees every organisation and the token form; the tokens fragment renders."""
    admin = make_party("platform", roles=("admin",))
    _sign_in(client, admin)
    status, html = _page(client, "/admin")
    assert status == 200 and trade["seller"].org.name in html and 'id="token-form"' in html
    assert _page(client, "/fragments/admin/tokens")[0] == 200


def test_forms_label_every_control(client, trade, make_load):
    """Every input and select on the seller's dashboard has a label or an aria-label."""
    import re

    _dock_with_appointment(client, trade, make_load)
    _sign_in(client, trade["seller"])
    html = _page(client, "/seller")[1]
    labelled = set(re.findall(r'<label[^>]*for="([^"]+)"', html))
    for tag in re.findall(r"<(?:input|select)\b[^>]*>", html):
        if 'type="hidden"' in tag or 'type="checkbox"' in tag and "aria-label" in tag:
            continue
        ident = re.search(r'id="([^"]+)"', tag)
        assert "aria-label" in tag or (ident and ident.group(1) in labelled), tag


def test_the_trading_sections_ask_accept_and_show_the_buyers_sites(client, make_party):
    """The buyer's page shows its id and the seller's request with Accept/Decline; once accepted, the
    seller's section lists the buyer's delivery sites with their ids."""
    seller, buyer = make_party("seller"), make_party("buyer")
    site = client.post("/api/v1/sites", headers=buyer.headers, json={
        "name": "Köln yard", "kind": "customer", "location": {"lat": 50.9, "lon": 6.9}}).get_json()
    rel = client.post("/api/v1/trading-relationships", headers=seller.headers,
                      json={"buyer_id": buyer.id, "message": "Cement"}).get_json()
    _sign_in(client, buyer)
    status, html = _page(client, "/buyer")
    assert status == 200 and f'<code id="own-org-id">{buyer.id}</code>' in html
    assert f'data-api="/api/v1/trading-relationships/{rel["id"]}/accept"' in html and seller.org.name in html
    client.post("/logout")
    client.post(f"/api/v1/trading-relationships/{rel['id']}/accept", headers=buyer.headers)
    _sign_in(client, seller)
    status, fragment = _page(client, "/fragments/trading")
    assert status == 200 and buyer.org.name in fragment and f"<code>{site['id']}</code> Köln yard" in fragment
    assert 'id="trading-form"' in _page(client, "/seller")[1]


def test_seller_orders_say_partly_planned_with_what_is_missing_and_why(client, trade):
    """After a commit that left a line out, the seller's order list says "partly planned" with the quantity and
    reason, in Chinese too; the preview says "partial", never "optimal" (issue 18, defect 3)."""
    order = {**trade["order"], "reference": "SO-PART"}
    order["lines"] = [{**order["lines"][0], "quantity": 5},
                      {**order["lines"][0], "sku": "HEAVY", "quantity": 2, "unit_weight_kg": 26_000, "splittable": False}]
    order_id = client.post("/api/v1/orders", headers=trade["seller"].headers, json=order).get_json()["id"]
    plan = client.post("/api/v1/load-plans", headers=trade["seller"].headers,
                       json={"order_ids": [order_id], "time_limit_s": 1}).get_json()
    _sign_in(client, trade["seller"])
    status, preview = _page(client, f"/fragments/load-plan/{plan['id']}")
    assert status == 200 and "partial" in preview and "optimal" not in preview
    client.post(f"/api/v1/load-plans/{plan['id']}/commit", headers=trade["seller"].headers)
    status, html = _page(client, "/seller")
    assert "partly planned" in html and "HEAVY ×2 not planned" in html and "the largest allowed vehicle" in html
    status, html = _page(client, "/seller?lang=zh_CN")
    assert "部分已计划" in html and "未计划" in html
