"""Socket.IO connections and room joins are authorised like the REST API, on both backends."""

import hashlib
from datetime import UTC, datetime, timedelta

from server.extensions import db, socketio
from server.models import TrackingLink
from server.realtime import emit_to_load, emit_to_orgs


def _connect(ctx, token=None):
    return socketio.test_client(ctx, auth={"token": token} if token else None)


def test_token_connect_joins_org_room_and_receives_org_events(ctx, make_party):
    """A client with a valid token connects and gets its organisation's events, not others'."""
    mine, other = make_party("carrier"), make_party("carrier")
    client = _connect(ctx, mine.token)
    assert client.is_connected()
    emit_to_orgs("board.new_load", {"load_id": 1}, [mine.id])
    emit_to_orgs("board.new_load", {"load_id": 2}, [other.id])
    received = [m["args"][0]["load_id"] for m in client.get_received() if m["name"] == "board.new_load"]
    assert received == [1]


def test_wrong_token_cannot_connect(ctx):
    """A made-up token is refused at connect."""
    client = _connect(ctx, "haul_not_a_real_token")
    assert not client.is_connected()


def test_party_joins_load_room_and_stranger_is_refused(ctx, make_party, trade, make_load):
    """The buyer may join its load's room and gets its events; an unrelated buyer is refused."""
    load = make_load(trade)
    buyer = _connect(ctx, trade["buyer"].token)
    ack = buyer.emit("join", {"load_id": load.id}, callback=True)
    assert ack["ok"] is True
    stranger = _connect(ctx, make_party("buyer").token)
    assert stranger.emit("join", {"load_id": load.id}, callback=True) == {"ok": False, "error": "forbidden"}
    emit_to_load("position", {"lat": 1.0}, load.id)
    assert any(m["name"] == "position" for m in buyer.get_received())
    assert not any(m["name"] == "position" for m in stranger.get_received())


def test_anonymous_join_needs_a_live_tracking_token(ctx, trade, make_load):
    """Without login, only a valid, unexpired tracking token opens a room."""
    load = make_load(trade)
    token = "public-token-123456"
    db.session.add(TrackingLink(load_id=load.id, token_hash=hashlib.sha256(token.encode()).hexdigest(),
                                expires_at=datetime.now(UTC) + timedelta(hours=1)))
    expired = "expired-token-123456"
    db.session.add(TrackingLink(load_id=load.id, token_hash=hashlib.sha256(expired.encode()).hexdigest(),
                                expires_at=datetime.now(UTC) - timedelta(minutes=1)))
    db.session.commit()
    anonymous = _connect(ctx)
    assert anonymous.emit("join", {"load_id": load.id}, callback=True)["error"] == "not_authenticated"
    assert anonymous.emit("join", {"tracking_token": "wrong-token-0000"}, callback=True)["error"] == "forbidden"
    assert anonymous.emit("join", {"tracking_token": expired}, callback=True)["error"] == "expired"
    assert anonymous.emit("join", {"tracking_token": token}, callback=True)["ok"] is True


def test_malformed_join_requests_are_refused(ctx, make_party):
    """Non-dict payloads, booleans and huge ids are refused without an error."""
    client = _connect(ctx, make_party("buyer").token)
    for payload in ("x", {"load_id": True}, {"load_id": 2**40}, {"nothing": 1}):
        assert client.emit("join", payload, callback=True)["ok"] is False
