"""The HTTP position endpoints (server.tracking.position_routes): OwnTracks' HTTP mode with the same
device logins, and the brakes on clients and devices that keep failing."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from server.extensions import db
from server.models import Position
from server.tracking.position_routes import AUTH_FAILURES, BAD_REQUESTS
from tests.server.tracking.http_device_factory import basic, credential, ts

DATA = Path(__file__).resolve().parents[2] / "data" / "gps_ingest"


def _location(**changes) -> dict:
    """The OwnTracks HTTP-mode fixture, now-ish (tst as a string of digits), without its topic unless given."""
    doc = json.loads((DATA / "owntracks_location_http.json").read_text())
    doc.pop("topic")
    return {**doc, "tst": str(ts()), **changes}


def _rows():
    db.session.rollback()
    return db.session.execute(select(Position.vehicle_id, Position.source, Position.altitude, Position.attributes)
                              .order_by(Position.time)).all()


def test_owntracks_http_mode_stores_with_the_same_login_and_answers_an_array(client, fleet):
    """A location POSTed with HTTP Basic and X-Limit-U/D is stored for the login's vehicle; the answer is []."""
    carrier, (vehicle,) = fleet(1)
    login = credential(client, carrier, vehicle, owntracks_device="phone", http_id=False)
    headers = {**basic(login["username"], login["secret"]), "X-Limit-U": login["username"], "X-Limit-D": "phone"}
    response = client.post("/owntracks", headers=headers, json=_location())
    assert response.status_code == 200 and response.get_json() == []
    [row] = _rows()
    assert (row.vehicle_id, row.source, row.altitude) == (vehicle, "owntracks", 3.0)
    assert row.attributes == {"trigger": "u", "connection": "w", "tracker_id": "t7", "battery_status": "charging",
                              "vertical_accuracy": 4, "monitoring": 2}


def test_owntracks_identity_from_payload_topic_or_url_parameters(client, fleet):
    """The user and device may come from the payload's topic or from ?u=&d=, as OwnTracks documents."""
    carrier, (vehicle,) = fleet(1)
    login = credential(client, carrier, vehicle, owntracks_device="phone", http_id=False)
    auth = basic(login["username"], login["secret"])
    topic = f"owntracks/{login['username']}/phone"
    assert client.post("/api/v1/owntracks", headers=auth, json=_location(topic=topic)).status_code == 200
    by_params = client.post(f"/owntracks?u={login['username']}&d=phone", headers=auth,
                            json=_location(tst=str(ts(5))))
    assert by_params.status_code == 200
    defaulted = client.post("/owntracks", headers=auth, json=_location(tst=str(ts(10))))  # the login's own device
    assert defaulted.status_code == 200
    assert len(_rows()) == 3


def test_owntracks_identity_from_the_recorders_headers(client, fleet):
    """X-Limit-U / X-Limit-D name the user and device (the OwnTracks Recorder's form); another user is 403."""
    carrier, (vehicle,) = fleet(1)
    login = credential(client, carrier, vehicle, owntracks_device="phone", http_id=False)
    auth = basic(login["username"], login["secret"])
    headed = client.post("/owntracks", headers={**auth, "X-Limit-U": login["username"], "X-Limit-D": "phone"},
                         json=_location())
    assert headed.status_code == 200 and headed.get_json() == []
    other_user = client.post("/owntracks", headers={**auth, "X-Limit-U": "someone-else", "X-Limit-D": "phone"},
                             json=_location(tst=str(ts(3))))
    assert other_user.status_code == 403
    assert [r.vehicle_id for r in _rows()] == [vehicle]


def test_owntracks_devices_map_to_their_own_vehicles(client, fleet):
    """Each OwnTracks device has its login and vehicle; a device no login names is 404 and stores nothing."""
    carrier, (v1, v2) = fleet(2)
    phone = credential(client, carrier, v1, owntracks_device="phone", http_id=False)
    tablet = credential(client, carrier, v2, owntracks_device="tablet", http_id=False)
    for login, device in ((phone, "phone"), (tablet, "tablet")):
        headers = {**basic(login["username"], login["secret"]), "X-Limit-U": login["username"], "X-Limit-D": device}
        assert client.post("/owntracks", headers=headers, json=_location()).status_code == 200
    unnamed = {**basic(phone["username"], phone["secret"]), "X-Limit-U": phone["username"], "X-Limit-D": "tablet"}
    refused = client.post("/owntracks", headers=unnamed, json=_location(tst=str(ts(30))))
    assert refused.status_code == 404 and refused.get_json()["dropped"] == {"unknown_vehicle": 1}
    assert sorted(r.vehicle_id for r in _rows()) == sorted([v1, v2])


def test_owntracks_http_needs_the_logins_secret_and_user(client, fleet):
    """No credentials is 401; another user's name is 403; a payload topic of another user is 403."""
    carrier, (v1, v2) = fleet(2)
    mine = credential(client, carrier, v1, owntracks_device="phone", http_id=False)
    theirs = credential(client, carrier, v2, owntracks_device="phone", http_id=False)
    assert client.post("/owntracks", headers={"X-Limit-U": mine["username"], "X-Limit-D": "phone"},
                       json=_location()).status_code == 401
    auth = basic(mine["username"], mine["secret"])
    other_user = client.post("/owntracks", headers={**auth, "X-Limit-U": theirs["username"], "X-Limit-D": "phone"},
                             json=_location())
    assert other_user.status_code == 403
    other_topic = client.post("/owntracks", headers=auth,
                              json=_location(topic=f"owntracks/{theirs['username']}/phone"))
    assert other_topic.status_code == 403
    assert _rows() == []


def test_owntracks_http_ignores_what_carries_no_fix_and_names_bad_fields(client, fleet):
    """Empty bodies and transitions answer [] and store nothing; a bad tst is 400 naming tst."""
    carrier, (vehicle,) = fleet(1)
    login = credential(client, carrier, vehicle, owntracks_device="phone", http_id=False)
    auth = basic(login["username"], login["secret"])
    assert client.post("/owntracks", headers=auth, data=b"").get_json() == []
    transition = {"_type": "transition", "event": "enter", "tst": ts(), "wtst": 1, "lat": 51.0, "lon": 7.0, "acc": 5}
    assert client.post("/owntracks", headers=auth, json=transition).get_json() == []
    bad = client.post("/owntracks", headers=auth, json=_location(tst="17e8"))
    assert bad.status_code == 400
    assert [(e["path"], e["reason"]) for e in bad.get_json()["errors"]] == [("tst", "wrong_type")]
    assert _rows() == []


def test_refused_credentials_are_braked_per_address_but_live_logins_go_on(client, fleet, operator):
    """After AUTH_FAILURES refusals from one address its refusals are 429 with Retry-After; a real login still works."""
    carrier, (vehicle,) = fleet(1)
    login = credential(client, carrier, vehicle)
    statuses = [client.get(f"/osmand?id=guess{n}&lat=51&lon=7&timestamp={ts()}").status_code
                for n in range(AUTH_FAILURES + 2)]
    assert statuses == [401] * AUTH_FAILURES + [429, 429]
    braked = client.get(f"/osmand?id=guess-again&lat=51&lon=7&timestamp={ts()}")
    assert braked.get_json()["reason"] == "rate_limited" and 1 <= int(braked.headers["Retry-After"]) <= 61
    assert client.get(f"/osmand?id={login['http_id']}&lat=51&lon=7&timestamp={ts()}").status_code == 200
    elsewhere = client.get(f"/osmand?id=guess&lat=51&lon=7&timestamp={ts()}",
                           environ_overrides={"REMOTE_ADDR": "192.0.2.7"})
    assert elsewhere.status_code == 401
    text = client.get("/metrics", headers=operator).get_data(as_text=True)
    assert f'haul_osmand_dropped_total{{reason="unauthenticated"}} {AUTH_FAILURES + 1}' in text
    assert 'haul_osmand_dropped_total{reason="rate_limited"} 3' in text


def test_a_device_that_keeps_sending_garbage_is_braked_alone(client, fleet):
    """After BAD_REQUESTS rejected requests a login gets 429 before decoding; another device of the carrier goes on."""
    carrier, (v1, v2) = fleet(2)
    noisy, quiet = credential(client, carrier, v1), credential(client, carrier, v2)
    statuses = [client.get(f"/osmand?id={noisy['http_id']}&lat=north&lon=7&timestamp={ts()}").status_code
                for _ in range(BAD_REQUESTS + 1)]
    assert statuses == [400] * BAD_REQUESTS + [429]
    good_but_braked = client.get(f"/osmand?id={noisy['http_id']}&lat=51&lon=7&timestamp={ts()}")
    assert good_but_braked.status_code == 429 and "Retry-After" in good_but_braked.headers
    assert client.get(f"/osmand?id={quiet['http_id']}&lat=51&lon=7&timestamp={ts()}").status_code == 200
    assert [r.vehicle_id for r in _rows()] == [v2]


def test_refused_ids_reach_the_log_only_by_their_prefix(client, fleet, caplog):
    """A refused or accepted HTTP id is logged by its first characters only; the drop line says why."""
    carrier, (vehicle,) = fleet(1)
    login = credential(client, carrier, vehicle)
    guess = "zz9" + login["http_id"][3:]
    with caplog.at_level("INFO"):
        client.get(f"/osmand?id={guess}&lat=51&lon=7&timestamp={ts()}")
        client.get(f"/osmand?id={login['http_id']}&lat=north&lon=7&timestamp={ts()}")
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert f"drop unauthenticated: message=http-refused topic= id {guess[:6]}..." in text
    assert guess not in text and login["http_id"] not in text
