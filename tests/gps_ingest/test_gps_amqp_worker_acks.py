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
