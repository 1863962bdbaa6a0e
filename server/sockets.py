"""Socket.IO: who may connect, and which rooms they may join.

A client connects with the session cookie (dashboards) or ``auth={"token": ...}`` (apps),
and is put in its organisation's room (not a driver-only user, who follows their own loads) and, when it
names a user, that user's own room (notifications addressed to the user alone). It may then ``join`` a load room only when its
organisation is a party to that load (the same rule as the REST API, from scoping.py),
and a public tracking room only with a live tracking token (a delivered load's token gets its
frozen snapshot and no room). Anything else is refused
and counted.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter

from flask import request
from flask_socketio import join_room
from sqlalchemy import select

from server import socket_revocation
from server.auth.principal import Principal, principal_from_session, principal_from_token
from server.auth.scoping import may_follow_organisation, visibility
from server.db.types import utcnow
from server.errors import ApiProblem
from server.extensions import db, socketio
from server.models import Load, TrackingLink
from server.realtime import load_room, org_room, stop_room, tracking_room, user_room
from server.stops.views import narrow_snapshot, own_delivery_stops, sees_whole_load

log = logging.getLogger("haul.sockets")

refused_joins: Counter[str] = Counter()
_principals: dict[str, Principal | None] = {}  # by Socket.IO sid; anonymous public viewers are None
SNAPSHOT_PROVIDERS = []  # callables (room_kind, id) -> dict | None, registered by the tracking feature


def _refuse(reason: str) -> dict:
    refused_joins[reason] += 1
    log.info("socket %s refused: %s", request.sid, reason)
    return {"ok": False, "error": reason}


@socketio.on("connect")
def on_connect(auth=None):
    token = auth.get("token") if isinstance(auth, dict) else None
    try:
        principal = principal_from_token(token) if token else principal_from_session()
    except ApiProblem:
        refused_joins["bad_token"] += 1
        return False
    _principals[request.sid] = principal
    if principal is not None:  # closed by the watch once its token or session is revoked
        socket_revocation.watch(request.sid, socket_revocation.Proof(
            principal.token_id, principal.user_id, principal.session_generation))
    if principal is not None and may_follow_organisation(principal):  # a driver follows only their loads
        join_room(org_room(principal.organisation_id))
    if principal is not None and principal.user_id is not None:  # what is addressed to this user alone
        join_room(user_room(principal.user_id))
    return True


@socketio.on("disconnect")
def on_disconnect(*_args):
    _principals.pop(request.sid, None)
    socket_revocation.forget(request.sid)


def _snapshot(kind: str, key) -> dict | None:
    for provider in SNAPSHOT_PROVIDERS:
        snapshot = provider(kind, key)
        if snapshot is not None:
            return snapshot
    return None


@socketio.on("join")
def on_join(data):
    """Join ``{"load_id": n}`` or ``{"tracking_token": t}``; answers with an ack dict."""
    try:
        if not isinstance(data, dict):
            return _refuse("bad_request")
        if "load_id" in data:
            return _join_load(data["load_id"])
        if "tracking_token" in data:
            return _join_tracking(data["tracking_token"])
        return _refuse("bad_request")
    finally:
        db.session.remove()


def _join_load(load_id) -> dict:
    principal = _principals.get(request.sid)
    if principal is None:
        return _refuse("not_authenticated")
    if not isinstance(load_id, int) or isinstance(load_id, bool) or not 0 < load_id < 2**31:
        return _refuse("bad_request")
    visible = db.session.scalar(select(Load.id).where(Load.id == load_id, visibility(Load, principal)))
    if visible is None:
        return _refuse("forbidden")
    load = db.session.get(Load, load_id)
    # A buyer with a stop on a multi-drop load follows its own stop: its room gets only the events its stop
    # may see (`tracking/rooms.py`), and its snapshot its own stop's state, ETA and timeline.
    own = not sees_whole_load(load, principal) and own_delivery_stops(load, principal)
    room = stop_room(load_id, principal.organisation_id) if own else load_room(load_id)
    join_room(room)
    snapshot = _snapshot("load", load_id)
    return {"ok": True, "room": room, "snapshot": narrow_snapshot(snapshot, load, principal) if snapshot else None}


def _join_tracking(token) -> dict:
    if not isinstance(token, str) or not 10 <= len(token) <= 200:
        return _refuse("bad_request")
    token_hash = hashlib.sha256(token.encode()).hexdigest()
    link = db.session.scalar(select(TrackingLink).where(TrackingLink.token_hash == token_hash))
    if link is None or link.revoked_at is not None:
        return _refuse("forbidden")
    if link.expires_at <= utcnow():
        return _refuse("expired")
    snapshot = _snapshot("tracking_link", link)  # a link bound to a buyer's stop shows that stop only
    if snapshot is not None and snapshot.get("live") is False:  # delivered: the frozen state, no room
        return {"ok": True, "room": None, "snapshot": snapshot, "final": True}
    join_room(tracking_room(token_hash))
    return {"ok": True, "room": tracking_room(token_hash), "snapshot": snapshot}
