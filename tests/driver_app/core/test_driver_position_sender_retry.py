"""A refused batch is retried on its own: no new fix or reconnect is needed to send it again."""

from __future__ import annotations

from driver_app.core.position_outbox import PositionOutbox
from driver_app.core.position_sender import PositionSender
from driver_app.core.positions import Fix, decode_positions


class RefusingPublisher:
    """Acknowledges every publish at once, refusing the first ``refusals`` ("no matching subscribers")."""

    def __init__(self, refusals: int):
        self.refusals = refusals
        self.sender: PositionSender | None = None
        self.sent: list[list[int]] = []
        self._mid = 0

    def is_connected(self) -> bool:
        return True

    def publish_position_payload(self, payload: bytes) -> int:
        self._mid += 1
        self.sent.append([p["seq"] for p in decode_positions(payload)])
        ok = len(self.sent) > self.refusals
        self.sender.on_ack(self._mid, ok=ok)  # the PUBACK overtakes the bookkeeping, as paho's can
        return self._mid


def _outbox(tmp_path, n: int) -> PositionOutbox:
    outbox = PositionOutbox(tmp_path / "outbox.sqlite")
    for i in range(n):
        outbox.append(Fix(t_ms=1_000 * (i + 1), lat=51.4, lon=6.7 + i * 0.001))
    return outbox


def test_refused_positions_are_retried_without_a_new_fix(tmp_path, wait_until):
    """The last fixes of a drive are refused twice; backoff retries deliver them with no further trigger."""
    outbox = _outbox(tmp_path, 3)
    publisher = RefusingPublisher(refusals=2)
    sender = PositionSender(outbox, publisher, batch_size=10, retry_s=(0.05, 0.1))
    publisher.sender = sender

    sender.flush()
    assert outbox.count() == 3 and publisher.sent == [[1, 2, 3]]

    assert wait_until(lambda: outbox.count() == 0, timeout_s=5)
    assert publisher.sent == [[1, 2, 3]] * 3  # refused, refused, accepted: no more than needed
    sender.cancel_retry()


def test_cancelled_retry_sends_nothing(tmp_path, wait_until):
    """After ``cancel_retry`` (tracking stopped) the refused rows wait on disk for the next start."""
    outbox = _outbox(tmp_path, 2)
    publisher = RefusingPublisher(refusals=1)
    sender = PositionSender(outbox, publisher, batch_size=10, retry_s=(0.2, 0.2))
    publisher.sender = sender

    sender.flush()
    sender.cancel_retry()

    assert not wait_until(lambda: len(publisher.sent) > 1, timeout_s=0.6)
    assert outbox.count() == 2
