"""The driver app's evidence and proof-of-delivery forms, as its outbox sends them, on both backends."""

import io
import json

import pytest

from server import clock
from tests.server.yard.yard_factory import MONDAY, PIXEL_PNG, make_load, make_plant

EVIDENCE = {"ticket_number": "WB-2026-0815", "tare_kg": 14000.0, "gross_kg": 38020.5, "net_kg": 24020.5,
            "seal_numbers": ["889120", "889121"], "sample_ids": ["S-77"], "notes": None,
            "recorded_at": "2026-11-24T09:12:00+00:00", "photo_stamps": [],
            "position": {"lat": 51.43, "lon": 6.76, "acc": 5.0, "t": "2026-11-24T09:11:58+00:00"}}
POD = {"receiver_name": "M. Becker", "received_quantity": 38.0, "exception": "Two bags torn",
       "exception_kind": "damage", "recorded_at": "2026-11-24T15:00:00+00:00", "position": None}


@pytest.fixture
def plant(ctx, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: MONDAY)
    return make_plant()


def _send(client, who, load, what, payload, files=(), key="phone-sub-1"):
    data = {"payload": json.dumps(payload), "photos": [(io.BytesIO(f), f"p{k}.png") for k, f in enumerate(files)]}
    return client.post(f"/api/v1/loads/{load.id}/{what}", headers={**who.headers, "Idempotency-Key": key},
                       data=data, content_type="multipart/form-data")


def test_evidence_form_becomes_one_item_per_fact_and_a_resend_adds_nothing(client, plant):
    """Weigh ticket, two seals, a sample and a photo are chained together; the same key again returns them."""
    load = make_load(plant, weight_kg=24000)
    r = _send(client, plant.driver_user, load, "evidence", EVIDENCE, files=[PIXEL_PNG])
    assert r.status_code == 201, r.get_json()
    items = r.get_json()["items"]
    assert [i["kind"] for i in items] == ["weigh_ticket", "seal", "seal", "sample", "photo"]
    assert items[0]["payload"]["ticket_number"] == "WB-2026-0815" and items[0]["payload"]["net_kg"] == 24020.5
    assert {i["payload"]["seal_number"] for i in items[1:3]} == {"889120", "889121"}
    assert items[0]["position"] == {"lat": 51.43, "lon": 6.76} and items[0]["device_id"] == "driver-app"
    again = _send(client, plant.driver_user, load, "evidence", EVIDENCE, files=[PIXEL_PNG])
    assert again.status_code == 201 and [i["seq"] for i in again.get_json()["items"]] == [1, 2, 3, 4, 5]
    bundle = client.get(f"/api/v1/loads/{load.id}/evidence", headers=plant.buyer.headers).get_json()
    assert len(bundle["items"]) == 5 and bundle["verification"]["ok"] is True


def test_evidence_form_without_photos_comes_as_json(client, plant):
    """No photo: the phone sends the form as the JSON body."""
    load = make_load(plant)
    r = client.post(f"/api/v1/loads/{load.id}/evidence", headers=plant.driver_user.headers,
                    json={**EVIDENCE, "seal_numbers": [], "sample_ids": [], "notes": "sealed by plant"})
    assert r.status_code == 201, r.get_json()
    assert [i["kind"] for i in r.get_json()["items"]] == ["weigh_ticket", "note"]


def test_bad_evidence_form_stores_nothing(client, plant):
    """A gross below tare refuses the whole form: no seal or sample is stored without its ticket."""
    load = make_load(plant)
    r = _send(client, plant.driver_user, load, "evidence", {**EVIDENCE, "gross_kg": 100.0, "net_kg": None})
    assert r.status_code == 422 and "payload/gross_kg" in {e["path"] for e in r.get_json()["errors"]}
    r = _send(client, plant.driver_user, load, "evidence", {**EVIDENCE, "ticket_number": ""})
    assert r.status_code == 422 and r.get_json()["errors"][0]["path"] == "ticket_number"
    assert client.get(f"/api/v1/loads/{load.id}/evidence", headers=plant.buyer.headers).get_json()["items"] == []


def test_pod_form_delivers_with_signature_first_and_a_resend_is_not_refused(client, plant):
    """Signature then photo; the exception keeps its kind; the same key again answers the same proof."""
    load = make_load(plant, status="in_transit")
    r = _send(client, plant.driver_user, load, "pod", POD, files=[PIXEL_PNG, PIXEL_PNG + b"\x00"])
    assert r.status_code == 201, r.get_json()
    pod = r.get_json()
    assert pod["signed_by"] == "M. Becker" and pod["received_quantity"] == 38.0
    assert pod["exceptions"] == [{"code": "damage", "note": "Two bags torn"}]
    assert pod["signature_sha256"] and len(pod["photo_sha256s"]) == 1
    again = _send(client, plant.driver_user, load, "pod", POD, files=[PIXEL_PNG])
    assert again.status_code == 201 and again.get_json()["id"] == pod["id"]
    other = _send(client, plant.driver_user, load, "pod", POD, files=[PIXEL_PNG], key="another-phone-sub")
    assert other.status_code == 409 and other.get_json()["reason"] == "already_delivered"
    bundle = client.get(f"/api/v1/loads/{load.id}/evidence", headers=plant.buyer.headers).get_json()
    assert bundle["proof_of_delivery"]["id"] == pod["id"] and bundle["verification"]["ok"] is True
