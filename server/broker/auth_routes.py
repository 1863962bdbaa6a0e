"""RabbitMQ's HTTP auth backend: ``POST /internal/broker/{user,vhost,resource,topic}``.

RabbitMQ (``auth_backends.2 = http``, `server.broker.rabbitmq.rabbitmq_conf`) posts a form to
these routes for every user its own database does not know, i.e. every driver device, on connect
and before a connection first uses a queue, exchange or topic. The answer is ``allow`` or
``deny`` (text/plain, status 200: anything else counts as a failure of the backend, which
RabbitMQ also treats as a refusal). The rules are `server.broker.device_access`; who is a live
device is the database's answer (`server.broker.live_devices`), so a new device can connect at
once and a revoked one is refused at once.

While the database does not answer, a device this process has seen live in the last
``STALE_OK_S`` seconds is answered from that memory (a revocation committed in the moment before
the outage then takes effect when the database is back; the reconciler closes the connection
then); any other is denied. An error answer would make RabbitMQ 3.10
fail the MQTT connection's internal channel while leaving the connection open, a phone then
waiting for PUBACKs that never come (seen in `haul bench faults` while PostgreSQL restarted).

The routes answer only a caller with HTTP Basic credentials whose password is
``HAUL_BROKER_AUTH_PASSWORD`` (RabbitMQ sends the ones written in its ``auth_http.*_path`` URLs);
without that setting they do not exist (404). Refusals are counted in `refusals` and logged
without secrets. Not in the OpenAPI document: only the broker calls them.
"""

from __future__ import annotations

import hmac
import logging
import threading
import time
from collections import Counter, OrderedDict

from flask import Blueprint, Response, abort, current_app, request
from sqlalchemy.exc import SQLAlchemyError

from server.broker import device_access
from server.broker.live_devices import live_device
from server.broker.passwords import verify_secret
from server.extensions import db

log = logging.getLogger(__name__)

blp = Blueprint("broker_auth", __name__, url_prefix="/internal/broker")
refusals: Counter[str] = Counter()
STALE_OK_S = 600.0
_seen: OrderedDict[str, tuple[float, object]] = OrderedDict()  # username -> (when, (Device, hash))
_seen_lock = threading.Lock()


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
    """The live device named in the form, from the database, or from memory while it is away."""
    username = request.form.get("username", "")
    try:
        found = live_device(db.session, username)
    except SQLAlchemyError as exc:
        db.session.rollback()
        with _seen_lock:
            seen = _seen.get(username)
        if seen is not None and time.monotonic() - seen[0] < STALE_OK_S:
            log.warning("database unavailable (%s); answering for %r from memory", type(exc).__name__, username)
            return seen[1]
        log.warning("database unavailable (%s); %r is refused", type(exc).__name__, username)
        return None
    with _seen_lock:
        if found is None:
            _seen.pop(username, None)
        else:
            _seen[username] = (time.monotonic(), found)
            _seen.move_to_end(username)
            while len(_seen) > 100_000:
                _seen.popitem(last=False)
    return found


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
