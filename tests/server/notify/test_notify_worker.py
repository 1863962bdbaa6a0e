"""The background delivery thread."""

import time

import pytest

from server.notify import wakeup, worker
from server.notify.publish import publish_event


@pytest.fixture
def running_worker(ctx, monkeypatch):
    """A delivery thread for the test app that polls rarely, so only a wake-up makes it send soon."""
    thread = worker.DeliveryWorker(ctx, poll_s=60)
    monkeypatch.setattr(worker, "_worker", thread)
    monkeypatch.setattr(wakeup, "_waker", thread.wake)
    thread.start()
    yield thread
    thread.stop()
    thread.join(10)


def _wait_for(predicate, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not predicate():
        time.sleep(0.02)
    return predicate()


def test_publishing_wakes_the_thread_which_delivers(running_worker, make_party, make_webhook, receiver):
    """A published event reaches the receiver without waiting for the next poll."""
    party = make_party("seller")
    make_webhook(party, receiver.url)
    time.sleep(0.1)  # let the thread finish its first (empty) round and start waiting
    publish_event("departed", organisation_ids=[party.id], data={"load_id": 3})
    assert _wait_for(lambda: len(receiver.received) == 1)
    assert receiver.received[0].headers["Haul-Event-Type"] == "departed"


def test_no_thread_is_started_under_testing(client, make_party):
    """The test app serves requests without starting a delivery thread."""
    assert client.get("/api/v1/notifications", headers=make_party("seller").headers).status_code == 200
    assert worker._worker is None


@pytest.mark.parametrize(("switch", "started"), [(True, 1), (False, 0)])
def test_a_served_app_starts_the_thread_on_its_first_request_unless_switched_off(monkeypatch, switch, started):
    """WEBHOOK_THREAD (HAUL_WEBHOOK_THREAD=0) keeps a serving app from starting its own delivery thread."""
    from flask import Flask

    calls = []
    monkeypatch.setattr(worker, "_worker", None)
    monkeypatch.setattr(worker, "start", lambda app: calls.append(app))
    app = Flask("served")
    app.config.update(TESTING=False, WEBHOOK_THREAD=switch)
    app.add_url_rule("/ping", "ping", lambda: "pong")
    worker.init_app(app)
    assert app.test_client().get("/ping").data == b"pong"
    assert len(calls) == started


def test_the_switch_comes_from_the_environment(monkeypatch):
    """HAUL_WEBHOOK_THREAD=0 turns the thread off; unset leaves it on."""
    from server.config import load_config

    monkeypatch.delenv("HAUL_WEBHOOK_THREAD", raising=False)
    assert load_config()["WEBHOOK_THREAD"] is True
    monkeypatch.setenv("HAUL_WEBHOOK_THREAD", "0")
    assert load_config()["WEBHOOK_THREAD"] is False
