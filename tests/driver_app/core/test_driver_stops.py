"""Issue 18 in the app's core: which stop of a multi-drop load the driver signs, and how its proof
goes through the offline outbox to the stop's endpoint (a retry refused as already signed is done)."""

from __future__ import annotations

import base64
import json

import pytest

from driver_app.core.app_state import DriverDay, Step
from driver_app.core.rest_client import ApiClient
from driver_app.core.stops import is_multi_drop, merge_stops, next_stop, stop_label, stop_pod_body
from driver_app.core.submission_outbox import SubmissionOutbox
from driver_app.glue.submissions import SubmissionDesk

PROBLEM = "application/problem+json"
KOELN = {"lat": 50.9781, "lon": 6.9736}
BONN = {"lat": 50.73, "lon": 7.10}


def _multi_drop(signed=()) -> dict:
    def stop(stop_id, seq, kind, name, point, buyer=None):
        return {"id": stop_id, "seq": seq, "kind": kind, "site": {"name": name, **point}, "buyer_name": buyer,
                "status": "delivered" if stop_id in signed else "planned", "signed": stop_id in signed}
    return {"id": 7, "reference": "LD-7", "stops": [
        stop(12, 3, "delivery", "Bonn yard", BONN, "Buyer B"),  # listed out of order on purpose
        stop(10, 1, "pickup", "Plant", {"lat": 51.28, "lon": 7.04}),
        stop(11, 2, "delivery", "Köln DC", KOELN, "Buyer A")]}


def test_the_next_stop_is_the_first_unsigned_delivery_in_sequence():
    assert next_stop(_multi_drop())["id"] == 11
    assert next_stop(_multi_drop(signed=(11,)))["id"] == 12
    assert next_stop(_multi_drop(signed=(11, 12))) is None
    assert not is_multi_drop({"id": 1, "stops": []}) and next_stop({"id": 1}) is None


def test_the_truck_at_a_stops_site_signs_that_stop_first():
    at_bonn = {"lat": BONN["lat"] + 0.001, "lon": BONN["lon"]}  # ~110 m away
    assert next_stop(_multi_drop(), at_bonn)["id"] == 12
    assert next_stop(_multi_drop(), {"lat": 50.85, "lon": 7.0})["id"] == 11  # between the two: in sequence
    assert next_stop(_multi_drop(signed=(12,)), at_bonn)["id"] == 11  # Bonn is signed already


def test_a_stop_is_named_by_its_place_in_the_delivery_order():
    load = _multi_drop()
    label = stop_label(load["stops"][0], load)
    assert label.render() == "Stop 2 of 2: Bonn yard (Buyer B)"


def test_the_loads_own_stops_keep_the_assignments_place_names():
    """``GET /loads/{id}`` lists stops without names; opening the load must not lose the assignment's."""
    assigned = _multi_drop()["stops"]
    fresh = [{"id": 11, "seq": 2, "kind": "delivery", "status": "delivered"},
             {"id": 12, "seq": 3, "kind": "delivery", "status": "planned"}]
    merged = {s["id"]: s for s in merge_stops(assigned, fresh)}
    assert merged[11]["site"]["name"] == "Köln DC" and merged[11]["signed"] is True
    assert merged[12]["buyer_name"] == "Buyer B" and merged[12]["signed"] is False
    assert merge_stops(assigned, None) == assigned and merge_stops(None, []) == []


def test_the_stop_body_speaks_the_apis_fields_with_the_files_inline(tmp_path):
    signature, photo = tmp_path / "signature.png", tmp_path / "photo.jpg"
    signature.write_bytes(b"\x89PNG-sig")
    photo.write_bytes(b"jpeg")
    payload = {"receiver_name": "M. Becker", "received_quantity": 8.0, "exception": "Two bags torn",
               "exception_kind": "damage", "position": {"lat": 50.7, "lon": 7.1, "acc": 5, "t": "x"},
               "recorded_at": "2026-12-07T10:00:00+00:00"}
    body = stop_pod_body(payload, [str(signature), str(photo)])
    assert body["signed_by"] == "M. Becker" and body["received_quantity"] == 8.0
    assert body["exceptions"] == [{"code": "damage", "note": "Two bags torn"}]
    assert body["position"] == {"lat": 50.7, "lon": 7.1}  # the API takes no accuracy or fix time
    assert base64.b64decode(body["signature_base64"]) == b"\x89PNG-sig"
    assert [base64.b64decode(p) for p in body["photos_base64"]] == [b"jpeg"]


def test_a_stop_proof_goes_to_the_stops_endpoint_and_a_retry_refused_as_signed_is_done(tmp_path, fake_api):
    """The first try's answer is lost (503 here); the resend finds the stop signed: 409, counted as sent."""
    path = "/api/v1/loads/7/stops/12/pod"
    fake_api.route("POST", path, 503, {"title": "Unavailable"}, PROBLEM)
    fake_api.route("POST", path, 409, {"title": "Conflict", "status": 409, "reason": "already_delivered",
                                       "detail": "This stop already has its proof of delivery."}, PROBLEM)
    outbox = SubmissionOutbox(tmp_path / "outbox.sqlite")
    outbox.enqueue("stop_pod", "7", {"receiver_name": "A", "received_quantity": 8.0, "stop_id": 12})
    client = ApiClient(fake_api.base_url, token="t", timeout=2)

    first = outbox.flush(client)
    second = outbox.flush(client)

    assert first.stopped_by.status == 503 and outbox.count() == 0
    assert [s.kind for s in second.sent] == ["stop_pod"] and second.rejected == []
    sent = json.loads(fake_api.requests[0].body)
    assert sent["signed_by"] == "A" and "stop_id" not in sent and "receiver_name" not in sent


def test_a_first_try_refused_as_signed_is_a_refusal_the_driver_sees(tmp_path, fake_api):
    """Someone else signed the stop: on a first try the 409 is not ours to count as done."""
    fake_api.route("POST", "/api/v1/loads/7/stops/11/pod", 409,
                   {"title": "Conflict", "status": 409, "reason": "already_delivered"}, PROBLEM)
    outbox = SubmissionOutbox(tmp_path / "outbox.sqlite")
    outbox.enqueue("stop_pod", "7", {"receiver_name": "A", "received_quantity": 1.0, "stop_id": 11})

    result = outbox.flush(ApiClient(fake_api.base_url, token="t", timeout=2))

    assert result.sent == [] and [s.kind for s, _ in result.rejected] == ["stop_pod"]


def _departed(load: dict) -> DriverDay:
    day = DriverDay()
    day.sign_in({"name": "Jan"})
    day.show_today([load])
    day.select_load(load)
    day.check_in({"id": 1})
    day.call_to_dock("2")
    day.start_loading()
    day.record_evidence({})
    day.depart()
    return day


def _form(tmp_path) -> dict:
    signature = tmp_path / "signature.png"
    signature.write_bytes(b"\x89PNG")
    return {"receiver_name": "R", "received_quantity": "8", "signature": str(signature)}


def test_the_desk_signs_stop_by_stop_and_delivers_after_the_last(tmp_path):
    day = _departed(_multi_drop())
    desk = SubmissionDesk(SubmissionOutbox(tmp_path / "outbox.sqlite"), day)

    desk.pod(_form(tmp_path), {"position": None}, stop_id=11)
    assert day.step is Step.DEPARTED and next_stop(day.load)["id"] == 12
    assert [s["signed"] for s in day.assignments[0]["stops"] if s["kind"] == "delivery"] == [False, True]
    with pytest.raises(ValueError):
        desk.pod(_form(tmp_path), {"position": None}, stop_id=11)  # signed already
    desk.pod(_form(tmp_path), {"position": None}, stop_id=12)
    assert day.step is Step.DELIVERED
    queued = desk.outbox.pending()
    assert [(s.kind, s.payload["stop_id"]) for s in queued] == [("stop_pod", 11), ("stop_pod", 12)]


def test_a_plain_load_still_takes_the_whole_load_proof(tmp_path):
    day = _departed({"id": 8, "reference": "LD-8", "stops": []})
    desk = SubmissionDesk(SubmissionOutbox(tmp_path / "outbox.sqlite"), day)
    desk.pod(_form(tmp_path), {"position": None})
    assert day.step is Step.DELIVERED and [s.kind for s in desk.outbox.pending()] == ["pod"]
