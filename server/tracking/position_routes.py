"""Positions over HTTP: the OsmAnd protocol (Traccar Client, OsmAnd) and OwnTracks' HTTP mode.

Not in the OpenAPI document (devices, not API clients, call them):

* ``GET|POST /osmand`` (and ``/api/v1/osmand``): Traccar Client and OsmAnd, parameters or JSON
  (`gps_ingest.decoders.osmand`); answers ``{"stored", "duplicates", "dropped"}``;
* ``POST /owntracks`` (and ``/api/v1/owntracks``): the OwnTracks app in HTTP mode, HTTP Basic with
  the login's username and secret; the user and device come from the payload's ``topic``, else
  the ``X-Limit-U``/``X-Limit-D`` headers or the ``u``/``d`` parameters (as the OwnTracks Recorder
  reads them), else the login's own; answers what the app expects, a JSON array (``[]``).

Every request is authenticated first (`server.tracking.http_auth`): 401 with a
``WWW-Authenticate`` challenge when it proves no live login, 403 when a login names another
device's id. Then `server.tracking.http_ingest` stores it and says how (200 only after commit,
400 with the path of each bad field, 503 when the database is away). Two brakes keep a bad client
from costing more than a refusal, without touching anyone else (`FailureBrake`, per process):

* per client address, `AUTH_FAILURES` refused credentials a minute, after which that address's
  refused requests get 429 (credentials that work still work: phones on a mobile network share
  addresses, and one misconfigured phone must not lock out the trucks behind the same address);
* per device login, `BAD_REQUESTS` rejected requests (4xx) a minute, after which that login gets
  429 until the minute is over, before any decoding.

Each refusal is a named, counted drop (``unauthenticated``, ``rate_limited``) in the endpoint's
metrics (``haul_osmand_dropped_total`` on ``/metrics``) and one log line, in which an id shows
only its first characters.
"""

from __future__ import annotations

import logging
import threading

from flask import Blueprint, current_app, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from gps_ingest.decoders.common import Reject, parse_json
from gps_ingest.decoders.osmand import claimed_device_id
from gps_ingest.model import DropReason, Message
from server.errors import problem_response
from server.extensions import db, socketio
from server.tracking.failure_brake import FailureBrake
from server.tracking.http_auth import DeviceLogin, Mismatch, Unauthenticated, authenticate
from server.tracking.http_ingest import HttpIngest, HttpOutcome

log = logging.getLogger(__name__)

blp = Blueprint("tracking_positions", __name__)

AUTH_FAILURES = 20  # refused credentials per client address and minute before 429
BAD_REQUESTS = 20  # rejected requests per device login and minute before 429
CHALLENGE = 'Basic realm="Haul devices", charset="UTF-8"'
RESOLVER_TTL_S = 1.0  # how long the endpoint remembers a login's vehicle: revocations show at once
_build_lock = threading.Lock()


def http_ingest() -> HttpIngest:
    """This app's HTTP pipeline, built on first use (fans out through the app's Socket.IO)."""
    ingest = current_app.extensions.get("haul_http_ingest")
    if ingest is None:
        with _build_lock:
            ingest = current_app.extensions.get("haul_http_ingest")
            if ingest is None:
                from server.tracking.http_ingest import http_settings
                from server.tracking.runtime import build_runtime, ingest_settings

                runtime = build_runtime(engine=db.engine, settings=http_settings(ingest_settings()),
                                        emit=lambda event, data, room: socketio.emit(event, data, to=room),
                                        resolver_ttl_s=RESOLVER_TTL_S)
                ingest = current_app.extensions["haul_http_ingest"] = HttpIngest(runtime)
    return ingest


def _brakes() -> tuple[FailureBrake, FailureBrake]:
    """(per client address, per device login), one pair per app."""
    return current_app.extensions.setdefault(
        "haul_position_brakes", (FailureBrake(AUTH_FAILURES, 60.0), FailureBrake(BAD_REQUESTS, 60.0)))


@blp.route("/api/v1/osmand", methods=["GET", "POST"])
@blp.route("/osmand", methods=["GET", "POST"])
def osmand() -> ResponseReturnValue:
    """OsmAnd / Traccar Client positions; 200 only after commit (see server.tracking.http_ingest)."""
    body = request.get_data(cache=False) if request.method == "POST" else b""
    query = request.query_string.decode("latin-1")
    content_type = request.content_type or ""
    login = _login(claimed_device_id(query, body, content_type))
    if not isinstance(login, DeviceLogin):
        return login
    return _ingest(login, lambda ingest: ingest.submit(device=login.username, query=query, body=body,
                                                       content_type=content_type), None)


@blp.post("/api/v1/owntracks")
@blp.post("/owntracks")
def owntracks() -> ResponseReturnValue:
    """OwnTracks positions in HTTP mode; 200 with a JSON array only after commit."""
    body = request.get_data(cache=False)
    login = _login(None)
    if not isinstance(login, DeviceLogin):
        return login
    topic = _owntracks_topic(login, body)
    if topic is None:
        return _refuse(DropReason.TOPIC_MISMATCH, 403, _("The OwnTracks user must be the login's username."),
                       f"login {login.username!r} named another OwnTracks user")
    return _ingest(login, lambda ingest: ingest.submit(device=login.username, topic=topic, body=body,
                                                       content_type=request.content_type or ""), [])


def _login(claimed_id: str | None) -> DeviceLogin | ResponseReturnValue:
    """The request's login, or the refusal to answer with (401, 403 or 429)."""
    address = request.remote_addr or ""
    by_address, _by_device = _brakes()
    try:
        return authenticate(request.headers.get("Authorization", ""), claimed_id)
    except Mismatch as mismatch:
        return _refuse(DropReason.TOPIC_MISMATCH, 403,
                       _("These credentials belong to another device than the id."),
                       str(mismatch))
    except Unauthenticated as refused:
        wait = by_address.retry_after(address)
        if wait:
            return _refuse(DropReason.RATE_LIMITED, 429,
                           _("Too many refused credentials from this address; try again in %(wait)s s.",
                             wait=wait), f"address {address} ({refused.log_detail})", retry_after=wait)
        if by_address.failed(address):
            log.warning("device credentials: %d refused from %s within a minute; braking it", AUTH_FAILURES, address)
        response = _refuse(DropReason.UNAUTHENTICATED, 401, refused.detail, f"{refused.log_detail} from {address}")
        response.headers["WWW-Authenticate"] = CHALLENGE
        return response


def _ingest(login: DeviceLogin, submit, ok_body) -> ResponseReturnValue:
    """Run an authenticated request through the pipeline (unless its login is braked) and answer."""
    _by_address, by_device = _brakes()
    wait = by_device.retry_after(login.username)
    if wait:
        return _refuse(DropReason.RATE_LIMITED, 429,
                       _("This device sent too many rejected requests; try again in %(wait)s s.",
                         wait=wait), f"device {login.username!r}", retry_after=wait)
    outcome: HttpOutcome = submit(http_ingest())
    db.session.remove()
    if outcome.status == 200:
        return outcome.body() if ok_body is None else ok_body, 200
    if 400 <= outcome.status < 500 and by_device.failed(login.username):
        log.warning("device %r: %d rejected requests within a minute; braking it", login.username, BAD_REQUESTS)
    detail = {503: "The position could not be stored now; retry later."}.get(
        outcome.status, "The position was rejected: " + ", ".join(sorted(outcome.dropped)))
    return problem_response(outcome.status, detail, outcome.errors, dropped=outcome.dropped)


def _refuse(reason: DropReason, status: int, detail: str, log_detail: str, retry_after: int | None = None):
    """A refused request: one counted, logged drop and a problem+json answer."""
    http_ingest().runtime.metrics.drop(reason, Message("http-refused", "http"), log_detail)
    extra = {"reason": reason.value}
    if retry_after is not None:
        extra["retry_after"] = retry_after
    response = problem_response(status, detail, **extra)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _owntracks_topic(login: DeviceLogin, body: bytes) -> str | None:
    """``owntracks/<user>/<device>`` of an OwnTracks HTTP request; None when the user is not the login's.

    A ``topic`` in the payload wins (the decoder checks it again); else the headers or parameters
    the OwnTracks Recorder reads; else the login's own username and OwnTracks device.
    """
    try:
        doc = parse_json(body) if body.strip() else None
    except Reject:
        doc = None  # the decoder reports it, with its reason
    named = doc.get("topic") if isinstance(doc, dict) else None
    if isinstance(named, str) and named.count("/") == 2 and named.startswith("owntracks/"):
        user, device = named.split("/")[1:]
    else:
        user = request.headers.get("X-Limit-U") or request.args.get("u") or login.username
        device = request.headers.get("X-Limit-D") or request.args.get("d") or login.owntracks_device or ""
    if user != login.username:
        return None
    return f"owntracks/{user}/{device.replace('/', '_')}"
