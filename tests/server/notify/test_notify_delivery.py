"""deliver_due against a real local receiver: signatures, retries with backoff, giving up, disabling."""

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from server.db.types import utcnow
from server.extensions import db, socketio
from server.models import Notification, Webhook, WebhookAttempt, WebhookDelivery
from server.notify import signing
from server.notify.addresses import AllowList, OutboundPolicy
from server.notify.delivery import deliver_due, purge_old, retry_delay
from server.notify.publish import publish_event
from server.notify.settings import RETRY_DELAYS_S, DeliverySettings
from server.notify.transport import Outcome
from tests.server.notify.conftest import LOCAL_RECEIVERS

LOCAL = DeliverySettings(send_threads=1, policy=OutboundPolicy(AllowList.parse(LOCAL_RECEIVERS)))


def _mid(*_args):
    """Jitter in the middle of its range: the delay is exactly the schedule's."""
    return 0.5


def _deliveries():
    db.session.remove()
    return db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()


def _hook(webhook_id):
    db.session.remove()
    return db.session.get(Webhook, webhook_id)


def test_a_delivery_carries_a_signature_the_receiver_can_check(ctx, make_party, make_webhook, receiver):
    """The receiver verifies Haul-Signature with the secret over t.body; a wrong secret or body fails."""
    party = make_party("buyer")
    hook = make_webhook(party, receiver.url, ["delivered"])
    event_id = publish_event("delivered", organisation_ids=[party.id], load_id=5, data={"received_kg": 24000})
    now = utcnow()
    report = deliver_due(now, settings=LOCAL, rng=_mid)
    assert report.claimed == 1 and report.delivered == 1
    [got] = receiver.received
    header = got.headers[signing.SIGNATURE_HEADER]
    assert header.startswith(f"t={int(now.timestamp())},v1=")
    assert signing.verify(hook["secret"], header, got.body, now=now.timestamp())
    assert not signing.verify("whsec_wrong", header, got.body, now=now.timestamp())
    assert not signing.verify(hook["secret"], header, got.body + b" ", now=now.timestamp())
    assert not signing.verify(hook["secret"], header, got.body, now=now.timestamp() + 3600)  # a stale replay
    body = json.loads(got.body)
    assert got.headers[signing.EVENT_ID_HEADER] == body["id"] == event_id
    assert got.headers[signing.EVENT_TYPE_HEADER] == "delivered" and got.headers["Content-Type"] == "application/json"
    assert body["data"] == {"received_kg": 24000} and body["load_id"] == 5 and body["organisation_id"] == party.id
    [delivery] = _deliveries()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 1, 200)


def test_a_failing_receiver_is_retried_with_backoff_until_it_answers(ctx, make_party, make_webhook, receiver):
    """After 500, 500 the third try succeeds: at +10 s and +40 s, with the same event id and body each time."""
    party = make_party("seller")
    make_webhook(party, receiver.url)
    receiver.answers = [500, 500, 200]
    publish_event("order_received", organisation_ids=[party.id], data={"order_id": 1})
    t0 = utcnow()
    assert deliver_due(t0, settings=LOCAL, rng=_mid).retrying == 1
    assert _deliveries()[0].next_attempt_at == t0 + timedelta(seconds=10)
    assert deliver_due(t0 + timedelta(seconds=9), settings=LOCAL, rng=_mid).claimed == 0  # not due yet
    assert deliver_due(t0 + timedelta(seconds=10), settings=LOCAL, rng=_mid).retrying == 1
    assert _deliveries()[0].next_attempt_at == t0 + timedelta(seconds=40)
    assert deliver_due(t0 + timedelta(seconds=40), settings=LOCAL, rng=_mid).delivered == 1
    assert len(receiver.received) == 3 and len({r.body for r in receiver.received}) == 1
    assert [r.headers[signing.ATTEMPT_HEADER] for r in receiver.received] == ["1", "2", "3"]
    attempts = db.session.scalars(select(WebhookAttempt).order_by(WebhookAttempt.number)).all()
    assert [(a.number, a.ok, a.response_code) for a in attempts] == [(1, False, 500), (2, False, 500), (3, True, 200)]
    assert attempts[0].error == "HTTP 500" and attempts[2].error is None  # the status, never the body


def test_backoff_grows_with_jitter_and_stops_at_the_last_attempt():
    """Delays follow 10 s, 30 s, 2 min, ... within ±20 %, and None once max_attempts are used."""
    settings = DeliverySettings(max_attempts=4)
    assert [retry_delay(n, settings, _mid).total_seconds() for n in (1, 2, 3)] == list(RETRY_DELAYS_S[:3])
    assert retry_delay(1, settings, lambda: 0.0).total_seconds() == pytest.approx(8.0)
    assert retry_delay(1, settings, lambda: 1.0).total_seconds() == pytest.approx(12.0)
    assert retry_delay(4, settings, _mid) is None
    many = DeliverySettings(max_attempts=20)
    assert retry_delay(15, many, _mid).total_seconds() == RETRY_DELAYS_S[-1]  # the last delay repeats


def test_a_delivery_is_given_up_after_max_attempts(ctx, make_party, make_webhook, receiver):
    """With three attempts allowed, three 503s mark the delivery failed and nothing more is sent."""
    party = make_party("seller")
    make_webhook(party, receiver.url)
    receiver.answers = [503]
    publish_event("exception", organisation_ids=[party.id], data={})
    settings = replace(LOCAL, max_attempts=3)
    now = utcnow()
    for _ in range(3):
        deliver_due(now, settings=settings, rng=_mid)
        now += timedelta(hours=1)
    assert deliver_due(now + timedelta(days=2), settings=settings).claimed == 0
    [delivery] = _deliveries()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 3, None)
    assert len(receiver.received) == 3


def test_a_dead_endpoint_is_disabled_and_its_organisation_told(ctx, make_party, make_webhook, receiver):
    """After N failures in a row the webhook is disabled, its queue cancelled and a webhook_disabled note sent."""
    party = make_party("seller")
    hook = make_webhook(party, receiver.url)
    live = socketio.test_client(ctx, auth={"token": party.token})
    receiver.answers = [500]
    publish_event("order_received", organisation_ids=[party.id], data={"order_id": 1})
    publish_event("order_received", organisation_ids=[party.id], data={"order_id": 2})
    settings = replace(LOCAL, disable_after=3, disable_min_failing_s=0)
    now = utcnow()
    first = deliver_due(now, settings=settings, rng=_mid)
    assert first.retrying == 2 and first.disabled == [] and _hook(hook["id"]).consecutive_failures == 2
    second = deliver_due(now + timedelta(seconds=10), settings=settings, rng=_mid)
    assert second.disabled == [hook["id"]]
    assert not _hook(hook["id"]).active
    assert {d.status for d in _deliveries()} == {"cancelled"}
    notes = db.session.scalars(select(Notification).where(Notification.kind == "webhook_disabled")).all()
    assert [n.organisation_id for n in notes] == [party.id]
    assert notes[0].payload["data"]["webhook_id"] == hook["id"]
    assert "HTTP 500" in notes[0].payload["data"]["last_error"]
    pushed = [m["args"][0] for m in live.get_received() if m["name"] == "notification"]
    assert [p["kind"] for p in pushed][-1] == "webhook_disabled"
    publish_event("order_received", organisation_ids=[party.id], data={"order_id": 3})
    assert len(_deliveries()) == 2  # a disabled endpoint gets nothing new
    assert deliver_due(now + timedelta(hours=1), settings=settings).claimed == 0


def _next_due():
    pending = [d.next_attempt_at for d in _deliveries() if d.status == "pending"]
    return min(pending) if pending else None


def test_an_endpoint_failing_through_its_retries_is_disabled_with_the_shipped_settings(
        ctx, make_party, make_webhook, receiver):
    """The real path, no test overrides: a burst that keeps failing is disabled before its retries run out."""
    party = make_party("seller")
    hook = make_webhook(party, receiver.url)
    receiver.answers = [500]
    for n in range(25):
        publish_event("order_received", organisation_ids=[party.id], data={"order_id": n})
    now, disabled_at = utcnow(), None
    while now is not None and disabled_at is None:
        if deliver_due(now, rng=_mid).disabled:  # settings from the app: the shipped defaults
            disabled_at = now
        now = _next_due()
    assert disabled_at is not None, "the endpoint failed through every retry and stayed active"
    assert not _hook(hook["id"]).active
    assert {d.status for d in _deliveries()} <= {"cancelled", "failed"}
    note = db.session.scalars(select(Notification).where(Notification.kind == "webhook_disabled")).one()
    assert note.organisation_id == party.id and note.payload["data"]["consecutive_failures"] >= 20


def test_a_brief_outage_does_not_disable_an_endpoint(ctx, make_party, make_webhook, receiver):
    """Failures in a burst stay below the minimum failing time; only a lasting failure disables."""
    party = make_party("seller")
    hook = make_webhook(party, receiver.url)
    receiver.answers = [500]
    for n in range(4):
        publish_event("order_received", organisation_ids=[party.id], data={"order_id": n})
    settings = replace(LOCAL, disable_after=2, disable_min_failing_s=3600)
    now = utcnow()
    assert deliver_due(now, settings=settings, rng=_mid).disabled == []
    assert _hook(hook["id"]).active and _hook(hook["id"]).consecutive_failures == 4
    later = deliver_due(now + timedelta(hours=2), settings=settings, rng=_mid)
    assert later.disabled == [hook["id"]]


def test_a_success_resets_the_failure_count(ctx, make_party, make_webhook, receiver):
    """One 200 after failures sets consecutive_failures back to zero."""
    party = make_party("seller")
    hook = make_webhook(party, receiver.url)
    receiver.answers = [500, 500, 200]
    publish_event("order_received", organisation_ids=[party.id], data={})
    now = utcnow()
    for step in (0, 10, 40):
        deliver_due(now + timedelta(seconds=step), settings=LOCAL, rng=_mid)
        if step < 40:
            assert _hook(hook["id"]).consecutive_failures > 0
    assert _hook(hook["id"]).consecutive_failures == 0


def test_two_workers_never_send_one_delivery_twice(ctx, make_party, make_webhook):
    """A second round at the same moment, while the first is sending, claims nothing."""
    party = make_party("seller")
    make_webhook(party, "https://erp.example.com/hook")
    publish_event("order_received", organisation_ids=[party.id], data={})
    now, inner = utcnow(), []

    def send(item, timestamp, **_kwargs):
        inner.append(deliver_due(now, settings=LOCAL, send=send))
        return Outcome(ok=True, response_code=204, error=None, duration_ms=1)

    outer = deliver_due(now, settings=LOCAL, send=send)
    assert outer.claimed == 1 and outer.delivered == 1
    assert [r.claimed for r in inner] == [0]


def test_a_claim_whose_worker_died_is_sent_after_the_lease(ctx, make_party, make_webhook, receiver):
    """A delivery left 'sending' by a crashed worker is claimed again once its lease runs out."""
    party = make_party("seller")
    make_webhook(party, receiver.url)
    publish_event("order_received", organisation_ids=[party.id], data={})
    now = utcnow()

    def crash(*_args, **_kwargs):
        raise SystemError("worker died")

    with pytest.raises(SystemError):
        deliver_due(now, settings=LOCAL, send=crash)
    assert _deliveries()[0].status == "sending"
    assert deliver_due(now + timedelta(seconds=LOCAL.lease_s - 1), settings=LOCAL).claimed == 0
    assert deliver_due(now + timedelta(seconds=LOCAL.lease_s), settings=LOCAL).delivered == 1
    assert _deliveries()[0].attempts == 1 and len(receiver.received) == 1


def test_deliveries_of_a_paused_endpoint_are_cancelled(ctx, client, make_party, make_webhook, receiver):
    """Pausing an endpoint after an event was queued cancels that delivery instead of sending it."""
    party = make_party("seller")
    hook = make_webhook(party, receiver.url)
    publish_event("order_received", organisation_ids=[party.id], data={})
    assert client.patch(f"/api/v1/webhooks/{hook['id']}", headers=party.headers, json={"active": False}).status_code == 200
    assert deliver_due(utcnow(), settings=LOCAL).cancelled == 1
    assert receiver.received == [] and _deliveries()[0].status == "cancelled"


def test_old_finished_deliveries_are_purged(ctx, make_party, make_webhook, receiver):
    """Delivered rows older than the retention go with their attempts; pending ones stay."""
    party = make_party("seller")
    make_webhook(party, receiver.url)
    publish_event("order_received", organisation_ids=[party.id], data={})
    deliver_due(utcnow(), settings=LOCAL)
    publish_event("order_received", organisation_ids=[party.id], data={})
    assert purge_old(utcnow() + timedelta(days=31), keep_days=30) == 1
    assert [d.status for d in _deliveries()] == ["pending"]
    assert db.session.scalars(select(WebhookAttempt)).all() == []


def test_an_organisation_over_its_delivery_rate_waits_without_holding_up_others(ctx, make_party, make_webhook,
                                                                              receiver):
    """Past its attempts per minute an organisation's deliveries stay pending; another's go in the same round."""
    from server.notify import counters

    noisy, quiet = make_party("seller"), make_party("buyer")
    make_webhook(noisy, receiver.url)
    make_webhook(quiet, receiver.url)
    for n in range(5):
        publish_event("order_received", organisation_ids=[noisy.id], data={"order_id": n})
    publish_event("order_received", organisation_ids=[quiet.id], data={"order_id": 99})
    settings = replace(LOCAL, org_rate_per_min=2)
    before = counters.value("haul_webhook_deliveries_deferred_total", ("reason", "org_rate"))
    now = utcnow()
    first = deliver_due(now, settings=settings)
    assert (first.delivered, first.deferred) == (3, 3)  # two of the noisy five, and the quiet one
    assert json.loads(receiver.received[-1].body)["data"] == {"order_id": 99}
    assert deliver_due(now + timedelta(seconds=30), settings=settings).delivered == 0  # same minute
    assert deliver_due(now + timedelta(seconds=61), settings=settings).delivered == 2
    assert deliver_due(now + timedelta(seconds=122), settings=settings).delivered == 1
    assert {d.status for d in _deliveries()} == {"delivered"}
    assert counters.value("haul_webhook_deliveries_deferred_total", ("reason", "org_rate")) > before
