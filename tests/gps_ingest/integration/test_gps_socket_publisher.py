"""Socket.IO fan-out and the worker's ack bookkeeping, without any service."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from gps_ingest import (
    IngestSettings,
    InMemoryPositionStore,
    InMemoryPublisher,
    StaticResolver,
    build_pipeline,
)
from gps_ingest.model import Event, Position
from gps_ingest.room_directory import StaticRooms
from gps_ingest.socket_publisher import FanOut, SocketPublisher
from gps_ingest.worker import MqttIngestWorker, WorkerOptions

T0 = datetime(2024, 6, 10, 8, 0, tzinfo=UTC)


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def _fix(seconds, vehicle="7"):
    return Position(message_id="m", source="haul", vehicle_id=vehicle, time=T0 + timedelta(seconds=seconds),
                    lat=51.0, lon=7.0)


def test_positions_are_throttled_but_the_newest_goes_out_later():
    """Within the interval only the first fix is emitted; the newest pending one follows when it ends."""
    sent, clock = [], Clock()
    publisher = SocketPublisher(lambda e, d, r: sent.append((e, d["time"], r)), StaticRooms({"7": ["load:1"]}),
                                min_interval_s=1.0, clock=clock)
    for second in range(5):
        publisher.publish_position(_fix(second))
    publisher.drain()
    assert [s[1] for s in sent] == [_fix(0).time.isoformat()]
    clock.now = 1.5
    assert publisher.flush_due() == 1
    publisher.drain()
    assert sent[-1][1] == _fix(4).time.isoformat() and publisher.throttled == 4


def test_events_are_not_throttled_and_carry_the_load():
    """Every event reaches every room of the vehicle, tagged with its load id; a batch is one emit per room."""
    sent = []
    publisher = SocketPublisher(lambda e, d, r: sent.append((e, d, r)),
                                StaticRooms({"7": ["load:1", "org:2"]}, loads={"7": 1}), clock=Clock())
    for _ in range(3):
        publisher.publish_event(Event("7", "dwell", T0, "5"))
    publisher.drain()
    assert sorted((e, r, len(d)) for e, d, r in sent) == [("events", "load:1", 3), ("events", "org:2", 3)]
    assert all(item["load_id"] == 1 for _, d, _ in sent for item in d)
    publisher.publish_event(Event("7", "dwell", T0, "5"))
    publisher.drain()
    assert sorted((e, r) for e, _, r in sent[2:]) == [("event", "load:1"), ("event", "org:2")]


def test_positions_of_a_room_go_out_as_one_batch_with_one_redis_round_trip():
    """Fixes of many vehicles due together reach a shared room as one list; a `many` emitter gets it all."""
    batches = []

    class Emitter:
        def __call__(self, *_):
            raise AssertionError("one call per batch expected")

        def many(self, items):
            batches.append(items)

    rooms = StaticRooms({str(v): [f"load:{v}", "org:9"] for v in range(3)})
    publisher = SocketPublisher(Emitter(), rooms, clock=Clock())
    for v in range(3):
        publisher.publish_position(_fix(0, vehicle=str(v)))
    assert publisher.drain() == 4 and len(batches) == 1
    by_room = {r: (e, d) for e, d, r in batches[0]}
    assert by_room["load:1"][0] == "position" and by_room["load:1"][1]["vehicle_id"] == "1"
    assert by_room["org:9"][0] == "positions" and [d["vehicle_id"] for d in by_room["org:9"][1]] == ["0", "1", "2"]


def test_a_steady_1hz_tracker_is_not_held_back_by_flush_jitter():
    """A fix a full second of fix time after the last one sent goes out at once, even 0.9 s of wall time later."""
    sent, clock = [], Clock()
    publisher = SocketPublisher(lambda e, d, r: sent.append(d["time"]), StaticRooms({"7": ["load:1"]}),
                                min_interval_s=1.0, clock=clock)
    publisher.publish_position(_fix(0))
    publisher.drain()
    clock.now = 0.9
    publisher.publish_position(_fix(1))
    publisher.drain()
    clock.now = 1.2
    publisher.publish_position(_fix(1.2))  # a 5 Hz burst is still throttled
    publisher.drain()
    assert sent == [_fix(0).time.isoformat(), _fix(1).time.isoformat()] and publisher.throttled == 1


def test_one_late_fix_does_not_hold_back_the_punctual_ones_after_it():
    """After a fix that a stall made 0.6 s late, a 1 Hz tracker's next fixes go out at once; bursts stay throttled."""
    sent, clock = [], Clock()
    publisher = SocketPublisher(lambda e, d, r: sent.append(d["time"]), StaticRooms({"7": ["load:1"]}),
                                min_interval_s=1.0, clock=clock)
    for second, wall in ((0, 0.0), (1, 1.6), (2, 2.05), (3, 2.98), (4, 4.02), (4.2, 4.2)):
        clock.now = wall
        publisher.publish_position(_fix(second))
        publisher.drain()
    assert sent == [_fix(s).time.isoformat() for s in range(5)] and publisher.throttled == 1


def test_full_queue_drops_the_oldest_emit():
    """A bounded queue keeps the newest emits when the emitter cannot keep up."""
    publisher = SocketPublisher(lambda *_: None, StaticRooms({"7": ["r"]}), min_interval_s=0.0, max_queue=2,
                                clock=Clock())
    for second in range(4):
        publisher.publish_position(_fix(second))
    assert publisher.dropped == 2


def test_fanout_reaches_every_publisher_even_if_one_fails():
    """A failing sink does not starve the next one; the failure is re-raised for the counter."""
    good = InMemoryPublisher()

    class Broken:
        def publish_position(self, _p):
            raise RuntimeError("down")

        def publish_event(self, _e):
            raise RuntimeError("down")

    fan = FanOut(Broken(), good)
    with pytest.raises(RuntimeError):
        fan.publish_position(_fix(0))
    assert len(good.positions) == 1


def test_shared_subscriptions_only_on_mqtt5():
    """MQTT 5 workers use $share topics in their group; 3.1.1 workers subscribe plainly."""
    assert WorkerOptions(share_group="g").subscriptions() == ["$share/g/haul/v1/vehicles/+/position",
                                                               "$share/g/owntracks/+/+"]
    assert WorkerOptions(mqtt5=False).subscriptions() == ["haul/v1/vehicles/+/position", "owntracks/+/+"]


def test_worker_acks_after_commit_and_skips_acks_of_an_old_connection():
    """A message is acked only once flushed into the store; one delivered before a reconnect is not acked."""
    store = InMemoryPositionStore()
    pipeline = build_pipeline(resolver=StaticResolver({("haul", "7"): "7"}), store=store,
                              publisher=InMemoryPublisher(), settings=IngestSettings(reorder_hold_s=0.0))
    worker = MqttIngestWorker(pipeline, WorkerOptions())
    acked = []
    worker._client.ack = lambda mid, qos: acked.append(mid)
    now = datetime.now(UTC) - timedelta(minutes=1)

    def payload(seconds):
        t = int((now + timedelta(seconds=seconds)).timestamp() * 1000)
        return json.dumps({"_type": "position", "v": 1, "t": t, "lat": 51.0, "lon": 7.0}).encode()

    worker._generation = 1
    worker._submit(1, 11, 1, "haul/v1/vehicles/7/position", payload(0))
    assert acked == [] and len(store.rows) == 0
    worker._ack(pipeline.flush())
    assert acked == [11] and len(store.rows) == 1
    worker._submit(1, 12, 1, "haul/v1/vehicles/7/position", payload(1))
    worker._generation = 2  # reconnected: the broker will redeliver mid 12 on the new connection
    worker._ack(pipeline.flush())
    assert acked == [11] and worker.stale_acks == 1 and len(store.rows) == 2
