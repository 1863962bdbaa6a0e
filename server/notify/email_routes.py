"""E-mail as a channel: the caller's own e-mail settings, and bounce reports from the mail system."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import func, select

from server import clock
from server.auth.operator import require_operator
from server.auth.principal import current_principal
from server.errors import ApiProblem
from server.extensions import db
from server.models import EmailSettings, User
from server.models.email import MODES
from server.notify.email_outbox import disable_for_bounce
from server.notify.email_prefs import EMAIL_KINDS, choices, smtp_settings
from server.notify.publish import announce

blp = Blueprint("email", __name__, url_prefix="/api/v1", description="E-mail notifications")


class EmailSettingsIn(Schema):
    enabled = fields.Boolean(required=True)
    mode = fields.String(required=True, validate=validate.OneOf(MODES))
    kinds = fields.List(fields.String(validate=validate.OneOf(EMAIL_KINDS)), required=True,
                        validate=validate.Length(max=len(EMAIL_KINDS)))


class EmailSettingsOut(Schema):
    address = fields.String()
    enabled = fields.Boolean()
    mode = fields.String()
    kinds = fields.List(fields.String())
    disabled_reason = fields.String(allow_none=True, metadata={"description": "why e-mail is off (a bounce)"})
    disabled_at = fields.DateTime(allow_none=True)
    channel_configured = fields.Boolean(metadata={"description": "whether this server sends e-mail at all"})


class BounceIn(Schema):
    address = fields.Email(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=300))


class BounceOut(Schema):
    disabled = fields.Boolean(metadata={"description": "false when e-mail was already off, or no user has it"})


def _user_id() -> int:
    principal = current_principal()
    if principal.user_id is None:  # an ERP token belongs to no person, so it has no mailbox
        raise ApiProblem(403, _("E-mail settings belong to a person; this token is not one."))
    return principal.user_id


def _view(user_id: int) -> dict:
    from flask import current_app

    row = db.session.scalar(select(EmailSettings).where(EmailSettings.user_id == user_id))
    address = db.session.scalar(select(User.email).where(User.id == user_id))
    return {**choices(row), "address": address, "channel_configured": smtp_settings(current_app.config).enabled}


@blp.get("/email-settings")
@blp.response(200, EmailSettingsOut)
def get_email_settings():
    """Your e-mail choices: on or off, immediate or a daily digest, which kinds; and whether a bounce turned it off."""
    return _view(_user_id())


@blp.put("/email-settings")
@blp.arguments(EmailSettingsIn)
@blp.response(200, EmailSettingsOut)
def put_email_settings(data):
    """Change your e-mail choices. Turning e-mail on again after a bounce clears the bounce."""
    user_id = _user_id()
    row = db.session.scalar(select(EmailSettings).where(EmailSettings.user_id == user_id))
    if row is None:
        row = EmailSettings(user_id=user_id, created_at=clock.now())
        db.session.add(row)
    row.enabled, row.mode, row.kinds = data["enabled"], data["mode"], sorted(set(data["kinds"]))
    if data["enabled"]:
        row.disabled_reason = row.disabled_at = None
    db.session.commit()
    return _view(user_id)


@blp.post("/email/bounces")
@blp.arguments(BounceIn)
@blp.response(200, BounceOut)
def post_bounce(data):
    """The mail system reports an address that bounced (operators only): e-mail is turned off for its user,
    who is told in the app."""
    require_operator()
    user_id = db.session.scalar(select(User.id).where(func.lower(User.email) == data["address"].lower()))
    if user_id is None:
        return {"disabled": False}
    note = disable_for_bounce(db.session, user_id, data["reason"], clock.now())
    db.session.commit()
    if note is not None:
        announce([{"id": note.id, "kind": note.kind}], [note.organisation_id], [note.user_id])
    return {"disabled": note is not None}
