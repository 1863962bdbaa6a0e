"""Public tracking links: who may create them, what the page and API show, and expiry (410)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from server.db.types import utcnow
from server.extensions import db, socketio
from server.models import TrackingLink


def _create(client, party, load_id, **body):
    return client.post(f"/api/v1/loads/{load_id}/tracking-links", headers=party.headers, json=body)


def test_buyer_creates_link_and_only_its_hash_is_stored(client, trade, make_load):
    """The buyer gets a token once; the database holds its SHA-256, never the token."""
    load = make_load(trade)
    response = _create(client, trade["buyer"], load.id, ttl_hours=2)
    assert response.status_code == 201
    body = response.get_json()
    assert body["url"] == f"/track/{body['token']}"
    stored = db.session.scalars(select(TrackingLink.token_hash)).all()
    assert body["token"] not in stored and len(stored) == 1 and len(stored[0]) == 64
    listed = client.get(f"/api/v1/loads/{load.id}/tracking-links", headers=trade["seller"].headers).get_json()
    assert [link["id"] for link in listed] == [body["id"]] and "token" not in listed[0]


def test_carrier_and_strangers_cannot_create_links(client, trade, make_load, make_party):
    """The awarded carrier gets 403; an unrelated buyer gets 404 (the load's existence does not leak)."""
    carrier = make_party("carrier")
    load = make_load(trade, carrier=carrier)
    assert _create(client, carrier, load.id).status_code == 403
    assert _create(client, make_party("buyer"), load.id).status_code == 404
    assert _create(client, trade["buyer"], load.id, ttl_hours=10_000).status_code == 422


def test_page_and_api_show_load_without_login(client, trade, make_load):
    """Anyone with the token sees the status and timeline on the page and in the JSON API."""
    load = make_load(trade, reference="L-PUBLIC", status="in_transit")
    token = _create(client, trade["buyer"], load.id).get_json()["token"]
    page = client.get(f"/track/{token}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "L-PUBLIC" in html and "in_transit" in html
    assert page.headers["Referrer-Policy"] == "no-referrer"
    snapshot = client.get(f"/api/v1/track/{token}").get_json()
    assert snapshot["load_id"] == load.id and snapshot["status"] == "in_transit"
    assert snapshot["timeline"] == [] and snapshot["position"] is None


def test_expired_and_revoked_links_answer_410(client, trade, make_load):
    """An expired link and withdrawn links answer 410 on page and JSON; an unknown one 404."""
    load, other = make_load(trade), make_load(trade, reference="L-2")
    first = _create(client, trade["buyer"], load.id).get_json()
    link = db.session.get(TrackingLink, first["id"])
    link.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    second = _create(client, trade["seller"], other.id).get_json()
    kept = _create(client, trade["seller"], load.id).get_json()
    assert client.get(f"/track/{kept['token']}").status_code == 200
    revoked = client.delete(f"/api/v1/loads/{other.id}/tracking-links", headers=trade["seller"].headers)
    assert revoked.status_code == 204
    third = _create(client, trade["buyer"], load.id).get_json()
    one = client.delete(f"/api/v1/loads/{load.id}/tracking-links/{third['id']}", headers=trade["buyer"].headers)
    assert one.status_code == 204 and client.get(f"/track/{third['token']}").status_code == 410
    for token in (first["token"], second["token"]):
        assert client.get(f"/track/{token}").status_code == 410
        state = client.get(f"/api/v1/track/{token}")
        assert state.status_code == 410 and state.mimetype == "application/problem+json"
    assert client.get(f"/api/v1/track/{kept['token']}").status_code == 200
    assert client.get("/track/no-such-token-000").status_code == 404
    assert client.get("/api/v1/track/no-such-token-000").status_code == 404


def test_socket_join_with_link_gets_snapshot(ctx, client, trade, make_load):
    """Joining a tracking room answers with the load snapshot from the registered provider."""
    load = make_load(trade, reference="L-SNAP", status="assigned")
    token = _create(client, trade["buyer"], load.id).get_json()["token"]
    anonymous = socketio.test_client(ctx)
    ack = anonymous.emit("join", {"tracking_token": token}, callback=True)
    assert ack["ok"] is True
    assert ack["snapshot"]["reference"] == "L-SNAP" and ack["snapshot"]["status"] == "assigned"
    buyer = socketio.test_client(ctx, auth={"token": trade["buyer"].token})
    assert buyer.emit("join", {"load_id": load.id}, callback=True)["snapshot"]["load_id"] == load.id
