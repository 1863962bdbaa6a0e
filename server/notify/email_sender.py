"""Sending the e-mail outbox over SMTP, outside any request: immediate mails and the daily digest.

A round claims due rows (a conditional UPDATE, so several workers never send one twice), renders
each in its user's language, and sends them over one SMTP connection (STARTTLS and login when
configured). What happens to a mail depends on the server's answer:

- accepted: ``sent``;
- a permanent refusal of the address (5xx to RCPT or DATA): ``bounced``; e-mail is turned off for
  that user, who is told in the app (``email_outbox.disable_for_bounce``);
- anything transient (4xx, a dropped connection, a timeout, a refused login): retried with backoff,
  and ``failed`` after ``HAUL_SMTP_MAX_ATTEMPTS`` tries.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage as Mail
from email.utils import formatdate, make_msgid

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from server import clock
from server.extensions import db
from server.models import EmailMessage, EmailSettings, Notification, User
from server.notify.email_outbox import disable_for_bounce
from server.notify.email_prefs import SmtpSettings, smtp_settings
from server.notify.messages import described
from server.notify.publish import announce, notification_view

log = logging.getLogger("haul.notify.email")
RETRY_DELAYS_S = (30, 120, 600, 1800, 3600, 3 * 3600)
BATCH = 50
DIGEST_SUBJECT = _l("Haul: your daily digest (%(n)d notifications)")
FOOTER = _l("You get this e-mail because of your Haul e-mail settings: %(url)s")


class Bounce(Exception):
    """The server refused the address for good."""


@dataclass
class EmailReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    bounced: list[int] = field(default_factory=list)  # users whose e-mail was turned off
    digests: int = 0


def _permanent(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    # a refused sender or login is Haul's configuration, not the reader's address: never a bounce
    if isinstance(exc, smtplib.SMTPSenderRefused | smtplib.SMTPAuthenticationError):
        return False
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


def _base_url() -> str:
    return (current_app.config.get("PUBLIC_URL") or "http://localhost:5000").rstrip("/")


def _lines(user: User, notes: list[Notification]) -> list[str]:
    from server.models import Organisation

    kind = db.session.scalar(select(Organisation.kind).where(Organisation.id == user.organisation_id))
    out = []
    for note in notes:
        view = described(notification_view(note), kind)
        out.append(view["title"] + (f"\n  {_base_url()}{view['url']}" if view["url"] else ""))
    return out


def compose(user: User, notes: list[Notification], settings: SmtpSettings, digest: bool) -> Mail:
    """One mail to ``user`` in the user's language: a notification, or the day's digest of several."""
    with force_locale(user.language if user.language in ("en", "zh_CN") else "en"):
        lines = _lines(user, notes)
        subject = str(DIGEST_SUBJECT) % {"n": len(notes)} if digest else lines[0].split("\n")[0]
        footer = str(FOOTER) % {"url": f"{_base_url()}/notifications/settings"}
    mail = Mail()
    mail["From"], mail["To"], mail["Subject"] = settings.sender, user.email, f"{subject}"
    mail["Date"], mail["Message-ID"] = formatdate(localtime=False), make_msgid(domain="haul")
    mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    mail.set_content("\n\n".join(lines) + "\n\n-- \n" + footer + "\n")
    return mail


def _claim(now: datetime) -> list[EmailMessage]:
    ids = list(db.session.scalars(select(EmailMessage.id).where(
        EmailMessage.status == "pending", EmailMessage.next_attempt_at <= now).order_by(EmailMessage.id).limit(BATCH)))
    claimed = []
    for row_id in ids:
        moved = db.session.execute(update(EmailMessage).where(EmailMessage.id == row_id, EmailMessage.status == "pending")
                                   .values(status="sending", attempts=EmailMessage.attempts + 1)
                                   .execution_options(synchronize_session=False))
        if moved.rowcount == 1:
            claimed.append(row_id)
    db.session.commit()
    return list(db.session.scalars(select(EmailMessage).where(EmailMessage.id.in_(claimed)).order_by(EmailMessage.id)))


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_s)
    if settings.starttls:  # verified: a password never goes to a server that is not the one configured
        smtp.starttls(context=ssl.create_default_context(cafile=settings.ca_file))
    if settings.user:
        smtp.login(settings.user, settings.password or "")
    return smtp


def _send(smtp: smtplib.SMTP, mail: Mail) -> None:
    try:
        smtp.send_message(mail)
    except smtplib.SMTPException as exc:
        if _permanent(exc):
            raise Bounce(str(exc)[:300]) from exc
        raise


def _bounced(user_id: int, reason: str, now: datetime, report: EmailReport) -> None:
    note = disable_for_bounce(db.session, user_id, reason, now)
    db.session.commit()
    if note is not None:
        report.bounced.append(user_id)
        announce([{"id": note.id, "kind": note.kind}], [note.organisation_id], [note.user_id])


def send_due(now: datetime | None = None, settings: SmtpSettings | None = None) -> EmailReport:
    """Send the immediate mails that are due; returns what happened."""
    now = now or clock.now()
    settings = settings or smtp_settings(current_app.config)
    report = EmailReport()
    if not settings.enabled:
        return report
    rows = _claim(now)
    if not rows:
        return report
    smtp = None
    try:
        for row in rows:
            user, note = db.session.get(User, row.user_id), db.session.get(Notification, row.notification_id)
            try:
                smtp = smtp or _connect(settings)
                _send(smtp, compose(user, [note], settings, digest=False))
                row.status, row.sent_at, row.error = "sent", now, None
                report.sent += 1
            except Bounce as exc:
                row.status, row.error = "bounced", str(exc)
                db.session.commit()
                _bounced(row.user_id, str(exc), now, report)
                continue
            except (smtplib.SMTPException, OSError) as exc:
                _retry(row, exc, now, settings, report)
                if isinstance(exc, smtplib.SMTPServerDisconnected | OSError):
                    smtp = _quit(smtp)
            db.session.commit()
    finally:
        _quit(smtp)
        db.session.commit()
    return report


def _retry(row: EmailMessage, exc: Exception, now: datetime, settings: SmtpSettings, report: EmailReport) -> None:
    row.error = f"{type(exc).__name__}: {exc}"[:300]
    if row.attempts >= settings.max_attempts:
        row.status = "failed"
        report.failed += 1
        return
    row.status = "pending"
    row.next_attempt_at = now + timedelta(seconds=RETRY_DELAYS_S[min(row.attempts, len(RETRY_DELAYS_S)) - 1])
    report.retrying += 1


def _quit(smtp: smtplib.SMTP | None) -> None:
    if smtp is not None:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            pass
    return None


def send_digests(now: datetime | None = None, settings: SmtpSettings | None = None) -> EmailReport:
    """Once a day (at the first round after ``HAUL_SMTP_DIGEST_HOUR_UTC``), one mail per digest reader with
    everything that waited since the last one. A transient failure leaves it for the next round."""
    now = now or clock.now()
    settings = settings or smtp_settings(current_app.config)
    report = EmailReport()
    if not settings.enabled or now.hour < settings.digest_hour_utc:
        return report
    today = now.replace(hour=settings.digest_hour_utc, minute=0, second=0, microsecond=0)
    waiting = db.session.execute(select(EmailMessage.user_id).where(EmailMessage.status == "digest").distinct()).all()
    for (user_id,) in waiting:
        prefs = db.session.scalar(select(EmailSettings).where(EmailSettings.user_id == user_id))
        if prefs is not None and prefs.last_digest_at is not None and prefs.last_digest_at >= today:
            continue
        rows = list(db.session.scalars(select(EmailMessage).where(
            EmailMessage.user_id == user_id, EmailMessage.status == "digest").order_by(EmailMessage.id)))
        notes = [db.session.get(Notification, row.notification_id) for row in rows]
        user = db.session.get(User, user_id)
        try:
            smtp = _connect(settings)
            try:
                _send(smtp, compose(user, notes, settings, digest=True))
            finally:
                _quit(smtp)
        except Bounce as exc:
            _bounced(user_id, str(exc), now, report)
            continue
        except (smtplib.SMTPException, OSError) as exc:
            log.warning("digest for user %s not sent, next round: %s", user_id, exc)
            report.retrying += 1
            continue
        for row in rows:
            row.status, row.sent_at, row.attempts = "sent", now, row.attempts + 1
        if prefs is not None:
            prefs.last_digest_at = now
        report.digests += 1
        report.sent += len(rows)
        db.session.commit()
    return report


def purge_old(keep_days: int, now: datetime | None = None) -> int:
    """Forget finished e-mails (sent, failed, bounced, skipped) older than ``keep_days``; returns how many."""
    cutoff = (now or clock.now()) - timedelta(days=keep_days)
    result = db.session.execute(delete(EmailMessage).where(
        EmailMessage.status.in_(("sent", "failed", "bounced", "skipped")), EmailMessage.created_at < cutoff)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount


def run_round(now: datetime | None = None) -> EmailReport:
    """One round of the e-mail channel: the due mails, then the digests if it is time."""
    due = send_due(now)
    digests = send_digests(now)
    due.digests, due.sent, due.bounced = digests.digests, due.sent + digests.sent, due.bounced + digests.bounced
    due.retrying += digests.retrying
    return due
