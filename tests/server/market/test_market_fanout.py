"""Queued board updates: a slow or broken fan-out never holds up a bid, and updates keep their order."""

import threading

import pytest

from server import realtime
from server.market import notify
from server.market.fanout import Fanout
from tests.server.market.market_factory import make_board, tender_body


@pytest.fixture
def queued(ctx, monkeypatch):
    monkeypatch.setitem(ctx.config, "MARKET_EMIT_QUEUE", True)
    monkeypatch.setitem(ctx.config, "MARKET_AUDIENCE_TTL_S", 0)
    yield ctx
    assert notify.fanout.flush(timeout=10)


def test_a_blocked_emit_does_not_hold_up_the_bid(queued, client, make_party, monkeypatch):
    """The broker hangs; the bid is answered anyway, and the updates go out in order once it is back."""
    board = make_board(make_party, carriers=2)
    tender = client.post(f"/api/v1/loads/{board.load().id}/tenders", headers=board.seller.headers,
                         json=tender_body("auction")).get_json()
    assert notify.fanout.flush(timeout=10)  # the tender's own update is out before the broker hangs
    release, sent = threading.Event(), []

    def hanging_emit(event, data, orgs):
        assert release.wait(timeout=30)
        sent.append((event, data.get("lead_price"), set(orgs)))

    monkeypatch.setattr(realtime, "emit_to_orgs", hanging_emit)
    answers = []
    worker = threading.Thread(target=lambda: answers.append(client.post(
        f"/api/v1/tenders/{tender['id']}/bids", headers=board.carriers[0].headers, json={"price": 1000}).status_code))
    worker.start()
    worker.join(timeout=20)
    assert answers == [201] and sent == []  # answered while the emit is still blocked
    release.set()
    assert notify.fanout.flush(timeout=10)
    assert [event for event, _, _ in sent] == ["board.bid", "board.lead_changed"]
    assert sent[1][1] == 1000 and sent[1][2] == {c.id for c in board.carriers}


def test_without_the_setting_emits_follow_the_message_queue(ctx, monkeypatch):
    """No message queue: emits are sent inline (an in-process emit waits on nothing); with Redis they queue."""
    monkeypatch.delitem(ctx.config, "MARKET_EMIT_QUEUE", raising=False)
    monkeypatch.setitem(ctx.config, "REDIS_URL", "")
    assert notify._queued() is False
    monkeypatch.setitem(ctx.config, "REDIS_URL", "redis://127.0.0.1:6379/0")
    assert notify._queued() is True


def test_a_full_queue_drops_and_counts_instead_of_waiting():
    """When the sender is stuck and the queue is full, submit returns at once and counts the drop."""
    release, got = threading.Event(), []
    fanout = Fanout(lambda item: (release.wait(timeout=30), got.append(item)), limit=2)
    results = [fanout.submit(i) for i in range(6)]
    assert results.count(False) >= 3 and fanout.dropped == results.count(False)
    release.set()
    assert fanout.flush(timeout=10)
    assert got == sorted(got) and len(got) == results.count(True)


def test_a_failing_send_does_not_stop_the_sender(caplog):
    """One item raising is logged; the items after it still go out."""
    got = []

    def send(item):
        if item == "bad":
            raise RuntimeError("redis down")
        got.append(item)

    fanout = Fanout(send)
    for item in ("a", "bad", "b"):
        fanout.submit(item)
    assert fanout.flush(timeout=10)
    assert got == ["a", "b"] and "fan-out send failed" in caplog.text
