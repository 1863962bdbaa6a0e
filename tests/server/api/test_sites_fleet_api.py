"""Sites, docks and fleet resources: validation and ownership, on both backends."""

SQUARE = {"type": "Polygon", "coordinates": [[[6.7, 51.4], [6.8, 51.4], [6.8, 51.5], [6.7, 51.5], [6.7, 51.4]]]}
BOWTIE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}


def test_site_with_geofence_round_trips(client, make_party):
    """A site keeps its point, polygon, time zone and opening hours."""
    seller = make_party("seller")
    r = client.post("/api/v1/sites", headers=seller.headers, json={
        "name": "Plant", "location": {"lat": 51.45, "lon": 6.75}, "geofence": SQUARE,
        "timezone": "Europe/Berlin", "opening_hours": {"mon": [["06:00", "22:00"]]}})
    assert r.status_code == 201, r.get_json()
    site = client.get(f"/api/v1/sites/{r.get_json()['id']}", headers=seller.headers).get_json()
    assert site["location"] == {"lat": 51.45, "lon": 6.75}
    assert site["geofence"]["coordinates"][0][0] == [6.7, 51.4]
    assert site["timezone"] == "Europe/Berlin"


def test_bad_site_fields_are_named(client, make_party):
    """Out-of-range latitude, a self-crossing fence, a bad zone and bad hours each get a path."""
    seller = make_party("seller")
    r = client.post("/api/v1/sites", headers=seller.headers, json={
        "name": "X", "location": {"lat": 91, "lon": 0}, "geofence": BOWTIE, "timezone": "Mars/Base",
        "opening_hours": {"mon": [["22:00", "06:00"]], "funday": []}})
    assert r.status_code == 422
    paths = {e["path"] for e in r.get_json()["errors"]}
    assert {"location/lat", "geofence/coordinates", "timezone"} <= paths
    assert any(p.startswith("opening_hours") for p in paths)


def test_docks_need_known_equipment(client, make_party):
    """A dock is added with known equipment; unknown equipment is a field error."""
    seller = make_party("seller")
    site = client.post("/api/v1/sites", headers=seller.headers, json={
        "name": "Plant", "location": {"lat": 1, "lon": 1}}).get_json()
    ok = client.post(f"/api/v1/sites/{site['id']}/docks", headers=seller.headers,
                     json={"name": "D1", "equipment": "liquid_arm", "breaks": [{"day": "mon", "start": "12:00",
                                                                                "end": "12:30"}]})
    assert ok.status_code == 201
    bad = client.post(f"/api/v1/sites/{site['id']}/docks", headers=seller.headers,
                      json={"name": "D2", "equipment": "teleporter"})
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["path"] == "equipment"


def test_vehicle_needs_own_type_and_unique_plate(client, make_party):
    """A vehicle of another carrier's type is refused; a duplicate plate is a 409."""
    carrier, other = make_party("carrier"), make_party("carrier")
    vtype = {"name": "Curtainsider", "max_weight_kg": 24000, "max_volume_m3": 90, "pallet_positions": 33}
    mine = client.post("/api/v1/vehicle-types", headers=carrier.headers, json=vtype).get_json()
    theirs = client.post("/api/v1/vehicle-types", headers=other.headers, json=vtype).get_json()
    assert client.post("/api/v1/vehicles", headers=carrier.headers,
                       json={"vehicle_type_id": theirs["id"], "plate": "DO-1"}).status_code == 422
    assert client.post("/api/v1/vehicles", headers=carrier.headers,
                       json={"vehicle_type_id": mine["id"], "plate": "DO-1"}).status_code == 201
    assert client.post("/api/v1/vehicles", headers=carrier.headers,
                       json={"vehicle_type_id": mine["id"], "plate": "DO-1"}).status_code == 409


def test_vehicle_type_capacity_must_be_positive(client, make_party):
    """Zero or negative capacities are field errors."""
    carrier = make_party("carrier")
    r = client.post("/api/v1/vehicle-types", headers=carrier.headers,
                    json={"name": "T", "max_weight_kg": 0, "max_volume_m3": -1, "pallet_positions": 3})
    assert r.status_code == 422
    assert {"max_weight_kg", "max_volume_m3"} <= {e["path"] for e in r.get_json()["errors"]}
