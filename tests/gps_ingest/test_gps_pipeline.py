"""End-to-end tests for gps_ingest.pipeline with the in-memory store and publisher."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gps_ingest import (
    IngestSettings,
    InMemoryPositionStore,
    InMemoryPublisher,
    Message,
    Metrics,
    RemainingRoute,
    StaticPlans,
    build_pipeline,
)
from gps_ingest.acks import InOrderAcks
from gps_ingest.checks import ValidateStep
from gps_ingest.decode import DecodeStep
from gps_ingest.decoders import default_decoders
from gps_ingest.pipeline import Pipeline
from gps_ingest.store import StoreStep

PLANT = (51.9, 4.4)  # inside plant-rtm (pickup) and yard-rtm
BUYER = (51.8, 4.67)  # inside buyer-dordt (delivery)
ROAD = (51.85, 4.55)  # between the sites
NEAR_PLANT = (51.915, 4.4)  # 1.7 km north of PLANT, outside the yard
NEAR_BUYER = (51.81, 4.67)  # 1.1 km north of BUYER, outside its zone


class Rig:
    """A pipeline wired to in-memory parts, plus helpers to feed it Haul messages."""

    def __init__(self, clock, resolver, zone_index, store=None, plans=None, **overrides):
        self.clock = clock
        self.store = store if store is not None else InMemoryPositionStore()
        self.publisher = InMemoryPublisher()
        self.metrics = Metrics()
        self.settings = IngestSettings(**{"reorder_hold_s": 5.0, **overrides})
        self.pipeline = build_pipeline(
            resolver=resolver,
            store=self.store,
            publisher=self.publisher,
            zones=zone_index,
            plans=plans,
            settings=self.settings,
            clock=clock,
            metrics=self.metrics,
        )
        self.acked: list[str] = []

    def message(self, message_id, fixes, vehicle="truck-1"):
        """A Haul batch message of (seconds from the clock, (lat, lon), speed) fixes."""
        positions = [
            {
                "t": int((self.clock() + timedelta(seconds=s)).timestamp() * 1000),
                "lat": ll[0],
                "lon": ll[1],
                "speed": v,
            }
            for s, ll, v in fixes
        ]
        body = json.dumps({"_type": "batch", "v": 1, "positions": positions}).encode()
        return Message(message_id, "mqtt", f"haul/v1/vehicles/{vehicle}/position", body)

    def submit(self, message):
        self.acked += self.pipeline.submit(message)

    def flush(self, drain=False):
        self.acked += self.pipeline.flush(drain)

    def tick(self, seconds):
        """Let time pass and run the periodic flush."""
        self.clock.advance(seconds)
        self.flush()

    def event_kinds(self):
        return [(e.kind, e.site_id) for e in self.publisher.events]


@pytest.fixture
def rig(clock, resolver, zone_index):
    return Rig(clock, resolver, zone_index)


def test_trip_from_plant_to_buyer_emits_events_and_acks_everything(clock, resolver, zone_index):
    """A trip stores every fix, publishes each once, emits the trip's events and acks every message."""
    plans = StaticPlans({"truck-1": RemainingRoute("buyer-dordt")})
    rig = Rig(clock, resolver, zone_index, plans=plans, dwell_minutes=10)
    trip = [(ROAD, 15.0), (PLANT, 5.0), (PLANT, 0.0), (PLANT, 0.0), (ROAD, 20.0), (BUYER, 3.0)]
    minutes = [0, 30, 31, 42, 60, 100]
    start = clock()
    for i, ((where, speed), minute) in enumerate(zip(trip, minutes, strict=True)):
        clock.now = start + timedelta(minutes=minute)
        rig.submit(rig.message(f"m{i}", [(0, where, speed)]))
        rig.tick(6)
    assert rig.acked == [f"m{i}" for i in range(6)]
    assert len(rig.store.rows) == 6 and len(rig.publisher.positions) == 6
    kinds = [k for k, _ in rig.event_kinds() if k != "eta_changed"]
    assert kinds == [
        "zone_enter",
        "zone_enter",  # plant and yard
        "dwell",
        "dwell",  # 11 minutes stationary at minute 42
        "zone_exit",
        "zone_exit",
        "zone_enter",  # the buyer's site
    ]
    assert ("eta_changed", "buyer-dordt") in rig.event_kinds()
    assert rig.metrics.accepted == 6 and rig.metrics.stored == 6 and rig.pipeline.pending() == 0


def test_redelivered_message_is_a_no_op(rig):
    """Delivering the same message again stores, publishes and emits nothing new, and is acked."""
    message = rig.message("m1", [(-300, NEAR_PLANT, 10.0), (-200, PLANT, 10.0)])
    rig.submit(message)
    rig.tick(6)
    before = (dict(rig.store.rows), list(rig.publisher.positions), list(rig.publisher.events))
    rig.submit(message)
    rig.tick(6)
    assert rig.acked == ["m1", "m1"]
    assert (rig.store.rows, rig.publisher.positions, rig.publisher.events) == before
    assert rig.metrics.counts["duplicate"] == 2


def test_redelivery_after_a_restart_is_a_no_op(clock, resolver, zone_index):
    """After a restart the filter has forgotten the fix, but the store's uniqueness makes it a no-op."""
    first = Rig(clock, resolver, zone_index)
    message = first.message("m1", [(-300, NEAR_PLANT, 10.0), (-200, PLANT, 10.0)])
    first.submit(message)
    first.tick(6)
    restarted = Rig(clock, resolver, zone_index, store=first.store)
    restarted.submit(message)
    restarted.tick(6)
    assert restarted.acked == ["m1"]
    assert (
        len(first.store.rows) == 2
        and restarted.publisher.positions == []
        and restarted.publisher.events == []
    )
    assert restarted.metrics.duplicates == 2 and restarted.metrics.stored == 0


def test_late_batch_is_replayed_in_order_before_events(rig):
    """A buffered batch arriving after a newer live fix is replayed in time order, so the arrival is at the right time."""
    rig.submit(rig.message("m0", [(-600, NEAR_BUYER, 5.0)]))
    rig.tick(6)
    rig.submit(rig.message("live", [(0, BUYER, 0.0)]))
    rig.tick(2)
    batch_time = rig.clock()
    rig.submit(rig.message("batch", [(-120, BUYER, 2.0), (-300, NEAR_BUYER, 5.0)]))
    rig.tick(4)
    assert rig.acked == ["m0", "live", "batch"]
    arrival = [e for e in rig.publisher.events if e.kind == "zone_enter" and e.site_id == "buyer-dordt"]
    assert len(arrival) == 1 and arrival[0].time == batch_time - timedelta(seconds=120)
    assert not any(e.kind == "zone_exit" for e in rig.publisher.events)
    published = [p.time for p in rig.publisher.positions]
    assert published == sorted(published)


def test_too_late_fix_is_stored_but_not_used_for_events(rig):
    """A fix older than one already released is stored and published as late, without events."""
    rig.submit(rig.message("m0", [(0, NEAR_BUYER, 20.0)]))
    rig.tick(6)
    rig.submit(rig.message("old", [(-60, BUYER, 0.0)]))
    rig.tick(6)
    assert rig.acked == ["m0", "old"] and len(rig.store.rows) == 2
    assert rig.publisher.positions[-1].late and rig.publisher.events == []


def test_acks_wait_for_the_commit(clock, resolver, zone_index):
    """A message is acked only after its fixes left the reorder buffer and were written."""

    class DownStore(InMemoryPositionStore):
        down = True

        def write(self, positions):
            if self.down:
                raise ConnectionError("database unavailable")
            return super().write(positions)

    store = DownStore()
    rig = Rig(clock, resolver, zone_index, store=store)
    rig.submit(rig.message("m1", [(0, ROAD, 10.0)]))
    rig.flush()
    assert rig.acked == []  # still in the reorder window
    rig.tick(6)
    assert rig.acked == [] and rig.metrics.store_errors == 1  # write failed: not committed
    store.down = False
    rig.tick(1)
    assert rig.acked == ["m1"] and len(store.rows) == 1


def test_acks_are_in_submission_order(rig):
    """A message dropped whole waits for the earlier, still-buffered message before it is acked."""
    rig.submit(rig.message("good", [(0, ROAD, 10.0)]))
    rig.submit(Message("junk", "mqtt", "haul/v1/vehicles/truck-1/position", b"not json"))
    assert rig.acked == []
    rig.tick(6)
    assert rig.acked == ["good", "junk"]


def test_repeated_in_flight_id_is_tracked_separately(rig):
    """Two in-flight messages with the same id are each acked, under the caller's id."""
    rig.submit(rig.message("dup", [(0, ROAD, 10.0)]))
    rig.submit(rig.message("dup", [(1, ROAD, 10.0)]))
    rig.tick(6)
    assert rig.acked == ["dup", "dup"] and len(rig.store.rows) == 2


def test_drop_logs_one_line_per_dropped_fix(rig, caplog):
    """Each dropped fix produces exactly one log line naming its check."""
    with caplog.at_level("INFO", logger="gps_ingest.drop"):
        rig.submit(
            rig.message("m", [(0, ROAD, 10.0), (1, (0.0, 0.0), 1.0), (2, (95.0, 4.0), 1.0), (600, ROAD, 1.0)])
        )
    reasons = sorted(r.getMessage().split(":")[0] for r in caplog.records)
    assert reasons == ["drop future", "drop lat_out_of_range", "drop zero_fix"]


def test_other_formats_flow_through_the_same_pipeline(rig, data):
    """OwnTracks and OsmAnd messages (the latter authenticated) are stored under their resolved vehicles."""
    rig.submit(Message("o", "mqtt", "owntracks/jan/truck7", data("owntracks_location.json")))
    rig.submit(Message("h", "http", query=data("osmand_query.txt").decode(), device="dev-8"))
    rig.submit(Message("j", "http", payload=data("osmand_json.json"), content_type="application/json",
                       device="dev-8"))
    rig.tick(6)
    assert rig.acked == ["o", "h", "j"]
    assert sorted(vehicle for vehicle, _ in rig.store.rows) == ["truck-7", "truck-8", "truck-8"]


def test_a_step_that_raises_drops_only_that_fix(clock, resolver):
    """An exception in a step becomes an internal_error drop of that fix; other vehicles go on."""

    class Fragile:
        def __call__(self, p):
            if p.vehicle_id == "truck-1":
                raise RuntimeError("bug")
            return p

    settings_, metrics, store = IngestSettings(), Metrics(), InMemoryPositionStore()
    steps = [
        DecodeStep(default_decoders(resolver), settings_, metrics),
        ValidateStep(settings_, metrics),
        Fragile(),
        StoreStep(store, settings_, metrics),
    ]
    pipeline = Pipeline(steps, InOrderAcks(), metrics)
    rig = Rig(clock, resolver, None)
    acked = pipeline.submit(rig.message("a", [(0, ROAD, 1.0)], vehicle="truck-1"))
    acked += pipeline.submit(rig.message("b", [(0, ROAD, 1.0)], vehicle="truck-2"))
    acked += pipeline.flush()
    assert acked == ["a", "b"] and list(store.rows) == [("truck-2", clock())]
    assert metrics.counts["internal_error"] == 1


GARBAGE = st.one_of(
    st.binary(max_size=200),
    st.sampled_from(
        [
            b"{}",
            b"[]",
            b"null",
            b'{"_type":"batch","v":1,"positions":[{"t":"x"}]}',
            b'{"_type":"position","v":1,"t":1718006400000,"lat":0,"lon":0}',
            b'{"_type":"position","v":1,"t":1718006400000,"lat":NaN,"lon":1}',
            b'{"_type":"position","v":1,"t":1718006400000,"lat":60,"lon":10}',
        ]
    ),
)
TOPICS = st.sampled_from(
    [
        "haul/v1/vehicles/truck-1/position",
        "haul/v1/vehicles/ghost/position",
        "owntracks/jan/truck7",
        "owntracks/x",
        "elsewhere",
    ]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(junk=st.lists(st.tuples(TOPICS, GARBAGE), max_size=12), seed=st.randoms(use_true_random=False))
def test_garbage_never_raises_and_never_hurts_another_vehicle(clock, resolver, zone_index, junk, seed):
    """Random junk interleaved with a good vehicle's fixes: no exception, all acked, the good fixes all stored."""
    rig = Rig(clock, resolver, zone_index)
    good = [rig.message(f"g{i}", [(i - 20, ROAD, 10.0)], vehicle="truck-2") for i in range(8)]
    bad = [Message(f"j{i}", "mqtt", topic, body) for i, (topic, body) in enumerate(junk)]
    stream = good + bad
    seed.shuffle(stream)
    for message in stream:
        rig.submit(message)
    rig.flush(drain=True)
    assert sorted(rig.acked) == sorted(m.id for m in stream)
    assert len(rig.store.track("truck-2")) == 8
    assert rig.pipeline.pending() == 0
