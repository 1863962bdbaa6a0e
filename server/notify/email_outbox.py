"""Putting notifications in the e-mail outbox, and turning e-mail off for an address that bounced.

``queue`` runs inside ``publish_event``'s own transaction: it only adds rows, and the sender
(``email_sender``) mails them later, outside any request. Nothing is queued while no SMTP server
is configured.
"""

from __future__ import annotations

import logging
from datetime import datetime

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from server.models import EmailMessage, EmailSettings, Notification, User
from server.notify.email_prefs import DEFAULT_KINDS, recipients, smtp_settings
from server.notify.kinds import EMAIL_DISABLED

log = logging.getLogger("haul.notify.email")


def queue(session: Session, notes: list[Notification], kind: str, at: datetime) -> int:
    """Add one outbox row per user who wants these notifications by e-mail; returns how many.

    An organisation's row goes to its users who chose ``kind`` (never a driver-only one); a row
    addressed to one user (a driver's own) goes to that user alone, by that user's choices."""
    if not notes or not smtp_settings(current_app.config).enabled:
        return 0
    shared = {note.organisation_id: note for note in notes if note.user_id is None}
    wanted = [(note, recipients(session, [note.organisation_id], kind, user_id=note.user_id))
              for note in notes if note.user_id is not None]
    addressed = {note.user_id for note in notes if note.user_id is not None}
    if shared:  # a user with its own row of this event gets that one, not a second mail of the office's
        wanted += [(shared[org_id], [(user_id, org_id, mode)])
                   for user_id, org_id, mode in recipients(session, shared, kind) if user_id not in addressed]
    queued = 0
    for note, users in wanted:
        for user_id, _org_id, mode in users:
            session.add(EmailMessage(user_id=user_id, notification_id=note.id, created_at=at, attempts=0,
                                     status="digest" if mode == "digest" else "pending",
                                     next_attempt_at=None if mode == "digest" else at))
            queued += 1
    return queued


def disable_for_bounce(session: Session, user_id: int, reason: str, at: datetime) -> Notification | None:
    """Turn e-mail off for ``user_id`` and tell that user in the app (the caller commits, then announces).

    Returns the in-app notification, or None when e-mail was already off for a bounce. Unsent e-mails
    of the user are skipped, so a dead address gets nothing more.
    """
    row = session.scalar(select(EmailSettings).where(EmailSettings.user_id == user_id))
    if row is None:
        row = EmailSettings(user_id=user_id, enabled=True, mode="immediate", kinds=list(DEFAULT_KINDS), created_at=at)
        session.add(row)
    if not row.enabled and row.disabled_reason:
        return None
    row.enabled, row.disabled_reason, row.disabled_at = False, reason[:300], at
    session.execute(update(EmailMessage).where(EmailMessage.user_id == user_id,
                                               EmailMessage.status.in_(("pending", "digest")))
                    .values(status="skipped", error="e-mail turned off: the address bounced")
                    .execution_options(synchronize_session=False))
    org_id = session.scalar(select(User.organisation_id).where(User.id == user_id))
    note = Notification(organisation_id=org_id, user_id=user_id, kind=EMAIL_DISABLED, created_at=at,
                        payload={"event_id": None, "load_id": None, "data": {"reason": reason[:300]}})
    session.add(note)
    log.warning("e-mail turned off for user %s: %s", user_id, reason)
    return note

