"""A vehicle lookup that cannot reach its database makes the message wait instead of dropping it as
an unknown vehicle: the broker acknowledged that fix, so dropping it would lose it."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from gps_ingest.amqp_worker import AmqpIngestWorker, AmqpOptions
from gps_ingest.db_seams import DbResolver
from gps_ingest.metrics import Metrics
from gps_ingest.model import Message, Unavailable
from gps_ingest.pipeline import build_pipeline
from gps_ingest.store import InMemoryPositionStore


class _NoPublisher:
    def publish(self, positions):
        return None


def _unreachable_resolver() -> DbResolver:
    # A port nobody listens on: every lookup fails as it does while PostgreSQL restarts.
    return DbResolver(create_engine("postgresql+psycopg://nobody@127.0.0.1:9/none", connect_args={"connect_timeout": 1}))


def test_a_lookup_without_database_or_cached_answer_is_unavailable_not_unknown():
    """No cached answer: Unavailable; a cached answer is used while the database is away."""
    resolver = _unreachable_resolver()
    with pytest.raises(Unavailable):
        resolver.resolve("haul", "7")
    resolver._cache[("haul", "8")] = (0.0, "8")  # expired, but better than nothing while the database is away
    assert resolver.resolve("haul", "8") == "8"


def test_the_pipeline_hands_unavailable_back_with_nothing_taken():
    """submit raises Unavailable; the message is not tracked, no drop is counted, and it can be submitted again."""
    metrics = Metrics()
    pipeline = build_pipeline(resolver=_unreachable_resolver(), store=InMemoryPositionStore(), publisher=_NoPublisher(),
                              metrics=metrics)
    message = Message("1", "mqtt", topic="haul/v1/vehicles/7/position",
                      payload=b'{"_type":"position","v":1,"t":1718006400000,"lat":51.0,"lon":7.0}')
    with pytest.raises(Unavailable):
        pipeline.submit(message)
    assert pipeline.pending() == 0
    assert not any(v for k, v in metrics.snapshot().items() if k.startswith("dropped_"))
    with pytest.raises(Unavailable):
        pipeline.submit(message)  # the same id again: not "already in flight"


class _Refusing:
    steps = []

    def submit(self, message):
        raise Unavailable("database away")


def test_the_queue_worker_keeps_a_delivery_it_could_not_submit():
    """The delivery is neither acknowledged nor forgotten: it stays first in line for the next try."""
    worker = AmqpIngestWorker(_Refusing(), AmqpOptions(url="amqp://x"))
    with pytest.raises(Unavailable):
        worker._submit(None, 5, "haul.v1.vehicles.7.position", b"{}")
    assert worker._inflight == {} and worker.acked == 0
