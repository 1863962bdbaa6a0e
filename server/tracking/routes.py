"""Tracking: public tracking links, device credentials and /metrics.

Documented (OpenAPI) under /api/v1:

* ``POST|GET|DELETE /loads/{id}/tracking-links``, ``DELETE /loads/{id}/tracking-links/{link_id}``:
  the load's buyer or seller shares expiring, token-only links (the carrier may not); DELETE
  withdraws all of them, or one; a buyer with only a stop on a multi-drop load shares, lists and
  withdraws links bound to its own stop (`server.tracking.link_scope`). Minting and withdrawing need
  ``share_tracking`` (organisation-wide or in the load's department); seeing the load lists them;
* ``GET /track/{token}``: the public JSON snapshot of a link, no login (404 unknown, 410
  expired or revoked);
* ``POST|GET /device-credentials``, ``DELETE /device-credentials/{id}`` (one login),
  ``DELETE /vehicles/{id}/device-credentials`` (all of a truck's): a carrier's device logins (the secret, and the HTTP id when asked for, are shown once);
  ``POST|DELETE /device-credentials/{id}/http-id``: give a login a new HTTP device id (shown once;
  the old one stops working) or take it away; ``POST /device-credentials/{id}/reinstate``
  (`server.tracking.suspension_routes`) re-enables a login the ingest suspended for garbage.

Not in the OpenAPI document (public or not JSON APIs): ``/metrics`` (Prometheus text, for operators:
``HAUL_METRICS_TOKEN`` or a platform admin) and the public page ``/track/<token>``
(`server.tracking.page`); the position endpoints for devices are in `server.tracking.position_routes`.
"""

from __future__ import annotations

import json
from datetime import timedelta

from flask import Blueprint as FlaskBlueprint
from flask import Response, current_app, request
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from server.api.common import IdField, PageArgs, page_of
from server.auth.principal import current_principal, require
from server.auth.scoping import get_scoped_or_404
from server.broker.sessions import cut_off
from server.db.types import utcnow
from server.errors import ApiProblem
from server.extensions import db
from server.models import DeviceCredential, Driver, TrackingLink, Vehicle
from server.tracking import devices
from server.tracking.link_scope import link_scope, sharing_scope
from server.tracking.links import create_link, dump_link, find_link
from server.tracking.snapshot import link_snapshot

blp = Blueprint("tracking", __name__, description="Tracking links, device credentials and live tracking")
# A plain Flask blueprint, so OpenAPI does not document these (public or not JSON) routes.
raw = FlaskBlueprint("tracking_raw", __name__)


class LinkIn(Schema):
    ttl_hours = fields.Float(load_default=24.0, validate=validate.Range(min=0.05, max=720))


class LinkOut(Schema):
    id = fields.Integer()
    load_id = fields.Integer()
    expires_at = fields.String()
    revoked_at = fields.String(allow_none=True)
    created_at = fields.String(allow_none=True)
    stop_buyer_id = fields.Integer(allow_none=True, metadata={
        "description": "set when the link shows only this buyer's stop of a multi-drop load"})
    token = fields.String()
    url = fields.String()


class DeviceIn(Schema):
    vehicle_id = IdField(required=True)
    driver_id = IdField(load_default=None, allow_none=True)
    username = fields.String(load_default=None, allow_none=True,
                             validate=validate.Regexp(r"^[A-Za-z0-9._@-]{3,100}$"))
    http_id = fields.Boolean(load_default=False, metadata={
        "description": "also make an HTTP device id (for Traccar Client / OsmAnd), shown once"})
    owntracks_device = fields.String(load_default=None, allow_none=True,
                                     validate=validate.Regexp(r"^[A-Za-z0-9._@-]{1,100}$"), metadata={
        "description": "the OwnTracks DeviceID this login publishes as (owntracks/<username>/<device>)"})


class DeviceOut(Schema):
    id = fields.Integer()
    username = fields.String()
    vehicle_id = fields.Integer(allow_none=True)
    driver_id = fields.Integer(allow_none=True)
    revoked_at = fields.String(allow_none=True)
    suspended_at = fields.String(allow_none=True, metadata={"description": "set while suspended for garbage"})
    suspended_reason = fields.String(allow_none=True)
    owntracks_device = fields.String(allow_none=True)
    http_id_prefix = fields.String(allow_none=True, metadata={"description": "the HTTP id's first characters"})
    topics = fields.Dict()
    secret = fields.String(metadata={"description": "shown once"})
    http_id = fields.String(metadata={"description": "shown once; only its SHA-256 is stored"})
    osmand_url = fields.String(metadata={"description": "shown with http_id: the address Traccar Client posts to"})


class DevicePage(Schema):
    items = fields.List(fields.Nested(DeviceOut))
    total = fields.Integer()
    limit = fields.Integer()
    offset = fields.Integer()


@blp.post("/api/v1/loads/<int:load_id>/tracking-links")
@blp.arguments(LinkIn)
@blp.response(201, LinkOut)
@require("share_tracking", by_department=True)
def create_tracking_link(data, load_id):
    """Create a public, expiring tracking link; the token is shown only in this answer."""
    scope = sharing_scope(load_id, current_principal())
    token, link = create_link(scope.load.id, timedelta(hours=data["ttl_hours"]), current_principal().user_id,
                              stop_buyer_org_id=scope.stop_buyer_org_id)
    db.session.commit()
    return dump_link(link, token)


@blp.get("/api/v1/loads/<int:load_id>/tracking-links")
@blp.response(200, LinkOut(many=True))
def list_tracking_links(load_id):
    """The load's tracking links (without tokens: only their hashes are stored)."""
    links = db.session.scalars(link_scope(load_id, current_principal()).links()).all()
    return [dump_link(link) for link in links]


@blp.delete("/api/v1/loads/<int:load_id>/tracking-links")
@blp.response(204)
@require("share_tracking", by_department=True)
def revoke_tracking_links(load_id):
    """Stop sharing: withdraw every live link of the load at once; their pages answer 410 from now on."""
    scope = sharing_scope(load_id, current_principal())
    now = utcnow()
    for link in db.session.scalars(scope.links().where(TrackingLink.revoked_at.is_(None))):
        link.revoked_at = now
    db.session.commit()


@blp.delete("/api/v1/loads/<int:load_id>/tracking-links/<int:link_id>")
@blp.response(204)
@require("share_tracking", by_department=True)
def revoke_tracking_link(load_id, link_id):
    """Withdraw one link at once; its page and room answer 410 from now on."""
    link = db.session.scalar(sharing_scope(load_id, current_principal()).links().where(TrackingLink.id == link_id))
    if link is None:
        raise ApiProblem(404, _("Tracking link %(link_id)s was not found.", link_id=link_id))
    link.revoked_at = link.revoked_at or utcnow()
    db.session.commit()


@blp.get("/api/v1/track/<token>")
@blp.response(200)
def public_tracking(token):
    """The live state of a shared load, without login (404 unknown link, 410 expired or revoked)."""
    lookup = find_link(token)
    if lookup.link is None:
        raise ApiProblem(404, _("This tracking link does not exist."))
    if not lookup.live:
        raise ApiProblem(410, _("This tracking link has expired or was withdrawn."))
    return link_snapshot(lookup.link)


@blp.post("/api/v1/device-credentials")
@blp.arguments(DeviceIn)
@blp.response(201, DeviceOut)
@require("manage_devices")
def create_device_credential(data):
    """Create a device login for one of the organisation's vehicles; the secret is shown once."""
    principal = current_principal()
    vehicle = get_scoped_or_404(Vehicle, data["vehicle_id"], principal)
    driver = get_scoped_or_404(Driver, data["driver_id"], principal) if data["driver_id"] else None
    try:
        secret, cred = devices.create_credential(principal.organisation_id, vehicle.id,
                                                 driver.id if driver else None, data["username"],
                                                 data["owntracks_device"])
        http_id = devices.new_http_id(cred) if data["http_id"] else None
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ApiProblem(409, _("That username is taken."), [("username", _("already in use"))]) from None
    return _shown_once(cred, secret, http_id)


@blp.post("/api/v1/device-credentials/<int:credential_id>/http-id")
@blp.response(201, DeviceOut)
@require("manage_devices")
def rotate_http_id(credential_id):
    """Give the login a new HTTP device id, shown once; its old one stops working at once."""
    cred = _live_credential(credential_id)
    http_id = devices.new_http_id(cred)
    db.session.commit()
    return _shown_once(cred, None, http_id)


@blp.delete("/api/v1/device-credentials/<int:credential_id>/http-id")
@blp.response(204)
@require("manage_devices")
def delete_http_id(credential_id):
    """Take the login's HTTP device id away (its secret keeps working for HTTP Basic and MQTT)."""
    devices.drop_http_id(_live_credential(credential_id))
    db.session.commit()


def _live_credential(credential_id: int) -> DeviceCredential:
    cred = get_scoped_or_404(DeviceCredential, credential_id, current_principal())
    if cred.revoked_at is not None:
        raise ApiProblem(409, _("This device login was revoked; make a new one."), reason="revoked")
    return cred


def _shown_once(cred: DeviceCredential, secret: str | None, http_id: str | None) -> dict:
    out = devices.dump_credential(cred, secret, http_id)
    if http_id is not None:
        base = current_app.config.get("PUBLIC_URL") or request.url_root
        out["osmand_url"] = f"{base.rstrip('/')}/osmand?id={http_id}"
    return out


@blp.get("/api/v1/device-credentials")
@blp.arguments(PageArgs, location="query")
@blp.response(200, DevicePage)
def list_device_credentials(args):
    """The organisation's device credentials (never their secrets)."""
    creds = select(DeviceCredential).where(
        DeviceCredential.organisation_id == current_principal().organisation_id).order_by(DeviceCredential.id)
    return page_of(creds, args, devices.dump_credential)


@blp.delete("/api/v1/vehicles/<int:row_id>/device-credentials")
@blp.response(204)
@require("manage_devices")
def revoke_device_credentials(row_id):
    """Revoke the vehicle's device logins; the broker refuses them from now on and closes their connections."""
    vehicle = get_scoped_or_404(Vehicle, row_id, current_principal())
    creds = db.session.scalars(select(DeviceCredential).where(DeviceCredential.vehicle_id == vehicle.id)).all()
    for cred in creds:
        devices.revoke(cred)
    db.session.commit()
    cut_off(current_app.config.get("BROKER_MANAGEMENT_URL", ""), [c.username for c in creds])


@blp.delete("/api/v1/device-credentials/<int:credential_id>")
@blp.response(204)
@require("manage_devices")
def revoke_device_credential(credential_id):
    """Revoke one device login (again is a no-op); the broker closes its connection."""
    cred = get_scoped_or_404(DeviceCredential, credential_id, current_principal())
    devices.revoke(cred)
    db.session.commit()
    cut_off(current_app.config.get("BROKER_MANAGEMENT_URL", ""), [cred.username])


@raw.get("/metrics")
def metrics():
    """Prometheus counters: this process's OsmAnd pipeline, socket and broker-auth refusals, every ingest
    worker. For operators only (``server.auth.operator``)."""
    from server.auth.operator import require_operator
    from server.broker.auth_routes import refusals
    from server.notify import counters as notify_counters
    from server.sockets import refused_joins

    require_operator()

    lines = []
    ingest = current_app.extensions.get("haul_http_ingest")
    if ingest is not None:
        lines.append(ingest.runtime.metrics.prometheus(prefix="haul_osmand"))
    lines.append("# TYPE haul_socket_refused_joins_total counter")
    lines += [f'haul_socket_refused_joins_total{{reason="{r}"}} {n}' for r, n in sorted(refused_joins.items())]
    lines += notify_counters.prometheus_lines()
    lines.append("# TYPE haul_broker_auth_refusals_total counter")
    lines += [f'haul_broker_auth_refusals_total{{check="{c}"}} {n}' for c, n in sorted(refusals.items())]
    lines += _worker_metrics(current_app.config.get("REDIS_URL"))
    return Response("\n".join(lines) + "\n", mimetype="text/plain; version=0.0.4")


def _worker_metrics(redis_url: str | None) -> list[str]:
    if not redis_url:
        return []
    import redis

    from server.tracking.ingest_metrics import METRICS_KEY

    try:
        reported = redis.Redis.from_url(redis_url, socket_timeout=1).hgetall(METRICS_KEY)
    except redis.RedisError:
        return ["# ingest worker metrics unavailable (Redis error)"]
    out = []
    for worker, raw_snapshot in sorted(reported.items()):
        name = worker.decode()
        for key, value in sorted(json.loads(raw_snapshot).items()):
            out.append(f'haul_ingest_{key}_total{{worker="{name}"}} {value}')
    return out
