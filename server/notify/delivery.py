"""The webhook delivery worker's one step: ``deliver_due(now)`` sends what is due and records it.

A round claims due deliveries with one conditional UPDATE (several workers, or several
server processes, never send one delivery twice), sends them with no database
transaction open, then records each answer: success resets the endpoint's failure
count; failure schedules a retry with exponential backoff and jitter, or gives up after
``max_attempts``. An endpoint that has failed ``disable_after`` times in a row, for at
least ``disable_min_failing_s`` (or a whole retry schedule, if shorter), is disabled, its
pending deliveries are cancelled and its organisation gets a ``webhook_disabled``
notification (in-app and on its dashboards' socket; Haul has no e-mail channel yet). The clock, the jitter and the
sender are parameters, so tests drive retries without sleeping.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from server import clock
from server.extensions import db
from server.models import Webhook, WebhookAttempt, WebhookDelivery
from server.notify import counters, transport
from server.notify.kinds import WEBHOOK_DISABLED
from server.notify.publish import announce, in_app, notification_view
from server.notify.settings import RETRY_DELAYS_S, DeliverySettings, delivery_settings

log = logging.getLogger("haul.notify.delivery")
DUE = ("pending", "sending")  # "sending" is due again only when its lease ran out (a worker died)
TERMINAL = ("delivered", "failed", "cancelled")
RATE_WINDOW = timedelta(minutes=1)
Sender = Callable[..., transport.Outcome]


@dataclass
class DeliveryReport:
    claimed: int = 0
    delivered: int = 0
    retrying: int = 0
    gave_up: int = 0
    cancelled: int = 0
    deferred: int = 0  # due, but their organisation had used its rate of the minute
    disabled: list[int] = field(default_factory=list)  # webhook ids


def body_of(payload: dict) -> bytes:
    """The exact bytes sent and signed: the same on every retry of a delivery."""
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def retry_delay(attempts_done: int, settings: DeliverySettings, rng: Callable[[], float]) -> timedelta | None:
    """The wait before the next try after ``attempts_done`` failed ones (±20 % jitter), or None to give up."""
    if attempts_done >= settings.max_attempts:
        return None
    base = RETRY_DELAYS_S[min(attempts_done, len(RETRY_DELAYS_S)) - 1]
    return timedelta(seconds=base * (0.8 + 0.4 * rng()))


def deliver_due(now: datetime | None = None, *, settings: DeliverySettings | None = None,
                rng: Callable[[], float] = random.random, send: Sender = transport.send) -> DeliveryReport:
    """Send every delivery due at ``now`` (at most ``settings.batch``) and record the answers."""
    now = now or clock.now()
    settings = settings or delivery_settings(current_app.config)
    report = DeliveryReport()
    with Session(db.engine, expire_on_commit=False) as session:
        outgoing = _claim(session, now, settings, report)
    outcomes = _send_all(outgoing, now, settings, send)
    for item, outcome in zip(outgoing, outcomes, strict=True):
        try:
            with Session(db.engine, expire_on_commit=False) as session:
                _record(session, item, outcome, now, settings, rng, report)
        except Exception:  # unrecorded, it is sent again after its lease; receivers dedupe by event id
            log.exception("could not record the answer to delivery %s", item.delivery_id)
    return report


def _rate_budget(session: Session, now: datetime, settings: DeliverySettings) -> dict[int, int]:
    """Attempts each organisation may still make in this minute, for those that made any in the last one."""
    used = session.execute(select(Webhook.organisation_id, func.count(WebhookAttempt.id))
                           .join(Webhook, Webhook.id == WebhookAttempt.webhook_id)
                           .where(WebhookAttempt.created_at > now - RATE_WINDOW)
                           .group_by(Webhook.organisation_id)).all()
    return {org: settings.org_rate_per_min - n for org, n in used}


def _due(session: Session, now: datetime, settings: DeliverySettings, report: DeliveryReport) -> list[int]:
    """Ids of due deliveries to claim: at most a batch, none beyond an organisation's rate."""
    budget = _rate_budget(session, now, settings)
    spent = [org for org, left in budget.items() if left <= 0]
    due_now = [WebhookDelivery.status.in_(DUE), WebhookDelivery.next_attempt_at <= now]
    if spent:  # an organisation over its rate waits; it never takes the batch from the others
        report.deferred += session.scalar(
            select(func.count(WebhookDelivery.id)).join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
            .where(*due_now, Webhook.organisation_id.in_(spent)))
        due_now.append(Webhook.organisation_id.not_in(spent))
    rows = session.execute(select(WebhookDelivery.id, Webhook.organisation_id)
                           .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
                           .where(*due_now)
                           .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(settings.batch)
                           # PostgreSQL: rows another worker is claiming are skipped, not waited for (no
                           # deadlock between overlapping claims); SQLite has one writer and ignores this.
                           .with_for_update(skip_locked=True, of=WebhookDelivery)).all()
    chosen = []
    for delivery_id, org in rows:
        if budget.get(org, settings.org_rate_per_min) > 0:
            budget[org] = budget.get(org, settings.org_rate_per_min) - 1
            chosen.append(delivery_id)
        else:
            report.deferred += 1
    return chosen


def _claim(session: Session, now: datetime, settings: DeliverySettings, report: DeliveryReport) -> list:
    due = _due(session, now, settings, report)
    if report.deferred:
        counters.count("haul_webhook_deliveries_deferred_total", ("reason", "org_rate"), report.deferred)
    if not due:
        session.commit()
        return []
    # Conditional on still being due: of two workers, only one gets each row.
    claimed = session.scalars(
        update(WebhookDelivery)
        .where(WebhookDelivery.id.in_(due), WebhookDelivery.status.in_(DUE), WebhookDelivery.next_attempt_at <= now)
        .values(status="sending", next_attempt_at=now + timedelta(seconds=settings.lease_s))
        .returning(WebhookDelivery.id).execution_options(synchronize_session=False)).all()
    report.claimed = len(claimed)
    rows = session.execute(select(WebhookDelivery, Webhook).join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
                           .where(WebhookDelivery.id.in_(claimed)).order_by(WebhookDelivery.id)).all()
    outgoing = []
    for delivery, hook in rows:
        if not hook.active:  # disabled or paused since it was queued
            delivery.status, delivery.next_attempt_at = "cancelled", None
            report.cancelled += 1
            continue
        outgoing.append(transport.Outgoing(
            delivery_id=delivery.id, webhook_id=hook.id, url=hook.url, secret=hook.secret,
            event_id=str(delivery.payload.get("id", "")), kind=delivery.event, body=body_of(delivery.payload),
            attempt=delivery.attempts + 1))
    session.commit()
    return outgoing


def _send_all(outgoing: list, now: datetime, settings: DeliverySettings, send: Sender) -> list:
    timestamp = int(now.timestamp())

    def one(item):
        return send(item, timestamp, timeout_s=settings.timeout_s, policy=settings.policy)

    if len(outgoing) <= 1 or settings.send_threads <= 1:
        return [one(item) for item in outgoing]
    with ThreadPoolExecutor(max_workers=min(settings.send_threads, len(outgoing)),
                            thread_name_prefix="haul-webhook-send") as pool:
        return list(pool.map(one, outgoing))


def _record(session: Session, item, outcome, now: datetime, settings: DeliverySettings, rng, report) -> None:
    delivery = session.get(WebhookDelivery, item.delivery_id)
    if delivery is None:  # the endpoint was deleted while we were sending
        return
    delivery.attempts = item.attempt
    delivery.response_code = outcome.response_code
    session.add(WebhookAttempt(delivery_id=delivery.id, webhook_id=item.webhook_id, number=item.attempt,
                               ok=outcome.ok, response_code=outcome.response_code, error=outcome.error,
                               duration_ms=outcome.duration_ms, created_at=now))
    hook_row = update(Webhook).where(Webhook.id == item.webhook_id)
    counters.count("haul_webhook_attempts_total", ("outcome", _outcome_label(outcome)))
    if outcome.ok:
        delivery.status, delivery.next_attempt_at = "delivered", None
        session.execute(hook_row.values(consecutive_failures=0))
        report.delivered += 1
        session.commit()
        return
    session.execute(hook_row.values(consecutive_failures=Webhook.consecutive_failures + 1))
    note = _disable_if_dead(session, item, outcome, now, settings)
    delay = retry_delay(item.attempt, settings, rng)
    if not session.scalar(select(Webhook.active).where(Webhook.id == item.webhook_id)):
        delivery.status, delivery.next_attempt_at = "cancelled", None  # disabled while this one was in flight
        report.cancelled += 1
    elif delay is None:
        delivery.status, delivery.next_attempt_at = "failed", None
        report.gave_up += 1
    else:
        delivery.status, delivery.next_attempt_at = "pending", now + delay
        report.retrying += 1
    session.commit()
    if note is not None:
        report.disabled.append(item.webhook_id)
        counters.count("haul_webhook_endpoints_disabled_total")
        log.warning("webhook %s disabled after repeated failures: %s", item.webhook_id, outcome.error)
        announce([notification_view(note)], [note.organisation_id])


def _outcome_label(outcome) -> str:
    if outcome.ok:
        return "delivered"
    return "refused" if (outcome.error or "").startswith(transport.REFUSED) else "failed"


def _failing_since(session: Session, webhook_id: int) -> datetime | None:
    last_ok = session.scalar(select(func.max(WebhookAttempt.created_at))
                             .where(WebhookAttempt.webhook_id == webhook_id, WebhookAttempt.ok.is_(True)))
    query = select(func.min(WebhookAttempt.created_at)).where(WebhookAttempt.webhook_id == webhook_id,
                                                              WebhookAttempt.ok.is_(False))
    if last_ok is not None:
        query = query.where(WebhookAttempt.created_at > last_ok)
    return session.execute(query).scalars().first()


def _disable_if_dead(session: Session, item, outcome, now: datetime, settings: DeliverySettings):
    hook = session.execute(select(Webhook.consecutive_failures, Webhook.organisation_id, Webhook.url)
                           .where(Webhook.id == item.webhook_id)).first()
    if hook is None or hook.consecutive_failures < settings.disable_after:
        return None
    since = _failing_since(session, item.webhook_id)
    if since is not None and (now - since).total_seconds() < settings.failing_long_enough_s:
        return None
    # Conditional, so that of two workers recording failures only one disables and notifies.
    if session.execute(update(Webhook).where(Webhook.id == item.webhook_id, Webhook.active.is_(True))
                       .values(active=False)).rowcount != 1:
        return None
    session.execute(update(WebhookDelivery)
                    .where(WebhookDelivery.webhook_id == item.webhook_id, WebhookDelivery.status == "pending")
                    .values(status="cancelled", next_attempt_at=None).execution_options(synchronize_session=False))
    note = in_app(session, hook.organisation_id, WEBHOOK_DISABLED, {
        "webhook_id": item.webhook_id, "url": hook.url, "consecutive_failures": hook.consecutive_failures,
        "failing_since": since.isoformat() if since else None, "last_error": outcome.error}, now)
    session.flush()
    return note


def purge_old(now: datetime | None = None, keep_days: int = 30) -> int:
    """Delete finished deliveries (and their attempts) older than ``keep_days``; returns how many."""
    cutoff = (now or clock.now()) - timedelta(days=keep_days)
    with Session(db.engine) as session:
        old = select(WebhookDelivery.id).where(WebhookDelivery.status.in_(TERMINAL),
                                               WebhookDelivery.created_at < cutoff)
        session.execute(delete(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(old)))
        count = session.execute(delete(WebhookDelivery).where(WebhookDelivery.id.in_(old))
                                .execution_options(synchronize_session=False)).rowcount
        session.commit()
    return count
