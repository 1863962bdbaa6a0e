"""Who gets which notification by e-mail, and how Haul reaches the SMTP server.

E-mail is on only when ``HAUL_SMTP_HOST`` is set (app config first, then the environment). Each
user chooses (``email_settings``): e-mail on or off, ``immediate`` or a ``digest`` once a day, and
which kinds; a user who never chose gets ``DEFAULT_KINDS`` immediately. An address that bounced
turns e-mail off for its user until the user turns it on again.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.auth.permissions import BUILTIN_ROLES, builtin_permissions
from server.models import CustomRole, EmailSettings, User
from server.notify.kinds import DRIVER_OWN_KINDS, KINDS

# What matters to someone away from the screen; the rest stays in the app unless a user asks for it.
DEFAULT_KINDS: tuple[str, ...] = (
    "outbid", "won", "lost", "closed_without_award", "awarded", "authorized", "dock_rescheduled", "delivered",
    "exception", "bill_disputed",
)
EMAIL_KINDS: tuple[str, ...] = KINDS + DRIVER_OWN_KINDS  # every public kind, and a driver's own, may be chosen


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    user: str | None = None
    password: str | None = None
    sender: str = "haul@localhost"
    starttls: bool = False
    ca_file: str | None = None  # a private CA to verify the server's certificate with (else the system's)
    timeout_s: float = 10.0
    max_attempts: int = 6
    digest_hour_utc: int = 7  # the daily digest goes out at the first round after this hour

    @property
    def enabled(self) -> bool:
        return bool(self.host)


def smtp_settings(config) -> SmtpSettings:
    """The SMTP settings of one app: ``HAUL_SMTP_HOST/PORT/USER/PASSWORD/FROM/STARTTLS/CA_FILE`` (config, then
    env). STARTTLS verifies the server's certificate and name, against ``CA_FILE`` when given."""

    def raw(name, default=None):
        key = f"HAUL_SMTP_{name}"
        value = config.get(key, os.environ.get(key))
        return default if value in (None, "") else value

    return SmtpSettings(host=raw("HOST", ""), port=int(raw("PORT", 25)), user=raw("USER"), password=raw("PASSWORD"),
                        sender=raw("FROM", "haul@localhost"),
                        starttls=str(raw("STARTTLS", "0")).lower() in ("1", "true", "yes", "on"),
                        ca_file=raw("CA_FILE"),
                        timeout_s=float(raw("TIMEOUT_S", 10)), max_attempts=int(raw("MAX_ATTEMPTS", 6)),
                        digest_hour_utc=int(raw("DIGEST_HOUR_UTC", 7)))


def choices(row: EmailSettings | None) -> dict:
    """A user's e-mail choices as the API shows them (the defaults when there is no row)."""
    if row is None:
        return {"enabled": True, "mode": "immediate", "kinds": list(DEFAULT_KINDS), "disabled_reason": None,
                "disabled_at": None}
    return {"enabled": row.enabled, "mode": row.mode, "kinds": list(row.kinds or ()),
            "disabled_reason": row.disabled_reason, "disabled_at": row.disabled_at}


def _custom_roles(session: Session, organisation_ids: set[int]) -> dict[tuple[int, str], frozenset[str]]:
    if not organisation_ids:
        return {}
    return {(org_id, name): frozenset(permissions or ()) for org_id, name, permissions in session.execute(
        select(CustomRole.organisation_id, CustomRole.name, CustomRole.permissions)
        .where(CustomRole.organisation_id.in_(organisation_ids)))}


def _driver_only(org_id: int, roles, custom: dict) -> bool:
    """Everything the user may do is within the driver role's permissions (``scoping.driver_only``'s rule)."""
    held = set(builtin_permissions(roles))
    for name in roles:
        held |= custom.get((org_id, name), frozenset())
    return held <= BUILTIN_ROLES["driver"]


def recipients(session: Session, organisation_ids, kind: str,
               user_id: int | None = None) -> list[tuple[int, int, str]]:
    """``(user_id, organisation_id, mode)`` of the active users of those organisations who want ``kind`` by e-mail
    (only ``user_id`` when the notification is for one user). A driver-only user is never mailed an
    organisation's news: a driver sees only the loads it drives."""
    query = select(User.id, User.organisation_id, User.roles, EmailSettings).outerjoin(
        EmailSettings, EmailSettings.user_id == User.id).where(
        User.organisation_id.in_(list(organisation_ids)), User.active.is_(True))
    if user_id is not None:
        query = query.where(User.id == user_id)
    out = []
    rows = session.execute(query).all()
    custom = _custom_roles(session, {org_id for _, org_id, roles, _ in rows if set(roles or ()) - set(BUILTIN_ROLES)})
    for uid, org_id, roles, row in rows:
        wanted = choices(row)
        if user_id is None and _driver_only(org_id, roles or (), custom):
            continue
        if wanted["enabled"] and kind in wanted["kinds"]:
            out.append((uid, org_id, wanted["mode"]))
    return out
