"""One webhook request: signed headers, no redirects, short timeouts, only checked addresses, no remote text."""

import socket

import pytest

from server.notify import signing
from server.notify.addresses import AllowList, OutboundPolicy
from server.notify.transport import Outgoing, send
from server.notify.urls import check_url

LOCAL = OutboundPolicy(AllowList.parse("127.0.0.1"))  # the test receivers, allowed by name as an operator would


def _outgoing(url: str) -> Outgoing:
    return Outgoing(delivery_id=7, webhook_id=3, url=url, secret="whsec_test", event_id="evt_1", kind="arrived",
                    body=b'{"id":"evt_1"}', attempt=2)


class SwitchingResolver:
    """A DNS server under an attacker's control: each question gets the next answer (the last repeats)."""

    def __init__(self, *answers):
        self.answers, self.asked = list(answers), []

    def __call__(self, host, port):
        self.asked.append(host)
        return list(self.answers.pop(0) if len(self.answers) > 1 else self.answers[0])


def test_a_request_carries_signature_event_and_attempt_headers(receiver):
    """The receiver gets the exact body, a verifiable signature and the idempotency headers."""
    outcome = send(_outgoing(receiver.url), 1_900_000_000, timeout_s=2, policy=LOCAL)
    assert outcome.ok and outcome.response_code == 200 and outcome.error is None
    [got] = receiver.received
    assert got.body == b'{"id":"evt_1"}' and got.path == "/hooks/haul"
    assert signing.verify("whsec_test", got.headers["Haul-Signature"], got.body, now=1_900_000_000)
    assert (got.headers["Haul-Event-Id"], got.headers["Haul-Delivery-Id"], got.headers["Haul-Delivery-Attempt"]) == (
        "evt_1", "7", "2")


@pytest.mark.parametrize("host", ["127.0.0.1", "127.1", "2130706433", "0x7f000001", "0177.0.0.1", "localhost",
                                  "LOCALHOST.", "[::ffff:127.0.0.1]"])
def test_loopback_is_refused_at_connect_by_default(receiver, host):
    """Without an allowance the guard refuses the connection itself, whatever the spelling: nothing arrives."""
    url = receiver.url.replace("127.0.0.1", host)
    outcome = send(_outgoing(url), 1, timeout_s=2, policy=OutboundPolicy())
    assert not outcome.ok and outcome.response_code is None
    assert outcome.error.startswith("refused by Haul")
    assert receiver.received == []


def test_the_connection_goes_to_the_address_that_was_checked(receiver):
    """A name only the policy's resolver knows is reached at the address it checked: nothing resolves it again."""
    resolver = SwitchingResolver(["127.0.0.1"])
    policy = OutboundPolicy(AllowList.parse("127.0.0.1"), resolver=resolver)
    url = receiver.url.replace("127.0.0.1", "receiver.example.com")
    outcome = send(_outgoing(url), 1, timeout_s=2, policy=policy)
    assert outcome.ok, outcome.error
    assert resolver.asked == ["receiver.example.com"]
    assert receiver.received[0].headers["Host"].startswith("receiver.example.com:")


def test_dns_rebinding_after_registration_is_refused_at_delivery(receiver):
    """A name that answered public at registration and loopback at delivery reaches nothing."""
    resolver = SwitchingResolver(["93.184.216.34"], ["127.0.0.1"])
    policy = OutboundPolicy(resolver=resolver)
    url = receiver.url.replace("127.0.0.1", "rebind.example.com")
    assert check_url(url, policy) == url  # registration: the first answer is public
    outcome = send(_outgoing(url), 1, timeout_s=2, policy=policy)
    assert not outcome.ok and outcome.error.startswith("refused by Haul") and "resolves to a loopback" in outcome.error
    assert receiver.received == [] and resolver.asked == ["rebind.example.com", "rebind.example.com"]


def test_redirects_are_failures_and_are_not_followed(receiver):
    """A 302 towards an internal address is recorded as a failure; neither the target nor its address is kept."""
    receiver.answers = [302]
    outcome = send(_outgoing(receiver.url), 1, timeout_s=2, policy=LOCAL)
    assert not outcome.ok and outcome.response_code == 302
    assert outcome.error == "HTTP 302: redirects are not followed" and len(receiver.received) == 1


def test_a_silent_endpoint_times_out_as_a_failure():
    """An endpoint that accepts but never answers is a timeout failure, not a hang."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/hook"
        outcome = send(_outgoing(url), 1, timeout_s=0.2, policy=LOCAL)
    assert not outcome.ok and outcome.response_code is None and outcome.error == "timed out after 0.2 s"


def test_an_unreachable_endpoint_is_a_failure_with_the_reason():
    """Connection refused is recorded as that category, with nothing from the network stack's wording."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    outcome = send(_outgoing(f"http://127.0.0.1:{port}/hook"), 1, timeout_s=1, policy=LOCAL)
    assert not outcome.ok and outcome.error == "connection refused"


@pytest.mark.parametrize("status", [400, 410, 500])
def test_non_2xx_answers_are_failures_without_the_remote_body(receiver, status):
    """Any non-2xx status is a failure; the log keeps the status and the time, never the answer's text."""
    receiver.answers = [status]
    outcome = send(_outgoing(receiver.url), 1, timeout_s=2, policy=LOCAL)
    assert not outcome.ok and outcome.error == f"HTTP {status}" and outcome.response_code == status
    assert outcome.duration_ms >= 0
