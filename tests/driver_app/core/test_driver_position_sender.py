"""Draining the outbox to a publisher: batching, in-flight window, delete only on PUBACK."""

from __future__ import annotations

import pytest

from driver_app.core.position_outbox import PositionOutbox
from driver_app.core.position_sender import PositionSender
from driver_app.core.positions import Fix, decode_positions


class FakePublisher:
    """Records payloads; ``accept`` False makes publishing refuse like a full paho queue."""

    def __init__(self, connected: bool = True):
        self.connected = connected
        self.accept = True
        self.sent: dict[int, list[dict]] = {}
        self._mid = 0
        self.on_publish = None  # called inside publish, to mimic an ack overtaking bookkeeping

    def is_connected(self) -> bool:
        return self.connected

    def publish_position_payload(self, payload: bytes) -> int | None:
        if not self.accept:
            return None
        self._mid += 1
        self.sent[self._mid] = decode_positions(payload)
        if self.on_publish is not None:
            self.on_publish(self._mid)
        return self._mid


def filled_outbox(tmp_path, n: int) -> PositionOutbox:
    outbox = PositionOutbox(tmp_path / "outbox.sqlite")
    for i in range(n):
        outbox.append(Fix(t_ms=1_000 * (i + 1), lat=53.5, lon=9.9 + i * 0.001))
    return outbox


def test_backlog_goes_in_time_ordered_batches_within_window(tmp_path):
    """A backlog is sent oldest first in batches of batch_size, at most max_in_flight at once."""
    outbox = filled_outbox(tmp_path, 25)
    publisher = FakePublisher()
    sender = PositionSender(outbox, publisher, batch_size=10, max_in_flight=2)

    sent = sender.flush()

    assert sent == 20
    assert [len(batch) for batch in publisher.sent.values()] == [10, 10]
    times = [p["t"] for batch in publisher.sent.values() for p in batch]
    assert times == sorted(times) and times[0] == 1000
    assert publisher.sent[1][0]["_type"] == "position" and publisher.sent[1][0]["seq"] == 1


def test_rows_are_deleted_only_when_acknowledged(tmp_path):
    """Publishing leaves rows on disk; only the PUBACK of a batch deletes exactly its rows."""
    outbox = filled_outbox(tmp_path, 5)
    publisher = FakePublisher()
    sender = PositionSender(outbox, publisher, batch_size=2, max_in_flight=3)

    sender.flush()
    assert outbox.count() == 5

    publisher.connected = False  # keep the ack from sending more, to see exactly what it deleted
    sender.on_ack(2)

    remaining = [p.fix.t_ms for p in outbox.oldest(10)]
    assert remaining == [1000, 2000, 5000]


def test_ack_continues_draining(tmp_path):
    """Each acknowledgement frees a slot and the next batch goes out until the outbox is empty."""
    outbox = filled_outbox(tmp_path, 7)
    publisher = FakePublisher()
    sender = PositionSender(outbox, publisher, batch_size=3, max_in_flight=1)

    sender.flush()
    for mid in (1, 2, 3):
        sender.on_ack(mid)

    assert outbox.count() == 0
    assert [len(b) for b in publisher.sent.values()] == [3, 3, 1]
    assert publisher.sent[3][0]["_type"] == "position"


def test_nothing_is_sent_while_offline(tmp_path):
    """While disconnected nothing is published and everything stays queued."""
    outbox = filled_outbox(tmp_path, 3)
    publisher = FakePublisher(connected=False)

    assert PositionSender(outbox, publisher).flush() == 0
    assert publisher.sent == {} and outbox.count() == 3


def test_refused_ack_keeps_rows_for_a_later_resend(tmp_path):
    """A negative PUBACK deletes nothing, and the rows are sent again by the next flush."""
    outbox = filled_outbox(tmp_path, 2)
    publisher = FakePublisher()
    sender = PositionSender(outbox, publisher, batch_size=10)

    sender.flush()
    sender.on_ack(1, ok=False)
    assert outbox.count() == 2

    sender.flush()
    assert [p["seq"] for p in publisher.sent[2]] == [1, 2]


def test_publish_refused_by_client_keeps_rows_unreserved(tmp_path):
    """When the client refuses a publish (full queue), the rows stay and go out later."""
    outbox = filled_outbox(tmp_path, 2)
    publisher = FakePublisher()
    publisher.accept = False
    sender = PositionSender(outbox, publisher)

    assert sender.flush() == 0
    publisher.accept = True
    assert sender.flush() == 2


def test_ack_arriving_before_bookkeeping_is_not_lost(tmp_path):
    """A PUBACK that overtakes the registration of its publish still deletes the rows."""
    outbox = filled_outbox(tmp_path, 3)
    publisher = FakePublisher()
    sender = PositionSender(outbox, publisher, batch_size=10)
    publisher.on_publish = sender.on_ack

    sender.flush()

    assert outbox.count() == 0


def test_stray_ack_cannot_settle_a_later_message_with_same_id(tmp_path):
    """An ack for an unknown id (e.g. the status message) is not remembered for later publishes."""
    outbox = filled_outbox(tmp_path, 2)
    publisher = FakePublisher()
    sender = PositionSender(outbox, publisher, batch_size=10)

    sender.on_ack(1)  # not ours: nothing is being published
    sender.flush()  # gets mid 1

    assert outbox.count() == 2 and sender.in_flight_batches() == 1


def test_window_must_fit_sqlite_parameter_limit(tmp_path):
    """An in-flight window larger than SQLite's parameter limit is refused at construction."""
    with pytest.raises(ValueError):
        PositionSender(filled_outbox(tmp_path, 0), FakePublisher(), batch_size=500, max_in_flight=4)
