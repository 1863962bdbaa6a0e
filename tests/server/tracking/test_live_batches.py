"""Batched live frames: one Redis message per ingest flush, split by each server into one message per client."""

from __future__ import annotations

from datetime import UTC, datetime

import socketio
from socketio import packet as sio_packet

from gps_ingest.model import Event, Position
from gps_ingest.room_directory import StaticRooms
from gps_ingest.socket_publisher import SocketPublisher
from server.tracking.live_batches import (
    BATCH_EVENT,
    BATCH_ROOM,
    BatchingRedisManager,
    client_manager,
    encode_event,
)

T0 = datetime(2024, 6, 10, 8, 0, tzinfo=UTC)


def _server():
    """A Socket.IO server on the batching manager (never connected to Redis) and what it sends."""
    manager = BatchingRedisManager("redis://127.0.0.1:1/0", channel="test")
    server = socketio.Server(client_manager=manager)
    sent: dict[str, list] = {}

    def send(eio_sid, pkt):
        decoded = sio_packet.Packet(encoded_packet=pkt.data)
        sent.setdefault(eio_sid, []).append((decoded.data[0], decoded.data[1]))

    server._send_eio_packet = send
    return manager, sent


def _join(manager, eio_sid: str, *rooms: str) -> None:
    sid = manager.connect(eio_sid, "/")
    for room in rooms:
        manager.enter_room(sid, "/", room)


def _fix(vehicle: str, second: int = 0) -> dict:
    return {"vehicle_id": vehicle, "time": f"2024-06-10T08:00:0{second}+00:00", "lat": 51.0, "lon": 7.0}


def test_each_client_gets_one_message_with_every_item_of_its_rooms_once():
    """A client in a fleet room and a load room gets the fix once; items keep the frame's order."""
    manager, sent = _server()
    _join(manager, "fleet+load", "org:1", "load:7")
    _join(manager, "load-only", "load:7")
    _join(manager, "other", "load:8")
    frame = {"positions": [_fix("7"), _fix("9")], "events": [{"kind": "arrived", "vehicle_id": "7"}],
             "rooms": {"org:1": [[0, 1], [0]], "load:7": [[0], [0]], "load:99": [[1], []]}}
    assert manager.deliver_frame(frame) == 4
    assert sent["fleet+load"] == [("positions", [_fix("7"), _fix("9")]),
                                  ("event", {"kind": "arrived", "vehicle_id": "7"})]
    assert sent["load-only"] == [("position", _fix("7")), ("event", {"kind": "arrived", "vehicle_id": "7"})]
    assert "other" not in sent


def test_indices_that_name_no_item_are_skipped_and_the_rest_delivered():
    """A malformed frame (index past the end, negative, not a number) loses only those entries."""
    manager, sent = _server()
    _join(manager, "a", "load:7")
    frame = {"positions": [_fix("7")], "events": [], "rooms": {"load:7": [[0, 5, -1, "0", None], [3]]}}
    assert manager.deliver_frame(frame) == 1
    assert sent["a"] == [("position", _fix("7"))]


def test_a_frame_arrives_through_the_pubsub_emit_and_ordinary_emits_still_work():
    """The frame travels as an emit to the batch room; other emits reach their room as before."""
    manager, sent = _server()
    _join(manager, "a", "load:7")
    manager._handle_emit({"method": "emit", "event": BATCH_EVENT, "room": BATCH_ROOM, "namespace": "/",
                          "data": [{"positions": [_fix("7")], "events": [], "rooms": {"load:7": [[0], []]}}]})
    manager._handle_emit({"method": "emit", "event": "event", "room": "load:7", "namespace": "/",
                          "data": [{"kind": "probe"}]})
    manager._handle_emit({"method": "emit", "event": BATCH_EVENT, "room": BATCH_ROOM, "namespace": "/",
                          "data": ["not a frame"]})
    assert sent["a"] == [("position", _fix("7")), ("event", {"kind": "probe"})]


def test_encoded_events_are_what_socketio_encodes():
    """The hand-built packet is byte for byte the library's encoding of the same event."""
    one = encode_event("position", ['{"a":1}'])
    many = encode_event("position", ['{"a":1}', '{"b":[2]}'])
    assert one == sio_packet.Packet(sio_packet.EVENT, data=["position", {"a": 1}]).encode()
    assert many == sio_packet.Packet(sio_packet.EVENT, data=["positions", [{"a": 1}, {"b": [2]}]]).encode()


def test_no_redis_means_the_in_process_default_manager():
    """Without REDIS_URL the server keeps Socket.IO's own in-process manager."""
    assert client_manager(None, "c") is None and client_manager("", "c") is None
    assert isinstance(client_manager("redis://127.0.0.1:6379/0", "c"), BatchingRedisManager)


def test_the_publisher_hands_a_batching_emitter_one_frame_with_each_item_once():
    """Fixes and events of one drain become one frame; a fix for two rooms is in it once."""
    frames = []

    class Emitter:
        def __call__(self, *_):
            raise AssertionError("one frame expected")

        def batch(self, frame):
            frames.append(frame)

    rooms = StaticRooms({"1": ["org:9", "load:1"], "2": ["org:9", "load:2"]}, loads={"1": 1, "2": 2})
    publisher = SocketPublisher(Emitter(), rooms, clock=lambda: 0.0)
    for vehicle in ("1", "2"):
        publisher.publish_position(Position("m", "haul", vehicle, T0, 51.0, 7.0))
    publisher.publish_event(Event("2", "arrived_delivery", T0, "5"))
    assert publisher.drain() == 1 and publisher.sent == 1 and len(frames) == 1
    frame = frames[0]
    assert [(p["vehicle_id"], p["load_id"]) for p in frame["positions"]] == [("1", 1), ("2", 2)]
    assert [e["kind"] for e in frame["events"]] == ["arrived_delivery"]
    assert frame["rooms"] == {"org:9": [[0, 1], [0]], "load:1": [[0], []], "load:2": [[1], [0]]}
