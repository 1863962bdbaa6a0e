"""Route plans as background jobs, then committed, on both backends."""

import time


def _carrier_with_fleet(client, make_party):
    carrier = make_party("carrier")
    h = carrier.headers
    depot = client.post("/api/v1/sites", headers=h, json={"name": "Depot", "kind": "warehouse",
                                                          "location": {"lat": 51.51, "lon": 7.46}}).get_json()
    vtype = client.post("/api/v1/vehicle-types", headers=h, json={
        "name": "Curtainsider", "max_weight_kg": 24000, "max_volume_m3": 90, "pallet_positions": 33,
        "cost_per_km": 1.2}).get_json()
    vehicles = [client.post("/api/v1/vehicles", headers=h, json={"vehicle_type_id": vtype["id"],
                                                                  "plate": f"DO-R{n}"}).get_json()["id"]
                for n in range(2)]
    return carrier, depot, vehicles


def test_route_plan_job_routes_every_load_and_commits(client, make_party, trade, make_load, wait_for_job):
    """Two awarded loads are routed pickup-before-delivery; the commit saves timed stops."""
    carrier, depot, vehicles = _carrier_with_fleet(client, make_party)
    loads = [make_load(trade, carrier=carrier, reference=f"L{n}", status="awarded") for n in range(2)]
    r = client.post("/api/v1/route-plans", headers=carrier.headers, json={
        "load_ids": [load.id for load in loads], "vehicle_ids": vehicles, "time_limit_s": 2})
    assert r.status_code == 202, r.get_json()
    job = wait_for_job(carrier.headers, r.get_json()["id"], {"succeeded", "failed"}, path="/api/v1/route-plans")
    assert job["status"] == "succeeded", job
    result = job["result"]["result"]
    assert result["dropped"] == []
    committed = client.post(f"/api/v1/route-plans/{job['id']}/commit", headers=carrier.headers)
    assert committed.status_code == 201, committed.get_json()
    stops = [s for route in committed.get_json()["routes"] for s in route["stops"]]
    for load in loads:
        kinds = [s["kind"] for s in stops if s["load_id"] == load.id]
        assert kinds == ["pickup", "delivery"]
    from server.extensions import db
    from server.models import Load

    assert all(db.session.get(Load, load.id).vehicle_id in vehicles for load in loads)


def test_loads_not_awarded_to_the_carrier_are_refused_at_once(client, make_party, trade, make_load, wait_for_job):
    """A load of another carrier (or none) answers 422 before any job starts."""
    carrier, _, vehicles = _carrier_with_fleet(client, make_party)
    other = make_load(trade, reference="NOT-MINE")
    r = client.post("/api/v1/route-plans", headers=carrier.headers,
                    json={"load_ids": [other.id], "vehicle_ids": vehicles})
    assert r.status_code == 422 and r.get_json()["errors"][0]["path"] == "load_ids/0"


def test_route_plan_job_can_be_cancelled(client, make_party, trade, make_load, wait_for_job):
    """A long solve stops when cancelled and reports its state."""
    carrier, _, vehicles = _carrier_with_fleet(client, make_party)
    load = make_load(trade, carrier=carrier, status="awarded")
    job_id = client.post("/api/v1/route-plans", headers=carrier.headers, json={
        "load_ids": [load.id], "vehicle_ids": vehicles, "time_limit_s": 60}).get_json()["id"]
    wait_for_job(carrier.headers, job_id, {"running", "succeeded"}, path="/api/v1/route-plans")
    client.post(f"/api/v1/jobs/{job_id}/cancel", headers=carrier.headers)
    started = time.monotonic()
    body = wait_for_job(carrier.headers, job_id, {"cancelled", "succeeded"}, path="/api/v1/route-plans")
    assert time.monotonic() - started < 20
    assert body["status"] in ("cancelled", "succeeded")
