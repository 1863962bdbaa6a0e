"""Webhook endpoints of an organisation (admins only), and their delivery log."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from server.api.common import PageArgs, page_of
from server.auth.principal import current_principal, require
from server.auth.scoping import get_scoped_or_404, scoped
from server.db.types import MAX_ID
from server.errors import ApiProblem
from server.extensions import db
from server.models import Webhook, WebhookDelivery
from server.notify import endpoints
from server.notify.kinds import ALL, KINDS
from server.notify.urls import MAX_URL_LENGTH

blp = Blueprint("webhooks", __name__, url_prefix="/api/v1/webhooks",
                description="Outgoing webhooks: signed event deliveries to an organisation's systems (admin only)")

STATUSES = ["pending", "sending", "delivered", "failed", "cancelled"]


class WebhookIn(Schema):
    # Checked against the outbound policy by the service (server/notify/endpoints.py), which resolves it.
    url = fields.String(required=True, validate=validate.Length(min=1, max=MAX_URL_LENGTH), metadata={
        "description": "http(s) URL without credentials, of a public host (internal hosts only when the operator "
                       "allows them in HAUL_WEBHOOK_ALLOW_HOSTS)"})
    events = fields.List(fields.String(validate=validate.OneOf([*KINDS, ALL])), required=True,
                         validate=validate.Length(min=1, max=len(KINDS) + 1),
                         metadata={"description": f"event kinds to receive, or '{ALL}' for all"})
    active = fields.Boolean(load_default=True)


class WebhookPatch(WebhookIn):
    """Used with ``partial=True``: every field is optional and nothing gets a default."""


class WebhookOut(Schema):
    id = fields.Integer()
    url = fields.String()
    events = fields.List(fields.String())
    active = fields.Boolean()
    consecutive_failures = fields.Integer()
    secret_prefix = fields.Function(lambda hook: hook.secret[:10], metadata={"description": "to tell secrets apart"})
    created_at = fields.DateTime()


class WebhookWithSecret(WebhookOut):
    secret = fields.String(metadata={"description": "the HMAC-SHA256 key; shown only now"})


class WebhookPage(Schema):
    items = fields.List(fields.Nested(WebhookOut))
    total = fields.Integer()
    limit = fields.Integer()
    offset = fields.Integer()


class AttemptOut(Schema):
    number = fields.Integer()
    at = fields.DateTime(attribute="created_at")
    ok = fields.Boolean()
    response_code = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True)
    duration_ms = fields.Integer()


class DeliveryOut(Schema):
    id = fields.Integer()
    event = fields.String()
    event_id = fields.Function(lambda d: (d.payload or {}).get("id"))
    status = fields.String()
    attempts = fields.Integer()
    next_attempt_at = fields.DateTime(allow_none=True)
    response_code = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    attempt_log = fields.List(fields.Nested(AttemptOut), dump_default=[])


class DeliveryPage(Schema):
    items = fields.List(fields.Nested(DeliveryOut))
    total = fields.Integer()
    limit = fields.Integer()
    offset = fields.Integer()


class DeliveryFilter(PageArgs):
    status = fields.String(validate=validate.OneOf(STATUSES))
    event = fields.String(validate=validate.Length(max=40))


class KindList(Schema):
    kinds = fields.List(fields.String())


def _hook(webhook_id: int) -> Webhook:
    return get_scoped_or_404(Webhook, webhook_id, current_principal())


def _with_attempts(deliveries: list[WebhookDelivery]) -> list[WebhookDelivery]:
    """The deliveries, each with its ``attempt_log`` loaded in one query."""
    log = endpoints.attempts_of([d.id for d in deliveries])
    for delivery in deliveries:
        delivery.attempt_log = log[delivery.id]  # a plain attribute for the schema, not a column
    return deliveries


@blp.get("")
@blp.arguments(PageArgs, location="query")
@blp.response(200, WebhookPage)
@require("manage_webhooks")
def list_webhooks(args):
    """The organisation's webhook endpoints (never their secrets)."""
    return page_of(scoped(Webhook, current_principal()).order_by(Webhook.id), args, lambda hook: hook)


@blp.post("")
@blp.arguments(WebhookIn)
@blp.response(201, WebhookWithSecret)
@require("manage_webhooks")
def create_webhook(data):
    """Register an endpoint; the answer shows its signing secret, once."""
    return endpoints.create(current_principal().organisation_id, data)


@blp.get("/kinds")
@blp.response(200, KindList)
@require("manage_webhooks")
def list_kinds():
    """The event kinds an endpoint can subscribe to."""
    return {"kinds": list(KINDS)}


@blp.get("/<int:webhook_id>")
@blp.response(200, WebhookOut)
@require("manage_webhooks")
def get_webhook(webhook_id):
    """One endpoint."""
    return _hook(webhook_id)


@blp.patch("/<int:webhook_id>")
@blp.arguments(WebhookPatch(partial=True))
@blp.response(200, WebhookOut)
@require("manage_webhooks")
def update_webhook(data, webhook_id):
    """Change the URL or the events, pause it, or turn a disabled endpoint back on."""
    return endpoints.update(_hook(webhook_id), data)


@blp.delete("/<int:webhook_id>")
@blp.response(204)
@require("manage_webhooks")
def delete_webhook(webhook_id):
    """Delete the endpoint and its delivery log."""
    endpoints.remove(_hook(webhook_id))


@blp.post("/<int:webhook_id>/rotate-secret")
@blp.response(200, WebhookWithSecret)
@require("manage_webhooks")
def rotate_secret(webhook_id):
    """Replace the signing secret at once; the answer shows the new one, once."""
    return endpoints.rotate(_hook(webhook_id))


def _require_active(hook: Webhook) -> Webhook:
    if not hook.active:
        raise ApiProblem(409, _("This endpoint is disabled; turn it back on (PATCH active=true) first."))
    return hook


@blp.post("/<int:webhook_id>/ping")
@blp.response(202, DeliveryOut)
@require("manage_webhooks")
def ping_webhook(webhook_id):
    """Queue a signed ``ping`` event to the endpoint, to test it."""
    return _with_attempts([endpoints.ping(_require_active(_hook(webhook_id)))])[0]


@blp.get("/<int:webhook_id>/deliveries")
@blp.arguments(DeliveryFilter, location="query")
@blp.response(200, DeliveryPage)
@require("manage_webhooks")
def list_deliveries(args, webhook_id):
    """The delivery log, newest first: each event's state and every attempt's answer or error."""
    hook = _hook(webhook_id)
    query = select(WebhookDelivery).where(WebhookDelivery.webhook_id == hook.id)
    if "status" in args:
        query = query.where(WebhookDelivery.status == args["status"])
    if "event" in args:
        query = query.where(WebhookDelivery.event == args["event"])
    page = page_of(query.order_by(WebhookDelivery.id.desc()), args, lambda d: d)
    page["items"] = _with_attempts(page["items"])
    return page


@blp.post("/<int:webhook_id>/deliveries/<int:delivery_id>/redeliver")
@blp.response(202, DeliveryOut)
@require("manage_webhooks")
def redeliver(webhook_id, delivery_id):
    """Send an event again (same body and event id) as a new delivery."""
    hook = _require_active(_hook(webhook_id))
    delivery = None
    if 0 < delivery_id <= MAX_ID:
        delivery = db.session.scalar(select(WebhookDelivery).where(WebhookDelivery.id == delivery_id,
                                                                   WebhookDelivery.webhook_id == hook.id))
    if delivery is None:
        raise ApiProblem(404, _("Delivery %(delivery_id)s of webhook %(webhook_id)s was not found.",
                                delivery_id=delivery_id, webhook_id=webhook_id))
    return _with_attempts([endpoints.redeliver(hook, delivery)])[0]
