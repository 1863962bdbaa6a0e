"""Route plans keep committed trucks and dock slots, end open routes at the last delivery, and say
once why a load was left out (issue 18, defect 4)."""

from datetime import UTC, datetime, timedelta

import pytest


@pytest.fixture
def fleet_and_loads(client, make_party, trade):
    """A Dortmund carrier with two curtainsiders, and a helper to create its awarded loads."""
    from server.extensions import db
    from server.models import Load

    carrier = make_party("carrier")
    h = carrier.headers
    depot = client.post("/api/v1/sites", headers=h, json={"name": "Dortmund depot", "kind": "warehouse",
                                                          "location": {"lat": 51.5136, "lon": 7.4653}}).get_json()
    vtype = client.post("/api/v1/vehicle-types", headers=h, json={
        "name": "Curtainsider", "max_weight_kg": 24000, "max_volume_m3": 90, "pallet_positions": 33,
        "cost_per_km": 1.2}).get_json()
    vehicles = [client.post("/api/v1/vehicles", headers=h, json={"vehicle_type_id": vtype["id"],
                                                                  "plate": f"DO-C{n}"}).get_json()["id"]
                for n in range(2)]
    now = datetime.now(UTC).replace(microsecond=0)

    def load(reference, delivery_site_id=None, weight_kg=4000, vehicle_id=None):
        row = Load(seller_org_id=trade["seller"].id, buyer_org_id=trade["buyer"].id, carrier_org_id=carrier.id,
                   reference=reference, status="assigned" if vehicle_id else "awarded",
                   pickup_site_id=trade["plant"]["id"], delivery_site_id=delivery_site_id or trade["yard"]["id"],
                   pickup_earliest=now + timedelta(hours=1), pickup_latest=now + timedelta(hours=5),
                   delivery_earliest=now + timedelta(hours=4), delivery_latest=now + timedelta(hours=30),
                   weight_kg=weight_kg, volume_m3=10, pallets=4, vehicle_id=vehicle_id)
        db.session.add(row)
        db.session.commit()
        return row.id

    return {"carrier": carrier, "depot": depot, "vehicles": vehicles, "load": load, "now": now}


def _plan(client, wait_for_job, carrier, body):
    r = client.post("/api/v1/route-plans", headers=carrier.headers, json={"time_limit_s": 2} | body)
    assert r.status_code == 202, r.get_json()
    job = wait_for_job(carrier.headers, r.get_json()["id"], {"succeeded", "failed"}, path="/api/v1/route-plans")
    assert job["status"] == "succeeded", job
    return job


def _served_by(job):
    """Load id -> (vehicle id, [stop kinds]) from a finished job."""
    index, out = job["result"]["index"], {}
    for route in job["result"]["result"]["routes"]:
        for stop in route["stops"]:
            meta = index["stops"][stop["stop_index"]]
            vehicle, kinds = out.setdefault(meta["load_id"], (index["vehicles"][route["vehicle_id"]], []))
            kinds.append(meta["kind"])
    return out


def _hamburg(client, trade):
    return client.post("/api/v1/sites", headers=trade["buyer"].headers, json={
        "name": "Hamburg port", "kind": "customer", "location": {"lat": 53.5394, "lon": 9.9836}}).get_json()["id"]


def test_duisburg_to_hamburg_is_served_on_an_open_route(client, trade, fleet_and_loads, wait_for_job):
    """Out and back does not fit the 13 h shift; ending at the delivery does."""
    f = fleet_and_loads
    load_id = f["load"]("DU-HH", delivery_site_id=_hamburg(client, trade))
    job = _plan(client, wait_for_job, f["carrier"], {"load_ids": [load_id], "vehicle_ids": f["vehicles"][:1],
                                                     "route_ends": {str(f["vehicles"][0]): "open"}})
    assert job["result"]["left_out"] == [] and _served_by(job)[load_id][1] == ["pickup", "delivery"]
    route = job["result"]["result"]["routes"][0]
    assert route["end_time"] == pytest.approx(route["stops"][-1]["departure"])


def test_the_vehicle_setting_makes_routes_open(client, trade, fleet_and_loads, wait_for_job):
    f = fleet_and_loads
    load_id = f["load"]("DU-HH", delivery_site_id=_hamburg(client, trade))
    patched = client.patch(f"/api/v1/vehicles/{f['vehicles'][0]}", headers=f["carrier"].headers,
                           json={"route_end": "open"})
    assert patched.status_code == 200 and patched.get_json()["route_end"] == "open"
    job = _plan(client, wait_for_job, f["carrier"], {"load_ids": [load_id], "vehicle_ids": f["vehicles"][:1]})
    assert job["result"]["left_out"] == []


def test_a_left_out_load_has_one_reason(client, trade, fleet_and_loads, wait_for_job):
    """Returning to the depot, the Hamburg load cannot fit the shift: one entry, one reason."""
    f = fleet_and_loads
    load_id = f["load"]("DU-HH", delivery_site_id=_hamburg(client, trade))
    job = _plan(client, wait_for_job, f["carrier"], {"load_ids": [load_id], "vehicle_ids": f["vehicles"][:1]})
    assert job["result"]["left_out"] == [
        {"load_id": load_id, "reason": "pickup and delivery cannot be served by one vehicle in time",
         "code": "pair_unservable", "cause": ""}]
    assert {d["code"] for d in job["result"]["result"]["dropped"]} == {"pair_unservable"}
    in_chinese = client.get(f"/api/v1/jobs/{job['id']}?lang=zh_CN", headers=f["carrier"].headers).get_json()
    assert in_chinese["result"]["left_out"][0]["reason"] == "没有一辆车能按时完成提货和送货"
    assert {d["reason"] for d in in_chinese["result"]["result"]["dropped"]} == {"没有一辆车能按时完成提货和送货"}
    committed = client.post(f"/api/v1/route-plans/{job['id']}/commit?lang=zh_CN",
                            headers=f["carrier"].headers).get_json()
    assert [(d["load_id"], d["reason"]) for d in committed["dropped"]] == [(load_id, "没有一辆车能按时完成提货和送货")]
    from tests.conftest import TEST_PASSWORD

    carrier = f["carrier"]
    assert client.post("/api/v1/auth/login", json={"email": carrier.user.email,
                                                   "password": TEST_PASSWORD}).status_code == 200
    page = client.get(f"/fragments/carrier/route-plan/{job['id']}?lang=zh_CN").get_data(as_text=True)
    assert page.count("DU-HH") == 1 and "没有卡车能在时间窗口和班次内完成提货和送货" in page


def test_assigned_trucks_and_booked_slots_are_kept(client, trade, fleet_and_loads, wait_for_job):
    """Two small loads would share one truck; each stays on its own, picked up at its dock slot."""
    from server.extensions import db
    from server.models import Dock, DockAppointment

    f = fleet_and_loads
    first, second = f["vehicles"]
    loads = [f["load"]("A", vehicle_id=first), f["load"]("B", vehicle_id=second)]
    dock = Dock(site_id=trade["plant"]["id"], name="Dock 1", equipment="pallet_dock")
    db.session.add(dock)
    db.session.flush()
    slots = {loads[0]: f["now"] + timedelta(hours=2), loads[1]: f["now"] + timedelta(hours=3, minutes=7)}
    for load_id, start in slots.items():
        db.session.add(DockAppointment(load_id=load_id, dock_id=dock.id, start=start,
                                       end=start + timedelta(minutes=40), status="booked"))
    db.session.commit()
    job = _plan(client, wait_for_job, f["carrier"], {"load_ids": loads, "vehicle_ids": f["vehicles"]})
    served = _served_by(job)
    assert served[loads[0]][0] == first and served[loads[1]][0] == second
    origin = datetime.fromisoformat(job["result"]["origin"])
    index = job["result"]["index"]
    for route in job["result"]["result"]["routes"]:
        for stop in route["stops"]:
            meta = index["stops"][stop["stop_index"]]
            if meta["kind"] == "pickup":
                assert origin + timedelta(seconds=stop["start"]) == slots[meta["load_id"]]


def test_freed_loads_may_move(client, trade, fleet_and_loads, wait_for_job):
    f = fleet_and_loads
    first, second = f["vehicles"]
    loads = [f["load"]("A", vehicle_id=first), f["load"]("B", vehicle_id=second)]
    job = _plan(client, wait_for_job, f["carrier"], {"load_ids": loads, "vehicle_ids": f["vehicles"],
                                                     "free": [loads[1]]})
    served = _served_by(job)
    assert served[loads[0]][0] == first and served[loads[1]][0] == first


def test_a_committed_truck_missing_from_the_plan_is_refused(client, trade, fleet_and_loads):
    f = fleet_and_loads
    load_id = f["load"]("A", vehicle_id=f["vehicles"][1])
    r = client.post("/api/v1/route-plans", headers=f["carrier"].headers,
                    json={"load_ids": [load_id], "vehicle_ids": f["vehicles"][:1],
                          "route_ends": {"999999": "open"}, "free": [123456789]})
    body = r.get_json()
    assert r.status_code == 422
    assert {e["path"] for e in body["errors"]} == {"load_ids/0", "route_ends/999999", "free/0"}
    assert "DO-C1" in next(e["message"] for e in body["errors"] if e["path"] == "load_ids/0")


def test_one_route_end_for_the_whole_plan(client, trade, fleet_and_loads, wait_for_job):
    """``route_end`` sets every truck's end for this plan; ``route_ends`` still wins per truck."""
    f = fleet_and_loads
    load_id = f["load"]("DU-HH", delivery_site_id=_hamburg(client, trade))
    opened = _plan(client, wait_for_job, f["carrier"], {"load_ids": [load_id], "vehicle_ids": f["vehicles"][:1],
                                                        "route_end": "open"})
    assert opened["result"]["left_out"] == []
    closed = _plan(client, wait_for_job, f["carrier"], {"load_ids": [load_id], "vehicle_ids": f["vehicles"][:1],
                                                        "route_end": "open",
                                                        "route_ends": {str(f["vehicles"][0]): "depot"}})
    assert [d["load_id"] for d in closed["result"]["left_out"]] == [load_id]
