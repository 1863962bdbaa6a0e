"""The per-device garbage brake (gps_ingest.device_brake): garbage over a device's bucket is dropped as
rate_limited, quietly and counted; its good fixes keep flowing; other devices are untouched; sustained
garbage flags and then suspends the device once per window; Redis shares one limit across workers."""

from __future__ import annotations

import json
import logging
import uuid

import pytest

from gps_ingest import (
    IngestSettings,
    InMemoryPositionStore,
    InMemoryPublisher,
    Message,
    Metrics,
    build_pipeline,
)
from gps_ingest.device_brake import (
    FLAGGED,
    SUSPENDED,
    BrakeLimits,
    DeviceBrake,
    LocalGarbageBuckets,
    device_key,
)
from gps_ingest.model import DropReason
from gps_ingest.shared_brake import _TAKE, RETRY_S, RedisGarbageBuckets


class Seconds:
    """A monotonic seconds clock that moves only when told to."""

    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def _rig(clock, resolver, limits: BrakeLimits, buckets=None, abuse=None):
    metrics = Metrics()
    seconds = Seconds()
    brake = DeviceBrake(buckets or LocalGarbageBuckets(limits), limits,
                        on_abuse=(lambda *a: abuse.append(a)) if abuse is not None else None, clock=seconds)
    store = InMemoryPositionStore()
    pipeline = build_pipeline(resolver=resolver, store=store, publisher=InMemoryPublisher(),
                              settings=IngestSettings(reorder_hold_s=0.0), clock=clock, metrics=metrics, brake=brake)
    return pipeline, metrics, store, seconds


def _fix(clock, seconds: float, lat: float = 51.92, lon: float = 4.48) -> bytes:
    t = int((clock.now.timestamp() + seconds) * 1000)
    return json.dumps({"_type": "position", "v": 1, "t": t, "lat": lat, "lon": lon}).encode()


_ids = iter(range(1, 10**9))


def _send(pipeline, topic: str, payload: bytes, device: str | None = None) -> None:
    pipeline.submit(Message(f"m{next(_ids)}", "mqtt" if device is None else "http", topic=topic, payload=payload,
                            device=device))


TRUCK_1 = "haul/v1/vehicles/truck-1/position"
TRUCK_2 = "haul/v1/vehicles/truck-2/position"


def test_device_key_names_the_sender():
    """The key is the authenticated login, else the Haul topic's vehicle, else the OwnTracks user."""
    assert device_key(Message("1", "mqtt", topic=TRUCK_1)) == "vehicle:truck-1"
    assert device_key(Message("1", "mqtt", topic="owntracks/jan/truck7")) == "login:jan"
    assert device_key(Message("1", "http", topic="owntracks/jan/truck7", device="dev-1")) == "login:dev-1"
    assert device_key(Message("1", "mqtt", topic="elsewhere/x")) is None


def test_garbage_over_the_bucket_is_rate_limited_and_good_fixes_still_land(clock, resolver, caplog):
    """Past the burst, bad JSON, out-of-range, future and oversize messages count as rate_limited without a log
    line each; valid fixes of the same device, sent in between, are all stored."""
    pipeline, metrics, store, _ = _rig(clock, resolver, BrakeLimits(burst=5, per_s=0.001))
    garbage = [b"{not json", _fix(clock, 0, lat=123.0), _fix(clock, 3600), b"x" * (300 * 1024)]
    with caplog.at_level(logging.INFO, logger="gps_ingest.drop"):
        for i in range(40):
            _send(pipeline, TRUCK_1, garbage[i % len(garbage)])
            _send(pipeline, TRUCK_1, _fix(clock, -100 + i))
        pipeline.flush(drain=True)
    counts = metrics.snapshot()
    assert counts["dropped_rate_limited"] == 35
    own = sum(counts[f"dropped_{r}"] for r in ("malformed_json", "lat_out_of_range", "future", "oversized"))
    assert own == 5
    assert len([r for r in caplog.records if r.name == "gps_ingest.drop"]) == 5
    assert len(store.rows) == 40


def test_one_token_per_message_however_many_bad_fixes(clock, resolver):
    """A batch of bad fixes takes one token; once braked, each of its drops counts as rate_limited."""
    pipeline, metrics, _, _ = _rig(clock, resolver, BrakeLimits(burst=1, per_s=0.001))
    bad = {"_type": "batch", "v": 1, "positions": [{"t": 1, "lat": 999, "lon": 4} for _ in range(3)]}
    _send(pipeline, TRUCK_1, json.dumps(bad).encode())
    _send(pipeline, TRUCK_1, json.dumps(bad).encode())
    counts = metrics.snapshot()
    assert counts["dropped_time_out_of_range"] == 3
    assert counts["dropped_rate_limited"] == 3


def test_another_device_is_not_braked(clock, resolver):
    """One device's flood leaves another device's garbage counted under its own reason."""
    pipeline, metrics, _, _ = _rig(clock, resolver, BrakeLimits(burst=2, per_s=0.001))
    for _ in range(10):
        _send(pipeline, TRUCK_1, b"{")
    _send(pipeline, TRUCK_2, b"{")
    counts = metrics.snapshot()
    assert counts["dropped_malformed_json"] == 3
    assert counts["dropped_rate_limited"] == 8


def test_honest_noise_never_takes_a_token(clock, resolver):
    """Duplicates and zero fixes (what honest phones send) are not garbage: never rate_limited."""
    pipeline, metrics, _, _ = _rig(clock, resolver, BrakeLimits(burst=1, per_s=0.001))
    for _ in range(5):
        _send(pipeline, TRUCK_1, _fix(clock, -10))
        _send(pipeline, TRUCK_1, _fix(clock, -5, lat=0.0, lon=0.0))
    counts = metrics.snapshot()
    assert counts["dropped_rate_limited"] == 0
    assert counts["dropped_duplicate"] == 4 and counts["dropped_zero_fix"] == 5


def test_the_bucket_refills(clock, resolver):
    """After a quiet spell the device may send garbage again under its own reason."""
    pipeline, metrics, _, seconds = _rig(clock, resolver, BrakeLimits(burst=2, per_s=1.0))
    for _ in range(4):
        _send(pipeline, TRUCK_1, b"{")
    seconds.now += 2.0
    _send(pipeline, TRUCK_1, b"{")
    counts = metrics.snapshot()
    assert counts["dropped_malformed_json"] == 3 and counts["dropped_rate_limited"] == 2


def test_sustained_garbage_flags_then_suspends_once_per_window(clock, resolver):
    """At flag_after braked messages in a window the device is flagged, at suspend_after suspended; once each."""
    abuse: list[tuple] = []
    limits = BrakeLimits(burst=1, per_s=0.001, window_s=600, flag_after=3, suspend_after=6)
    pipeline, _, _, seconds = _rig(clock, resolver, limits, abuse=abuse)
    for _ in range(20):
        _send(pipeline, TRUCK_1, b"{")
    assert abuse == [("vehicle:truck-1", FLAGGED, 3), ("vehicle:truck-1", SUSPENDED, 6)]
    seconds.now += 600
    for _ in range(3):
        _send(pipeline, TRUCK_1, b"{")
    assert abuse[-1] == ("vehicle:truck-1", FLAGGED, 3)


def test_a_failing_abuse_report_does_not_stop_the_pipeline(clock, resolver):
    """An exception from on_abuse is logged; the message is still dropped and committed."""
    limits = BrakeLimits(burst=1, per_s=0.001, flag_after=1)
    brake = DeviceBrake(LocalGarbageBuckets(limits), limits, on_abuse=lambda *a: 1 / 0, clock=Seconds())
    metrics = Metrics()
    pipeline = build_pipeline(resolver=resolver, store=InMemoryPositionStore(), publisher=InMemoryPublisher(),
                              clock=clock, metrics=metrics, brake=brake)
    done = [pipeline.submit(Message(str(i), "mqtt", topic=TRUCK_1, payload=b"{")) for i in range(3)]
    assert done == [["0"], ["1"], ["2"]]
    assert metrics.snapshot()["dropped_rate_limited"] == 2


@pytest.fixture
def redis_client():
    redis = pytest.importorskip("redis")
    client = redis.Redis(socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("no Redis on localhost:6379")
    prefix = f"test:brake:{uuid.uuid4().hex}"
    yield client, prefix
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def test_redis_buckets_hold_one_limit_across_workers(redis_client):
    """Two workers' brakes on one Redis share the bucket and the window count: one flag in all."""
    client, prefix = redis_client
    limits = BrakeLimits(burst=4, per_s=0.001, flag_after=5, suspend_after=0)
    abuse: list[tuple] = []
    clock = Seconds()
    workers = [DeviceBrake(RedisGarbageBuckets(client, limits, prefix), limits, lambda *a: abuse.append(a), clock)
               for _ in range(2)]
    allowed = [workers[i % 2].admit(DropReason.MALFORMED_JSON, Message(f"w{i}", "mqtt", topic=TRUCK_1))
               for i in range(20)]
    assert allowed == [True] * 4 + [False] * 16
    assert abuse == [("vehicle:truck-1", FLAGGED, 5)]
    clock.now += 2000  # refilled (0.001/s)
    assert workers[0].admit(DropReason.MALFORMED_JSON, Message("later", "mqtt", topic=TRUCK_1))


def test_redis_away_falls_back_to_this_process_and_is_asked_again_later(redis_client):
    """A Redis that does not answer: the brake counts locally, asks Redis only every RETRY_S, then uses it again."""
    import redis

    client, prefix = redis_client
    limits = BrakeLimits(burst=1, per_s=0.001)
    monotonic = Seconds(0.0)
    buckets = RedisGarbageBuckets(redis.Redis(port=1, socket_timeout=0.2, socket_connect_timeout=0.2), limits,
                                  prefix, monotonic)
    calls = []
    real = buckets._script
    buckets._script = lambda **kw: calls.append(1) or real(**kw)
    assert buckets.take("vehicle:x", 1.0) == (True, 0)
    assert buckets.take("vehicle:x", 1.0) == (False, 1)
    assert len(calls) == 1  # the second take did not wait for Redis again
    buckets._script = client.register_script(_TAKE)  # Redis is back
    monotonic.now += RETRY_S
    assert buckets.take("vehicle:y", 1.0) == (True, 0)
    assert client.exists(f"{prefix}:bucket:vehicle:y")

