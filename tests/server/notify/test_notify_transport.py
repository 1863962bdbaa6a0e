"""One webhook request: signed headers, no redirects, short timeouts, and no private targets in production."""

import socket

import pytest

from server.notify import signing
from server.notify.transport import Outgoing, send


def _outgoing(url: str) -> Outgoing:
    return Outgoing(delivery_id=7, webhook_id=3, url=url, secret="whsec_test", event_id="evt_1", kind="arrived",
                    body=b'{"id":"evt_1"}', attempt=2)


def test_a_request_carries_signature_event_and_attempt_headers(receiver):
    """The receiver gets the exact body, a verifiable signature and the idempotency headers."""
    outcome = send(_outgoing(receiver.url), 1_900_000_000, timeout_s=2, allow_private=True)
    assert outcome.ok and outcome.response_code == 200 and outcome.error is None
    [got] = receiver.received
    assert got.body == b'{"id":"evt_1"}' and got.path == "/hooks/haul"
    assert signing.verify("whsec_test", got.headers["Haul-Signature"], got.body, now=1_900_000_000)
    assert (got.headers["Haul-Event-Id"], got.headers["Haul-Delivery-Id"], got.headers["Haul-Delivery-Attempt"]) == (
        "evt_1", "7", "2")


def test_loopback_is_refused_at_connect_when_private_targets_are_not_allowed(receiver):
    """In production the guard refuses the connection itself: nothing reaches the local receiver."""
    outcome = send(_outgoing(receiver.url), 1, timeout_s=2, allow_private=False)
    assert not outcome.ok and outcome.response_code is None
    assert "no public address" in outcome.error
    assert receiver.received == []


def test_the_guard_connects_to_the_address_it_checked(receiver, monkeypatch):
    """With the address deemed public, the guarded connection reaches it and TLS-free HTTP works as usual."""
    monkeypatch.setattr("server.notify.transport.is_public_address", lambda address: True)
    assert send(_outgoing(receiver.url), 1, timeout_s=2, allow_private=False).ok
    assert len(receiver.received) == 1


def test_redirects_are_failures_and_are_not_followed(receiver):
    """A 302 is recorded as a failure naming the target; the redirect is not fetched."""
    receiver.answers = [302]
    outcome = send(_outgoing(receiver.url), 1, timeout_s=2, allow_private=True)
    assert not outcome.ok and outcome.response_code == 302
    assert "redirects are not followed" in outcome.error and len(receiver.received) == 1


def test_a_silent_endpoint_times_out_as_a_failure():
    """An endpoint that accepts but never answers is a timeout failure, not a hang."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/hook"
        outcome = send(_outgoing(url), 1, timeout_s=0.2, allow_private=True)
    assert not outcome.ok and outcome.response_code is None and "timed out" in outcome.error


def test_an_unreachable_endpoint_is_a_failure_with_the_reason():
    """Connection refused is recorded, with a readable error."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    outcome = send(_outgoing(f"http://127.0.0.1:{port}/hook"), 1, timeout_s=1, allow_private=True)
    assert not outcome.ok and outcome.error and "ConnectionError" in outcome.error


@pytest.mark.parametrize("status", [400, 410, 500])
def test_non_2xx_answers_are_failures_with_an_excerpt(receiver, status):
    """Any non-2xx status is a failure and the log keeps the start of the answer."""
    receiver.answers = [status]
    outcome = send(_outgoing(receiver.url), 1, timeout_s=2, allow_private=True)
    assert not outcome.ok and outcome.error == f"HTTP {status}: receiver says no"
