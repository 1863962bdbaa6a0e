"""RabbitMQ's HTTP auth backend: ``POST /internal/broker/{user,vhost,resource,topic}``.

RabbitMQ (``auth_backends.2 = http``, `server.broker.rabbitmq.rabbitmq_conf`) posts a form to
these routes for every user its own database does not know, i.e. every driver device, on connect
and before a connection first uses a queue, exchange or topic. The answer is ``allow`` or
``deny`` (text/plain, status 200: anything else counts as a failure of the backend, which
RabbitMQ also treats as a refusal). The rules are `server.broker.device_access`; who is a live
device is the database's answer (`server.broker.live_devices`), so a new device can connect at
once and a revoked one is refused at once.

The routes answer only a caller with HTTP Basic credentials whose password is
``HAUL_BROKER_AUTH_PASSWORD`` (RabbitMQ sends the ones written in its ``auth_http.*_path`` URLs);
without that setting they do not exist (404). Refusals are counted in `refusals` and logged
without secrets. Not in the OpenAPI document: only the broker calls them.
"""

from __future__ import annotations

import hmac
import logging
from collections import Counter

from flask import Blueprint, Response, abort, current_app, request

from server.broker import device_access
from server.broker.live_devices import live_device
from server.broker.passwords import verify_secret
from server.extensions import db

log = logging.getLogger(__name__)

blp = Blueprint("broker_auth", __name__, url_prefix="/internal/broker")
refusals: Counter[str] = Counter()


def _answer(allowed: bool, check: str, detail: str) -> Response:
    if not allowed:
        refusals[check] += 1
        log.info("broker %s refused: %s", check, detail)
    return Response("allow" if allowed else "deny", mimetype="text/plain")


@blp.before_request
def _only_the_broker():
    expected = current_app.config.get("BROKER_AUTH_PASSWORD", "")
    if not expected:
        abort(404)
    given = request.authorization.password if request.authorization else None
    if given is None or not hmac.compare_digest(given.encode(), expected.encode()):
        abort(401)


def _device():
    return live_device(db.session, request.form.get("username", ""))


@blp.post("/user")
def user():
    form = request.form
    found = _device()
    ok = (found is not None and verify_secret(form.get("password", ""), found[1])
          and device_access.may_connect(found[0], form.get("client_id")))
    return _answer(ok, "user", f"username={form.get('username')!r} client_id={form.get('client_id')!r}")


@blp.post("/vhost")
def vhost():
    found = _device()
    ok = found is not None and request.form.get("vhost") == "/"
    return _answer(ok, "vhost", f"username={request.form.get('username')!r} vhost={request.form.get('vhost')!r}")


@blp.post("/resource")
def resource():
    form = request.form
    found = _device()
    ok = found is not None and device_access.may_use_resource(found[0], form.get("resource", ""),
                                                             form.get("name", ""), form.get("permission", ""))
    return _answer(ok, "resource", f"username={form.get('username')!r} {form.get('permission')} "
                                   f"{form.get('resource')} {form.get('name')!r}")


@blp.post("/topic")
def topic():
    form = request.form
    found = _device()
    ok = (found is not None and form.get("name") == device_access.EXCHANGE
          and device_access.may_use_topic(found[0], form.get("routing_key", ""), form.get("permission", "")))
    return _answer(ok, "topic", f"username={form.get('username')!r} {form.get('permission')} "
                                f"{form.get('routing_key')!r}")
