"""The queue worker's acknowledgements: one multiple-ack up to the last committed delivery, nothing
acknowledged that is not committed, and nothing acknowledged on a connection that is gone."""

from __future__ import annotations

from gps_ingest.amqp_worker import AmqpIngestWorker, AmqpOptions


class _Pipeline:
    """Commits a message when told to, in submission order (as InOrderAcks hands them out)."""

    def __init__(self):
        self.steps = []
        self.submitted: list[str] = []
        self.topics: list[str] = []
        self.committed = 0

    def submit(self, message):
        self.submitted.append(message.id)
        self.topics.append(message.topic)
        return []

    def flush(self, drain=False):
        ready, self.submitted = self.submitted[:self.committed], self.submitted[self.committed:]
        self.committed = 0
        return ready

    def pending(self):
        return len(self.submitted)


class _Channel:
    def __init__(self):
        self.acks: list[tuple[int, bool]] = []

    def basic_ack(self, delivery_tag, multiple=False):
        self.acks.append((delivery_tag, multiple))


def test_committed_deliveries_are_acked_with_one_frame_up_to_the_last_one():
    """Three deliveries, two committed: one basic.ack(tag 2, multiple); the routing key becomes the topic."""
    pipeline, channel = _Pipeline(), _Channel()
    worker = AmqpIngestWorker(pipeline, AmqpOptions(url="amqp://x"))
    for tag in (1, 2, 3):
        worker._submit(channel, tag, "haul.v1.vehicles.7.position", b"{}")
    assert pipeline.topics == ["haul/v1/vehicles/7/position"] * 3
    pipeline.committed = 2
    worker._ack(channel, pipeline.flush())
    assert channel.acks == [(2, True)] and worker.acked == 2
    worker._ack(channel, pipeline.flush())
    assert channel.acks == [(2, True)]


def test_deliveries_of_a_lost_connection_are_never_acked_on_the_next_one():
    """After a reconnect the broker redelivers; the old delivery tags would name other messages."""
    pipeline, old, new = _Pipeline(), _Channel(), _Channel()
    worker = AmqpIngestWorker(pipeline, AmqpOptions(url="amqp://x"))
    worker._submit(old, 1, "haul.v1.vehicles.7.position", b"{}")
    worker._generation += 1  # what _run does when the connection breaks
    pipeline.committed = 1
    worker._ack(new, pipeline.flush())
    assert old.acks == new.acks == [] and worker.stale_acks == 1


class _Method:
    def __init__(self, tag):
        self.delivery_tag, self.routing_key = tag, "haul.v1.vehicles.7.position"


class _Broker(_Channel):
    """A channel and connection in one: each read hands over the next scripted burst of deliveries."""

    def __init__(self, bursts, worker_stop):
        super().__init__()
        self.bursts, self.stop, self.consumer_tags, self.reads = list(bursts), worker_stop, [], 0

    def channel(self):
        return self

    def queue_declare(self, *_a, **_k):
        pass

    queue_bind = basic_qos = queue_declare

    def basic_consume(self, _queue, callback):
        self.callback = callback
        self.consumer_tags.append("c1")

    def basic_cancel(self, tag):
        self.consumer_tags.remove(tag)

    def process_data_events(self, time_limit=0):
        self.reads += 1
        if self.bursts:
            burst = self.bursts.pop(0)
            for tag in burst:
                self.callback(self, _Method(tag), None, b"{}")
        elif self.reads > 50:
            self.stop.set()


class _CountingPipeline(_Pipeline):
    """Commits everything submitted at each flush; remembers how many messages each flush committed."""

    def __init__(self):
        super().__init__()
        self.flushes: list[int] = []

    def flush(self, drain=False):
        self.committed = len(self.submitted)
        ready = super().flush(drain)
        if ready:
            self.flushes.append(len(ready))
        return ready


def _run(bursts, **options):
    pipeline = _CountingPipeline()
    worker = AmqpIngestWorker(pipeline, AmqpOptions(url="amqp://x", flush_interval_s=60, **options))
    broker = _Broker(bursts, worker._stop)
    worker._consume(broker)
    return pipeline, broker, worker


def test_while_deliveries_keep_coming_the_worker_flushes_only_once_enough_wait():
    """Bursts of 100 back to back and a threshold of 250: writes of 300, 300, then the rest once the socket is quiet."""
    bursts = [range(i * 100 + 1, i * 100 + 101) for i in range(7)]
    pipeline, broker, worker = _run(bursts, flush_at_pending=250, linger_s=0.0)
    assert pipeline.flushes == [300, 300, 100]
    assert broker.acks == [(300, True), (600, True), (700, True)] and worker.acked == 700


def test_a_quiet_socket_flushes_what_was_read_at_once():
    """A read that brings nothing after one delivery: that delivery is committed and acked, no timer awaited."""
    pipeline, broker, _ = _run([[1], [], [2, 3]], flush_at_pending=250, linger_s=0.0)
    assert pipeline.flushes == [1, 2] and broker.acks == [(1, True), (3, True)]
