"""The dock and yard endpoints answer with the right status and reason: 409 overlap, 422 hours or equipment,
403/404 for strangers, re-plans on a new ETA, a planned day and a dock board; on both backends."""

from datetime import timedelta

import pytest

from server import clock
from tests.server.yard.yard_factory import MONDAY, authorize, make_load, make_plant

H = timedelta(hours=1)
M = timedelta(minutes=1)


@pytest.fixture
def plant(ctx, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: MONDAY)
    return make_plant(timezone="Europe/Berlin", hours={d: [["06:00", "22:00"]] for d in ("mon", "tue")},
                      breaks=[{"day": "mon", "start": "12:00", "end": "12:30"}])


def _book(client, who, load, dock, start):
    return client.post(f"/api/v1/loads/{load.id}/appointment", headers=who.headers,
                       json={"dock_id": dock.id, "start": start.isoformat()})


def test_double_booking_answers_409_with_a_reason(client, plant):
    """The second truck on a taken slot gets problem+json 409 'dock_taken'."""
    first, second = make_load(plant), make_load(plant)
    assert _book(client, plant.carrier, first, plant.docks["D1"], MONDAY + H).status_code == 201
    r = _book(client, plant.carrier, second, plant.docks["D1"], MONDAY + H + 5 * M)
    assert r.status_code == 409 and r.mimetype == "application/problem+json"
    assert r.get_json()["reason"] == "dock_taken"


def test_closed_hours_and_wrong_equipment_answer_422_with_the_reason(client, plant):
    """A slot in the lunch break and a pallet load on the liquid arm are 422 with reason and field path."""
    load = make_load(plant)
    r = _book(client, plant.carrier, load, plant.docks["D1"], MONDAY + 3 * H + 50 * M)  # 13:50 Berlin: fine
    assert r.status_code == 201
    r = _book(client, plant.manager, load, plant.docks["D2"], MONDAY + H + 45 * M)  # 11:45 Berlin, 24 min
    assert r.status_code == 422 and r.get_json()["reason"] == "outside_opening_hours"
    assert "12:00-12:30" in r.get_json()["detail"] and r.get_json()["errors"][0]["path"] == "start"
    r = _book(client, plant.manager, load, plant.docks["T1"], MONDAY + 3 * H)
    assert r.status_code == 422 and r.get_json()["reason"] == "incompatible_dock"
    r = client.post(f"/api/v1/loads/{load.id}/appointment", headers=plant.carrier.headers,
                    json={"dock_id": plant.docks["D1"].id, "start": "2030-06-03T10:00:00"})
    assert r.status_code == 422 and r.get_json()["errors"][0]["path"] == "start"  # a naive time


def test_slots_current_booking_and_cancel(client, plant):
    """Slots list only open pallet docks; the booking reads back; the carrier cancels it; then 404."""
    load = make_load(plant)
    body = client.get(f"/api/v1/loads/{load.id}/slots", headers=plant.carrier.headers).get_json()
    assert {s["dock_id"] for s in body["slots"]} == {plant.docks["D1"].id, plant.docks["D2"].id}
    starts = {s["start"][11:16] for s in body["slots"]}  # UTC; the 12:00-12:30 Berlin break is 10:00-10:30
    assert {"09:30", "10:30"} <= starts and not {"09:45", "10:00", "10:15"} & starts
    booked = _book(client, plant.carrier, load, plant.docks["D2"], MONDAY + 3 * H).get_json()
    got = client.get(f"/api/v1/loads/{load.id}/appointment", headers=plant.buyer.headers).get_json()
    assert got["id"] == booked["id"] and got["end"] == (MONDAY + 3 * H + 24 * M).isoformat()
    assert client.delete(f"/api/v1/loads/{load.id}/appointment", headers=plant.carrier.headers).status_code == 200
    assert client.get(f"/api/v1/loads/{load.id}/appointment", headers=plant.carrier.headers).status_code == 404


def test_buyers_cannot_book_and_strangers_see_nothing(client, plant, make_party):
    """The buyer is a party but not the gate: 403; an unrelated carrier gets 404 everywhere."""
    load = make_load(plant)
    assert _book(client, plant.buyer, load, plant.docks["D1"], MONDAY + H).status_code == 403
    stranger = make_party("carrier")
    assert client.get(f"/api/v1/loads/{load.id}/slots", headers=stranger.headers).status_code == 404
    assert _book(client, stranger, load, plant.docks["D1"], MONDAY + H).status_code == 404
    assert client.get(f"/api/v1/sites/{plant.site.id}/queue", headers=stranger.headers).status_code == 404


def test_a_new_eta_replans_and_lists_the_moves(client, plant):
    """A dispatcher's later ETA moves the slot behind it and answers with the move."""
    load = make_load(plant)
    assert _book(client, plant.carrier, load, plant.docks["D1"], MONDAY + 90 * M).status_code == 201
    r = client.post(f"/api/v1/loads/{load.id}/eta", headers=plant.carrier.headers,
                    json={"eta": (MONDAY + 3 * H).isoformat()})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["appointment"]["start"] >= (MONDAY + 3 * H).isoformat()
    assert [m["load_id"] for m in body["moved"]] == [load.id]
    assert body["moved"][0]["previous"]["start"] == (MONDAY + 90 * M).isoformat()


def test_planning_the_day_and_reading_the_board(client, plant):
    """The plant plans its Monday: unbooked trucks get slots that appear on the day's dock board."""
    loads = [make_load(plant, start=MONDAY + k * 30 * M) for k in range(3)]
    r = client.post(f"/api/v1/sites/{plant.site.id}/schedule", headers=plant.manager.headers,
                    json={"day": "2030-06-03", "time_limit_s": 2})
    assert r.status_code == 200, r.get_json()
    assert sorted(a["load_id"] for a in r.get_json()["booked"]) == sorted(load.id for load in loads)
    board = client.get(f"/api/v1/sites/{plant.site.id}/appointments?day=2030-06-03", headers=plant.seller.headers)
    assert len(board.get_json()["appointments"]) == 3
    assert client.post(f"/api/v1/sites/{plant.site.id}/schedule", headers=plant.carrier.headers,
                       json={"day": "2030-06-03"}).status_code in (403, 404)


def test_gate_refusals_answer_403_with_the_reason(client, plant):
    """An expired authorization at the gate is a 403 'expired'; the queue stays empty."""
    load = make_load(plant)
    token = authorize(client.application, plant, load, expires=MONDAY - M)
    r = client.post("/api/v1/yard/checkin", headers=plant.driver_user.headers, json={"load_id": load.id, "token": token})
    assert r.status_code == 403 and r.get_json()["reason"] == "expired"
    assert client.get(f"/api/v1/sites/{plant.site.id}/queue", headers=plant.seller.headers).get_json()["entries"] == []


def test_illegal_visit_transitions_answer_409(client, plant):
    """A checked-in truck cannot jump to 'loaded'; the answer names the allowed next states."""
    load = make_load(plant)
    token = authorize(client.application, plant, load)
    visit = client.post("/api/v1/yard/checkin", headers=plant.driver_user.headers,
                        json={"load_id": load.id, "token": token}).get_json()
    r = client.post(f"/api/v1/yard/visits/{visit['id']}/transition", headers=plant.manager.headers,
                    json={"to": "loaded"})
    assert r.status_code == 409 and r.get_json()["allowed"] == ["called", "cancelled"]
    r = client.post(f"/api/v1/yard/visits/{visit['id']}/call", headers=plant.driver_user.headers, json={})
    assert r.status_code == 403


def test_planning_can_run_as_a_background_job(client, plant):
    """With background=true the plan is a job (202); once it succeeds the trucks have slots."""
    import time

    load = make_load(plant)
    r = client.post(f"/api/v1/sites/{plant.site.id}/schedule", headers=plant.manager.headers,
                    json={"day": "2030-06-03", "background": True, "time_limit_s": 2})
    assert r.status_code == 202 and r.get_json()["status"] == "queued"
    job_url = f"/api/v1/jobs/{r.get_json()['job_id']}"
    for _ in range(300):  # bounded wait for the thread-pool worker, not a timing assertion
        job = client.get(job_url, headers=plant.manager.headers).get_json()
        if job["status"] in ("succeeded", "failed"):
            break
        time.sleep(0.05)
    assert job["status"] == "succeeded", job
    assert [a["load_id"] for a in job["result"]["booked"]] == [load.id]
