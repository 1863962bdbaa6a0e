"""Multi-drop loads (issue 18, defect 6): two buyers' orders on one load, one stop each; each buyer
sees its own stop, goods, ETA and proof of delivery and nothing of the other's. On both backends."""

import pytest

from server.extensions import db
from server.models import Load, LoadStop
from tests.server.stops.multi_drop_factory import two_buyer_load


@pytest.fixture
def multi(client, trade, make_party):
    return two_buyer_load(client, trade, make_party)


def _get(client, party, path):
    return client.get(path, headers=party.headers)


def test_consolidating_two_buyers_orders_makes_one_stop_each(client, multi):
    stops = db.session.query(LoadStop).filter_by(load_id=multi["load_id"]).order_by(LoadStop.seq).all()
    assert [s.kind for s in stops] == ["pickup", "delivery", "delivery"]
    by_buyer = {s.buyer_org_id: s for s in stops if s.kind == "delivery"}
    assert by_buyer[multi["buyer_a"].id].site_id == multi["yard_a"]
    assert by_buyer[multi["buyer_b"].id].site_id == multi["yard_b"]
    assert by_buyer[multi["buyer_b"].id].weight_kg == 8000


def test_each_buyer_sees_the_load_with_its_own_stop_only(client, multi):
    """Before multi-drop stops the second buyer got 404 on the load carrying its goods."""
    for buyer, yard, weight in ((multi["buyer_b"], multi["yard_b"], 8000), (multi["buyer_a"], multi["yard_a"], 10000)):
        r = _get(client, buyer, f"/api/v1/loads/{multi['load_id']}")
        assert r.status_code == 200, r.get_json()
        load = r.get_json()
        assert load["delivery_site_id"] == yard and load["weight_kg"] == weight and load["buyer_id"] == buyer.id
        assert [s["kind"] for s in load["stops"]] == ["pickup", "delivery"]
        stops = _get(client, buyer, f"/api/v1/loads/{multi['load_id']}/stops").get_json()
        assert [s["site_id"] for s in stops if s["kind"] == "delivery"] == [yard]
        listed = [row["id"] for row in _get(client, buyer, "/api/v1/loads").get_json()["items"]]
        assert multi["load_id"] in listed


def test_the_loads_own_buyer_does_not_depend_on_the_solvers_allocation_order(client, trade, make_party,
                                                                             monkeypatch):
    """Before: the buyer of the first allocation became the load's buyer, so one run made buyer B the
    owner of A's bigger consolidated load (and the CI run saw B get A's whole-load proof)."""
    from dataclasses import replace

    import server.planning.load_plans as load_plans

    real = load_plans.lb.solve

    def reversed_allocations(problem, limits):
        plan = real(problem, limits)
        return replace(plan, loads=[replace(load, allocations=load.allocations[::-1]) for load in plan.loads])

    monkeypatch.setattr(load_plans.lb, "solve", reversed_allocations)
    multi = two_buyer_load(client, trade, make_party)
    assert db.session.get(Load, multi["load_id"]).buyer_org_id == multi["buyer_a"].id  # 10 units against 8


def test_the_seller_sees_every_stop(client, multi):
    stops = _get(client, multi["seller"], f"/api/v1/loads/{multi['load_id']}/stops").get_json()
    assert len(stops) == 3


def test_a_proof_of_delivery_per_stop_reaches_its_own_buyer_only(client, multi, make_party):
    load = db.session.get(Load, multi["load_id"])
    load.status = "in_transit"
    db.session.commit()
    stops = {s.buyer_org_id: s.id for s in db.session.query(LoadStop).filter_by(load_id=load.id, kind="delivery")}
    stop_a, stop_b = stops[multi["buyer_a"].id], stops[multi["buyer_b"].id]
    base = f"/api/v1/loads/{multi['load_id']}/stops"
    # A buyer cannot sign for the other buyer's stop (it cannot even see it).
    refused = client.post(f"{base}/{stop_b}/pod", headers=multi["buyer_a"].headers,
                          json={"signed_by": "Mallory", "received_quantity": 8})
    assert refused.status_code == 404
    signed = client.post(f"{base}/{stop_b}/pod", headers=multi["buyer_b"].headers,
                         json={"signed_by": "Bonn receiver", "received_quantity": 8})
    assert signed.status_code == 201, signed.get_json()
    assert db.session.get(Load, load.id).status == "in_transit"  # one stop still to go
    assert _get(client, multi["buyer_b"], f"{base}/{stop_b}/pod").get_json()["signed_by"] == "Bonn receiver"
    assert _get(client, multi["buyer_a"], f"{base}/{stop_b}/pod").status_code == 404
    evidence = _get(client, multi["buyer_a"], f"/api/v1/loads/{load.id}/evidence").get_data(as_text=True)
    assert "Bonn receiver" not in evidence
    again = client.post(f"{base}/{stop_b}/pod", headers=multi["buyer_b"].headers,
                        json={"signed_by": "Twice", "received_quantity": 8})
    assert again.status_code == 409
    last = client.post(f"{base}/{stop_a}/pod", headers=multi["buyer_a"].headers,
                       json={"signed_by": "Köln receiver", "received_quantity": 10})
    assert last.status_code == 201
    db.session.expire_all()
    assert db.session.get(Load, load.id).status == "delivered"


def test_a_whole_load_proof_is_refused_and_events_at_the_other_buyers_site_stay_hidden(client, multi, make_party):
    """The carrier tries the plain (whole-load) proof on a multi-drop load: 409 telling it to sign per stop,
    nothing delivered. Buyer B, with only a stop on the load, does not see the events at A's site."""
    from datetime import UTC, datetime

    from server.models import Event, ProofOfDelivery

    carrier = make_party("carrier")
    load = db.session.get(Load, multi["load_id"])
    load.status, load.carrier_org_id = "in_transit", carrier.id
    db.session.add(Event(kind="arrived_delivery", time=datetime.now(UTC), load_id=load.id,
                         site_id=multi["yard_a"], data={}))
    db.session.commit()
    load_id = load.id
    refused = client.post(f"/api/v1/loads/{load_id}/pod", headers=carrier.headers,
                          json={"signed_by": "Koeln receiver", "received_quantity": 10})
    assert refused.status_code == 409 and refused.mimetype == "application/problem+json"
    problem = refused.get_json()
    assert problem["reason"] == "sign_per_stop" and f"/api/v1/loads/{load_id}/stops/" in problem["detail"]
    assert problem["stops_url"] == f"/api/v1/loads/{load_id}/stops"
    zh = client.post(f"/api/v1/loads/{load_id}/pod?lang=zh_CN", headers=carrier.headers,
                     json={"signed_by": "Koeln receiver", "received_quantity": 10})
    assert zh.status_code == 409 and "每个站点" in zh.get_json()["detail"]
    db.session.expire_all()
    assert db.session.get(Load, load_id).status == "in_transit"
    assert db.session.query(ProofOfDelivery).filter_by(load_id=load_id).count() == 0

    from tests.conftest import TEST_PASSWORD

    assert client.post("/api/v1/auth/login", json={"email": multi["buyer_b"].user.email,
                                                   "password": TEST_PASSWORD}).status_code == 200
    page = client.get(f"/loads/{load_id}").get_data(as_text=True)
    assert "Arrived at delivery" not in page


def test_a_route_plan_serves_every_stop_on_one_truck_and_gives_each_buyer_its_eta(client, multi, make_party,
                                                                                  wait_for_job):
    carrier = make_party("carrier")
    h = carrier.headers
    client.post("/api/v1/sites", headers=h, json={"name": "Depot", "kind": "warehouse",
                                                  "location": {"lat": 51.51, "lon": 7.46}})
    vtype = client.post("/api/v1/vehicle-types", headers=h, json={
        "name": "Curtainsider", "max_weight_kg": 24000, "max_volume_m3": 90, "pallet_positions": 33}).get_json()
    trucks = [client.post("/api/v1/vehicles", headers=h, json={"vehicle_type_id": vtype["id"], "plate": f"MD-{n}"}
                          ).get_json()["id"] for n in range(2)]
    load_id = multi["load_id"]
    load = db.session.get(Load, load_id)
    load.status, load.carrier_org_id = "awarded", carrier.id
    db.session.commit()
    r = client.post("/api/v1/route-plans", headers=h, json={"load_ids": [load_id], "vehicle_ids": trucks,
                                                            "time_limit_s": 2})
    job = wait_for_job(h, r.get_json()["id"], {"succeeded", "failed"}, path="/api/v1/route-plans")
    assert job["status"] == "succeeded" and job["result"]["left_out"] == [], job
    committed = client.post(f"/api/v1/route-plans/{job['id']}/commit", headers=h).get_json()
    routes = [route for route in committed["routes"] if route["stops"]]
    assert len(routes) == 1
    visits = [(s["kind"], s["site_id"]) for s in routes[0]["stops"]]
    assert [k for k, _ in visits] == ["pickup", "delivery", "delivery"]
    assert {site for k, site in visits if k == "delivery"} == {multi["yard_a"], multi["yard_b"]}
    for buyer, yard in ((multi["buyer_a"], multi["yard_a"]), (multi["buyer_b"], multi["yard_b"])):
        seen = _get(client, buyer, f"/api/v1/loads/{load_id}").get_json()
        arrival = next(s["arrival"] for s in routes[0]["stops"] if s["site_id"] == yard)
        assert seen["eta"] is not None and seen["eta"][:16] == arrival[:16]


def test_the_live_room_snapshot_gives_a_stop_buyer_its_own_stop_only(ctx, client, multi):
    """Each buyer may follow the truck; the joining snapshot carries only its own ETA and events."""
    from datetime import UTC, datetime, timedelta

    from server.extensions import socketio
    from server.models import Event
    from server.tracking.snapshot import register_snapshot_provider

    register_snapshot_provider()
    load = db.session.get(Load, multi["load_id"])
    load_eta = datetime.now(UTC) + timedelta(hours=1)
    load.status, load.eta = "in_transit", load_eta
    stop_b = db.session.query(LoadStop).filter_by(load_id=load.id, buyer_org_id=multi["buyer_b"].id).one()
    stop_b.eta = datetime.now(UTC) + timedelta(hours=3)
    db.session.add(Event(kind="arrived_delivery", time=datetime.now(UTC), load_id=load.id, site_id=multi["yard_a"],
                         data={}))
    db.session.commit()
    sock = socketio.test_client(ctx, auth={"token": multi["buyer_b"].token})
    ack = sock.emit("join", {"load_id": multi["load_id"]}, callback=True)
    assert ack["ok"] is True
    snapshot = ack["snapshot"]
    assert [e["kind"] for e in snapshot["timeline"]] == []
    assert snapshot["eta"] is not None and snapshot["eta"] > load_eta.isoformat()


def test_each_buyers_tracking_link_shares_its_own_stop_only(client, multi):
    """Buyer B, with only a stop, may share tracking (it used to get 403): its public snapshot has its stop's
    site and no trace of A's; A (the lead buyer) neither lists nor withdraws B's link, nor B A's."""
    load_id = multi["load_id"]
    b_link = client.post(f"/api/v1/loads/{load_id}/tracking-links", headers=multi["buyer_b"].headers, json={})
    assert b_link.status_code == 201, b_link.get_json()
    a_link = client.post(f"/api/v1/loads/{load_id}/tracking-links", headers=multi["buyer_a"].headers, json={})
    b_id, a_id = b_link.get_json()["id"], a_link.get_json()["id"]
    snapshot = client.get(f"/api/v1/track/{b_link.get_json()['token']}").get_json()
    assert snapshot["delivery_site"]["id"] == multi["yard_b"] and str(multi["yard_a"]) not in str(snapshot["timeline"])
    for party, own, other in ((multi["buyer_a"], a_id, b_id), (multi["buyer_b"], b_id, a_id)):
        listed = client.get(f"/api/v1/loads/{load_id}/tracking-links", headers=party.headers).get_json()
        assert [link["id"] for link in listed] == [own]
        assert client.delete(f"/api/v1/loads/{load_id}/tracking-links/{other}", headers=party.headers).status_code == 404
