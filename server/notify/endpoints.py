"""Managing an organisation's webhook endpoints: create, change, rotate, delete, test, redeliver.

The HMAC secret is generated here and returned by ``create`` and ``rotate`` only; it is
never listed again. Rotation takes effect at once: deliveries still queued are signed with
the new secret when they are sent, and a receiver that still checks the old one answers
with an error, so those deliveries are simply retried until it has the new one.
"""

from __future__ import annotations

import uuid

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from server import clock
from server.errors import ApiProblem
from server.extensions import db
from server.models import Webhook, WebhookAttempt, WebhookDelivery
from server.notify import signing
from server.notify.kinds import PING
from server.notify.publish import envelope
from server.notify.settings import delivery_settings, fanout_limits
from server.notify.urls import WebhookUrlError, check_url
from server.notify.wakeup import wake


def checked_url(url: str) -> str:
    """The URL as stored when this installation may deliver to it; a 422 on ``url`` otherwise."""
    try:
        return check_url(url, delivery_settings(current_app.config).policy)
    except WebhookUrlError as exc:
        raise ApiProblem(422, _("This webhook URL is refused."), exc.errors) from exc


def create(organisation_id: int, data: dict) -> Webhook:
    """Register an endpoint, within the organisation's quota (``HAUL_NOTIFY_MAX_WEBHOOKS_PER_ORG``)."""
    most = fanout_limits(current_app.config).max_webhooks_per_org
    have = db.session.scalar(select(func.count(Webhook.id)).where(Webhook.organisation_id == organisation_id))
    if have >= most:
        raise ApiProblem(422, _("An organisation can have at most %(most)s webhook endpoints; delete one "
                                "first.", most=most),
                         [("_body", _("at most %(most)s endpoints per organisation", most=most))], limit=most)
    hook = Webhook(organisation_id=organisation_id, url=checked_url(data["url"]), secret=signing.new_secret(),
                   events=sorted(set(data["events"])), active=data.get("active", True), consecutive_failures=0)
    db.session.add(hook)
    db.session.commit()
    return hook


def update(hook: Webhook, data: dict) -> Webhook:
    """Change the URL, the events or the active flag; turning an endpoint back on forgets its failures."""
    if "url" in data:
        hook.url = checked_url(data["url"])
    if "events" in data:
        hook.events = sorted(set(data["events"]))
    if "active" in data:
        if data["active"] and not hook.active:
            hook.consecutive_failures = 0
        hook.active = data["active"]
    db.session.commit()
    return hook


def rotate(hook: Webhook) -> Webhook:
    hook.secret = signing.new_secret()
    db.session.commit()
    return hook


def remove(hook: Webhook) -> None:
    """Delete the endpoint with its delivery log."""
    db.session.execute(delete(WebhookAttempt).where(WebhookAttempt.webhook_id == hook.id))
    db.session.execute(delete(WebhookDelivery).where(WebhookDelivery.webhook_id == hook.id))
    db.session.delete(hook)
    db.session.commit()


def _queue(hook: Webhook, kind: str, payload: dict) -> WebhookDelivery:
    delivery = WebhookDelivery(webhook_id=hook.id, event=kind, payload=payload, status="pending", attempts=0,
                               next_attempt_at=clock.now())
    db.session.add(delivery)
    db.session.commit()
    wake()
    return delivery


def ping(hook: Webhook) -> WebhookDelivery:
    """Queue a ``ping`` event to the endpoint, to test it (sent even if it is not subscribed to anything)."""
    at = clock.now()
    event_id = f"evt_{uuid.uuid4().hex}"
    return _queue(hook, PING, envelope(event_id, PING, at, hook.organisation_id, None,
                                       {"webhook_id": hook.id, "message": "Haul webhook test"}))


def redeliver(hook: Webhook, delivery: WebhookDelivery) -> WebhookDelivery:
    """Queue the same event (same body, same event id) again as a new delivery."""
    return _queue(hook, delivery.event, dict(delivery.payload))


def attempts_of(delivery_ids: list[int]) -> dict[int, list[WebhookAttempt]]:
    found: dict[int, list[WebhookAttempt]] = {i: [] for i in delivery_ids}
    if delivery_ids:
        rows = db.session.scalars(select(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(delivery_ids))
                                  .order_by(WebhookAttempt.delivery_id, WebhookAttempt.number, WebhookAttempt.id))
        for attempt in rows:
            found[attempt.delivery_id].append(attempt)
    return found
