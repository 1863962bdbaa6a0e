"""Builders for other areas' tests: an organisation's webhook, one of its deliveries and a notification.

Import with ``from tests.server.notify.notify_factory import notify_victim``.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.extensions import db
from server.models import Notification
from server.notify.publish import publish_event


def notify_victim(client, party) -> dict:
    """A webhook of ``party`` (with a queued ping) and an in-app notification; the ids by URL parameter name."""
    hook = client.post("/api/v1/webhooks", headers=party.headers, json={
        "url": "https://erp.example.com/SECRET-hook", "events": ["*"]}).get_json()
    delivery = client.post(f"/api/v1/webhooks/{hook['id']}/ping", headers=party.headers).get_json()
    publish_event("delivered", organisation_ids=[party.id], data={"note": "SECRET"})
    with Session(db.engine) as session:  # a fresh read, leaving the caller's session and its objects alone
        note_id = session.scalar(select(Notification.id).where(Notification.organisation_id == party.id)
                                 .order_by(Notification.id.desc()))
    return {"webhook_id": hook["id"], "delivery_id": delivery["id"], "notification_id": note_id}
