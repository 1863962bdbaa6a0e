"""In-app notifications of the caller's organisation: list them and mark them read."""

from __future__ import annotations

from flask import request, session
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import false, func, or_, select, update

from server.api.common import PageArgs, page_of
from server.auth.principal import Principal, current_principal
from server.auth.scoping import driver_only
from server.db.types import MAX_ID, utcnow
from server.errors import ApiProblem
from server.extensions import db
from server.models import Notification, User
from server.notify.kinds import DRIVER_OWN_KINDS, EMAIL_DISABLED, KINDS, PING, WEBHOOK_DISABLED
from server.notify.messages import described
from server.notify.publish import notification_view

LANGUAGES = ("en", "zh_CN")

blp = Blueprint("notifications", __name__, url_prefix="/api/v1/notifications",
                description="In-app notifications (also pushed live as the Socket.IO event 'notification')")


def visible(principal: Principal):
    """An organisation's notifications: those for everyone in it, and those for the caller alone.

    A driver-only login gets only its own: "everyone" means the office (bills, won prices, other
    drivers' loads, which ``scoping`` keeps from drivers), and reading a shared row would clear it
    for the whole office."""
    # ``== None`` would compile to IS NULL: a token without a user (a paired phone) has no own ones.
    own = Notification.user_id == principal.user_id if principal.user_id is not None else false()
    if driver_only(principal):
        return (Notification.organisation_id == principal.organisation_id) & own
    return (Notification.organisation_id == principal.organisation_id) & or_(Notification.user_id.is_(None), own)


def reader_language(principal: Principal) -> str:
    """The language the caller reads: ``?lang=``, the page's chosen language, else the user's own."""
    for wanted in (request.args.get("lang"), session.get("lang") if principal.via == "session" else None):
        if wanted in LANGUAGES:
            return wanted
    language = db.session.scalar(select(User.language).where(User.id == principal.user_id)) \
        if principal.user_id else None
    return language if language in LANGUAGES else "en"


def readable(principal: Principal):
    """A function turning a notification into its API view, worded for the caller."""
    language = reader_language(principal)
    return lambda note: described(notification_view(note), principal.org_kind, language)


class NotificationOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    title = fields.String(metadata={"description": "what happened, in the caller's language"})
    url = fields.String(allow_none=True, metadata={"description": "the page of the object it is about"})
    event_id = fields.String(allow_none=True)
    load_id = fields.Integer(allow_none=True)
    data = fields.Dict()
    created_at = fields.String(metadata={"format": "date-time"})
    read_at = fields.String(allow_none=True, metadata={"format": "date-time"})


class NotificationFilter(PageArgs):
    unread = fields.Boolean(metadata={"description": "only unread (true) or only read (false) ones"})
    kind = fields.String(validate=validate.OneOf([*KINDS, *DRIVER_OWN_KINDS, WEBHOOK_DISABLED, EMAIL_DISABLED, PING]))
    load_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))  # query text, so not strict
    lang = fields.String(validate=validate.OneOf(LANGUAGES), metadata={"description": "the words' language"})


class NotificationPage(Schema):
    items = fields.List(fields.Nested(NotificationOut))
    total = fields.Integer()
    unread = fields.Integer(metadata={"description": "unread notifications of the caller, over all pages"})
    limit = fields.Integer()
    offset = fields.Integer()


class Marked(Schema):
    marked = fields.Integer()


def _filtered(principal: Principal, args: dict):
    query = select(Notification).where(visible(principal))
    if "unread" in args:
        query = query.where(Notification.read_at.is_(None) if args["unread"] else Notification.read_at.is_not(None))
    if "kind" in args:
        query = query.where(Notification.kind == args["kind"])
    if "load_id" in args:
        query = query.where(Notification.payload["load_id"].as_integer() == args["load_id"])
    return query


@blp.get("")
@blp.arguments(NotificationFilter, location="query")
@blp.response(200, NotificationPage)
def list_notifications(args):
    """The caller's notifications, newest first, with the count of unread ones."""
    principal = current_principal()
    page = page_of(_filtered(principal, args).order_by(Notification.id.desc()), args, readable(principal))
    page["unread"] = db.session.scalar(select(func.count()).select_from(Notification)
                                       .where(visible(principal), Notification.read_at.is_(None)))
    return page


@blp.post("/<int:notification_id>/read")
@blp.response(200, NotificationOut)
def mark_read(notification_id):
    """Mark one notification read (again is harmless)."""
    principal = current_principal()
    note = None
    if 0 < notification_id <= MAX_ID:
        note = db.session.scalar(select(Notification).where(Notification.id == notification_id, visible(principal)))
    if note is None:
        raise ApiProblem(404, _("Notification %(notification_id)s was not found.",
                                notification_id=notification_id))
    if note.read_at is None:
        note.read_at = utcnow()
        db.session.commit()
    return readable(principal)(note)


@blp.post("/read-all")
@blp.response(200, Marked)
def mark_all_read():
    """Mark every unread notification of the caller read."""
    principal = current_principal()
    result = db.session.execute(update(Notification).where(visible(principal), Notification.read_at.is_(None))
                                .values(read_at=utcnow()).execution_options(synchronize_session=False))
    db.session.commit()
    return {"marked": result.rowcount}
