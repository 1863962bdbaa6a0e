"""Evidence and proof of delivery through the API: append and read only, files by hash, on both backends."""

import base64
import io

import pytest
from sqlalchemy import text

from server import clock
from server.extensions import db
from tests.server.yard.yard_factory import MONDAY, PIXEL_PNG, make_load, make_plant


@pytest.fixture
def plant(ctx, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: MONDAY)
    return make_plant()


def _post(client, who, load, **body):
    return client.post(f"/api/v1/loads/{load.id}/evidence", headers=who.headers, json=body)


def test_evidence_cannot_be_edited_or_deleted_through_any_endpoint(client, plant):
    """PUT, PATCH and DELETE on evidence answer 405, and no evidence or POD route accepts them at all."""
    load = make_load(plant)
    item = _post(client, plant.manager, load, kind="note", payload={"text": "ok"}).get_json()["items"][0]
    sha = _post(client, plant.manager, load, kind="photo",
                payload={"content_base64": base64.b64encode(PIXEL_PNG).decode()}).get_json()["items"][0]
    for url in (f"/api/v1/loads/{load.id}/evidence", f"/api/v1/loads/{load.id}/evidence/{item['seq']}",
                f"/api/v1/loads/{load.id}/evidence/files/{sha['payload']['sha256']}", f"/api/v1/loads/{load.id}/pod"):
        for method in ("PUT", "PATCH", "DELETE"):
            r = client.open(url, method=method, headers=plant.manager.headers, json={"payload": {"text": "forged"}})
            assert r.status_code in (404, 405), (method, url)
            assert r.status_code == 405 or url.endswith(f"/evidence/{item['seq']}")
    writable = [(rule.rule, rule.methods & {"PUT", "PATCH", "DELETE"}) for rule in client.application.url_map.iter_rules()
                if "evidence" in rule.rule or rule.rule.endswith("/pod")]
    assert writable and all(not methods for _, methods in writable)
    bundle = client.get(f"/api/v1/loads/{load.id}/evidence", headers=plant.buyer.headers).get_json()
    assert bundle["items"][0]["payload"] == {"text": "ok"} and bundle["verification"]["ok"] is True


def test_bad_evidence_answers_422_with_field_paths(client, plant):
    """Missing kind, a gross below tare, a correction of nothing, and a file that is no image are 422."""
    load = make_load(plant)
    r = _post(client, plant.manager, load, payload={"text": "no kind"})
    assert r.status_code == 422 and r.get_json()["errors"][0]["path"] == "kind"
    r = _post(client, plant.manager, load, kind="weigh_ticket", payload={"tare_kg": 15000, "gross_kg": 100})
    assert r.status_code == 422 and "payload/gross_kg" in {e["path"] for e in r.get_json()["errors"]}
    r = _post(client, plant.manager, load, kind="seal", payload={"seal_number": "S1"}, corrects=7)
    assert r.status_code == 422 and r.get_json()["errors"][0]["path"] == "corrects"
    r = client.post(f"/api/v1/loads/{load.id}/evidence", headers=plant.manager.headers,
                    data={"photos": [(io.BytesIO(b"MZ\x90\x00 not an image"), "x.exe")]},
                    content_type="multipart/form-data")
    assert r.status_code == 422 and r.get_json()["reason"] == "not_an_image"
    assert client.post(f"/api/v1/loads/{load.id}/evidence", headers=plant.manager.headers, data="[1]",
                       content_type="application/json").status_code == 422
    assert client.get(f"/api/v1/loads/{load.id}/evidence", headers=plant.buyer.headers).get_json()["items"] == []


def test_a_weight_off_the_order_comes_back_as_an_exception(client, plant):
    """The weigh ticket's answer carries the exception when the net weight is off the order by more than 2 %."""
    load = make_load(plant, weight_kg=20000)
    r = _post(client, plant.manager, load, kind="weigh_ticket", payload={"tare_kg": 14000, "gross_kg": 31000})
    assert r.status_code == 201
    assert r.get_json()["weight_exception"]["direction"] == "under"
    assert r.get_json()["items"][0]["payload"]["net_kg"] == 17000


def test_photos_upload_as_multipart_and_download_by_hash(client, plant, make_party):
    """Two photos in one upload become two items; each file downloads for parties only."""
    load = make_load(plant)
    r = client.post(f"/api/v1/loads/{load.id}/evidence", headers=plant.driver_user.headers,
                    data={"caption": "seal", "lat": "51.43", "lon": "6.76", "device_id": "phone-7",
                          "photos": [(io.BytesIO(PIXEL_PNG), "a.png"), (io.BytesIO(PIXEL_PNG), "b.png")]},
                    content_type="multipart/form-data")
    assert r.status_code == 201, r.get_json()
    items = r.get_json()["items"]
    assert [i["seq"] for i in items] == [1, 2] and items[0]["position"] == {"lat": 51.43, "lon": 6.76}
    assert items[0]["device_id"] == "phone-7" and items[0]["author_id"] == str(plant.driver_user.user_id)
    url = f"/api/v1/loads/{load.id}/evidence/files/{items[0]['payload']['sha256']}"
    assert client.get(url, headers=plant.seller.headers).data == PIXEL_PNG
    assert client.get(url, headers=make_party("buyer").headers).status_code == 404
    assert client.get(f"/api/v1/loads/{load.id}/evidence/files/{'0' * 64}", headers=plant.seller.headers).status_code == 404


def test_evidence_files_are_private_and_not_sniffed(client, plant):
    """A photo answers Cache-Control private, no-store, nosniff and an inline name made of its hash only."""
    load = make_load(plant)
    r = client.post(f"/api/v1/loads/{load.id}/evidence", headers=plant.driver_user.headers,
                    data={"photos": [(io.BytesIO(PIXEL_PNG), "<script>.html")]}, content_type="multipart/form-data")
    sha = r.get_json()["items"][0]["payload"]["sha256"]
    photo = client.get(f"/api/v1/loads/{load.id}/evidence/files/{sha}", headers=plant.seller.headers)
    assert photo.status_code == 200 and photo.mimetype == "image/png"
    assert photo.headers["Cache-Control"] == "private, no-store"
    assert photo.headers["X-Content-Type-Options"] == "nosniff"
    assert photo.headers["Content-Disposition"] == f"inline; filename={sha}.png"
    assert "ETag" not in photo.headers and "Expires" not in photo.headers


def test_the_bundle_shows_tampering(client, plant):
    """After a row is changed in the database, the bundle's verification names the item."""
    load = make_load(plant)
    for number in ("S1", "S2", "S3"):
        _post(client, plant.manager, load, kind="seal", payload={"seal_number": number})
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE evidence_items SET device_id = 'evil' WHERE load_id = :l AND seq = 2"),
                     {"l": load.id})
    verification = client.get(f"/api/v1/loads/{load.id}/evidence", headers=plant.buyer.headers).get_json()["verification"]
    assert (verification["ok"], verification["first_bad_seq"]) == (False, 2)


def test_proof_of_delivery_once_and_only_in_transit(client, plant):
    """A load still at the plant cannot be delivered; a multipart proof delivers it; a second proof is a 409."""
    waiting = make_load(plant)
    body = {"signed_by": "R. Receiver", "received_quantity": "40", "exceptions": '[{"code": "short", "note": "1 bag"}]'}
    r = client.post(f"/api/v1/loads/{waiting.id}/pod", headers=plant.buyer.headers, data=body,
                    content_type="multipart/form-data")
    assert r.status_code == 409 and r.get_json()["reason"] == "not_in_transit"
    moving = make_load(plant, status="in_transit")
    r = client.post(f"/api/v1/loads/{moving.id}/pod", headers=plant.driver_user.headers,
                    data={**body, "signature": (io.BytesIO(PIXEL_PNG), "sig.png")}, content_type="multipart/form-data")
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["exceptions"] == [{"code": "short", "note": "1 bag"}] and r.get_json()["signature_sha256"]
    again = client.post(f"/api/v1/loads/{moving.id}/pod", headers=plant.buyer.headers,
                        json={"signed_by": "X", "received_quantity": 1})
    assert again.status_code == 409
    bundle = client.get(f"/api/v1/loads/{moving.id}/evidence", headers=plant.seller.headers).get_json()
    assert bundle["proof_of_delivery"]["received_quantity"] == 40 and bundle["verification"]["ok"] is True
    assert bundle["items"][-1]["payload"]["signature_sha256"] == r.get_json()["signature_sha256"]
    assert client.post(f"/api/v1/loads/{moving.id}/pod", headers=plant.buyer.headers,
                       json={"signed_by": "", "received_quantity": -1}).status_code == 422


def test_an_item_cannot_name_a_file_that_was_never_uploaded(client, plant):
    """A photo item by a made-up hash is a 422, so the chain never points at a missing file."""
    load = make_load(plant)
    r = _post(client, plant.manager, load, kind="photo", payload={"sha256": "ab" * 32})
    assert r.status_code == 422 and r.get_json()["reason"] == "unknown_file"
    assert client.get(f"/api/v1/loads/{load.id}/evidence", headers=plant.buyer.headers).get_json()["items"] == []
