"""``publish_event``: one call tells every organisation concerned, in the app and by webhook.

It works in its own short transaction (so it never commits, flushes or rolls back the
caller's work), makes no HTTP call, and never raises: a notification that cannot be
stored is logged, and the order, award or arrival that caused it stands.
"""

from __future__ import annotations

import enum
import json
import logging
import uuid
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from decimal import Decimal

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from server import clock
from server.extensions import db
from server.models import Notification, Webhook, WebhookDelivery
from server.notify import counters, email_outbox, wakeup
from server.notify.driver_notices import own_notification
from server.notify.kinds import ALL, DRIVER_OWN_KINDS, KINDS
from server.notify.settings import fanout_limits
from server.realtime import emit_to_orgs, emit_to_user

log = logging.getLogger("haul.notify")
SOCKET_EVENT = "notification"


def _json_default(value):
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    return str(value)


def plain(data) -> dict:
    """``data`` as JSON-ready values (datetimes as ISO text), checked to be an object."""
    value = json.loads(json.dumps(data if data is not None else {}, default=_json_default))
    if not isinstance(value, dict):
        raise TypeError("event data must be a mapping")
    return value


def subscribed(events: list, kind: str) -> bool:
    return kind in (events or []) or (ALL in (events or []) and kind in KINDS)


def envelope(event_id: str, kind: str, at: datetime, organisation_id: int, load_id: int | None, data: dict) -> dict:
    """The JSON body a webhook receives (the same on every retry)."""
    return {"id": event_id, "type": kind, "created_at": at.isoformat(), "api_version": "v1",
            "organisation_id": organisation_id, "load_id": load_id, "data": data}


def notification_view(note: Notification) -> dict:
    payload = note.payload or {}
    return {"id": note.id, "kind": note.kind, "event_id": payload.get("event_id"), "load_id": payload.get("load_id"),
            "data": payload.get("data", {}), "created_at": note.created_at.isoformat(),
            "read_at": note.read_at.isoformat() if note.read_at else None}


def in_app(session: Session, organisation_id: int, kind: str, data: dict, at: datetime,
           event_id: str | None = None, load_id: int | None = None) -> Notification:
    """Add one in-app notification to ``session``; the caller commits, then calls ``announce``."""
    note = Notification(organisation_id=organisation_id, kind=kind, created_at=at,
                        payload={"event_id": event_id, "load_id": load_id, "data": data})
    session.add(note)
    return note


def announce(views: Iterable[dict], organisation_ids: Iterable[int],
             user_ids: Iterable[int | None] | None = None) -> None:
    """Emit committed notifications live: a row for one user to that user's room only (never the
    organisation's, whose sockets are the whole office), the others to their organisations' rooms.
    A broken fan-out is only logged."""
    views, organisation_ids = list(views), list(organisation_ids)
    users = list(user_ids) if user_ids is not None else [None] * len(views)
    for view, org_id, user_id in zip(views, organisation_ids, users, strict=True):
        try:
            if user_id is not None:
                emit_to_user(SOCKET_EVENT, view, user_id)
            else:
                emit_to_orgs(SOCKET_EVENT, view, [org_id])
        except Exception:
            log.exception("could not emit notification %s to organisation %s", view.get("id"), org_id)


def publish_event(kind: str, *, organisation_ids: Iterable[int | None], load_id: int | None = None,
                  data: dict | None = None, per_organisation: Mapping[int, dict] | None = None,
                  driver_id: int | None = None) -> str | None:
    """Tell each organisation of an event: in-app, over Socket.IO, and by its subscribed webhooks.

    Call it after your commit. Stores one ``Notification`` per organisation, emits it as
    ``notification`` to the organisation's room, and queues one ``WebhookDelivery`` per
    active webhook of those organisations subscribed to ``kind``; the delivery worker sends
    them. One event reaches at most ``HAUL_NOTIFY_MAX_ORGS_PER_EVENT`` organisations and
    queues at most ``HAUL_NOTIFY_MAX_DELIVERIES_PER_EVENT`` deliveries (the rest are counted
    in ``haul_notify_fanout_capped_total``): publish a summary, not one event per row. Returns the event id (the receivers' idempotency key), or None when nothing could
    be published. Never raises. ``kind`` is one of ``KINDS`` or ``DRIVER_OWN_KINDS`` (see server/notify/kinds.py).
    ``per_organisation`` gives some organisations their own ``data`` (what only they may see).
    ``driver_id`` (the load's driver) also gets one notification addressed to its own user, when it has
    one, with the part of ``data`` a driver may read (``driver_notices``); no webhook hears of that row.
    """
    try:
        if kind not in KINDS and kind not in DRIVER_OWN_KINDS:
            log.error("publish_event: unknown kind %r (known: %s)", kind, ", ".join(KINDS + DRIVER_OWN_KINDS))
            return None
        orgs = sorted({int(org) for org in organisation_ids if org is not None})
        if kind in DRIVER_OWN_KINDS and orgs:  # the driver's own news; the office made the change
            log.error("publish_event: %s is told to the driver alone, not to organisations %s", kind, orgs)
            return None
        if not orgs and driver_id is None:
            return None
        own = {int(org): plain(value) for org, value in (per_organisation or {}).items()}
        return _publish(kind, orgs, load_id, plain(data), own, driver_id)
    except Exception:  # the caller's change is committed; a notification failure must not undo it
        log.exception("could not publish %s to organisations %s", kind, organisation_ids)
        return None


def _bounded(items: list, limit: int, what: str, kind: str) -> list:
    """The first ``limit`` items; the rest are counted and logged, never queued."""
    if len(items) <= limit:
        return items
    counters.count("haul_notify_fanout_capped_total", ("what", what), len(items) - limit)
    log.warning("%s event told %d of %d %s (the per-event bound)", kind, limit, len(items), what)
    return items[:limit]


def _publish(kind: str, orgs: list[int], load_id: int | None, data: dict, own: dict[int, dict],
             driver_id: int | None = None) -> str | None:
    event_id = f"evt_{uuid.uuid4().hex}"
    at = clock.now()
    limits = fanout_limits(current_app.config)
    orgs = _bounded(orgs, limits.max_orgs_per_event, "organisations", kind)
    with Session(db.engine, expire_on_commit=False) as session:
        notes = [in_app(session, org, kind, own.get(org, data), at, event_id, load_id) for org in orgs]
        drivers_own = own_notification(session, driver_id, kind, data, at, event_id, load_id)
        if drivers_own is not None:
            notes.append(drivers_own)
        if not notes:
            return None
        hooks = session.scalars(select(Webhook).where(Webhook.organisation_id.in_(orgs), Webhook.active.is_(True))
                                .order_by(Webhook.organisation_id, Webhook.id)).all()
        deliveries = [WebhookDelivery(webhook_id=hook.id, event=kind, status="pending", attempts=0,
                                      next_attempt_at=at, created_at=at,
                                      payload=envelope(event_id, kind, at, hook.organisation_id, load_id,
                                                       own.get(hook.organisation_id, data)))
                      for hook in hooks if subscribed(hook.events, kind)]
        deliveries = _bounded(deliveries, limits.max_deliveries_per_event, "deliveries", kind)
        session.add_all(deliveries)
        session.flush()  # the notifications' ids, for the e-mails that cite them
        mails = email_outbox.queue(session, notes, kind, at)
        session.commit()
        views = [notification_view(note) for note in notes]
    announce(views, [note.organisation_id for note in notes], [note.user_id for note in notes])
    if deliveries or mails:
        wakeup.wake()
    return event_id
