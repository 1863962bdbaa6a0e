"""A connection that stops acknowledging (pings answered, PUBACKs never) is dropped, so paho
reconnects and sends the positions again, instead of the outbox waiting forever."""

from __future__ import annotations

from driver_app.core.position_sender import PositionSender
from tests.driver_app.core.test_driver_position_sender import FakePublisher, filled_outbox


class SilentPublisher(FakePublisher):
    """Accepts publishes and never acknowledges them; counts dropped connections."""

    def __init__(self):
        super().__init__()
        self.drops = 0

    def drop_connection(self) -> None:
        self.drops += 1


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_connection_without_acknowledgements_is_dropped_once_per_stall(tmp_path):
    """No PUBACK for 30 s with batches in flight: one drop; again only after another 30 s of silence."""
    publisher, clock = SilentPublisher(), Clock()
    sender = PositionSender(filled_outbox(tmp_path, 5), publisher, batch_size=2, max_in_flight=2, clock=clock)
    sender.flush()
    assert sender.in_flight_batches() == 2
    clock.now += 29
    sender.flush()
    assert publisher.drops == 0
    clock.now += 2
    sender.flush()
    assert publisher.drops == 1 and sender.dropped_connections == 1
    clock.now += 10
    sender.flush()
    assert publisher.drops == 1
    clock.now += 25
    sender.flush()
    assert publisher.drops == 2


def test_acknowledgements_keep_the_connection(tmp_path):
    """Slow but moving acknowledgements never count as a stall."""
    publisher, clock = SilentPublisher(), Clock()
    sender = PositionSender(filled_outbox(tmp_path, 50), publisher, batch_size=2, max_in_flight=2, clock=clock)
    sender.flush()
    for mid in range(1, 20):
        clock.now += 20
        sender.on_ack(mid, True)
        sender.flush()
    assert publisher.drops == 0
