"""Public, expiring tracking links: only the SHA-256 of the token is stored.

A link opens one load's live view without login. `create_link` returns the plaintext token
once; `find_link` answers with the link and its state, so the page and the API can tell
"never existed" (404) from "expired or revoked" (410).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from server.db.types import utcnow
from server.extensions import db, socketio
from server.models import TrackingLink
from server.realtime import tracking_room

TOKEN_BYTES = 24  # 32 url-safe characters; well inside the 10..200 the socket join accepts
MAX_TTL = timedelta(days=30)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_link(load_id: int, ttl: timedelta, user_id: int | None = None,
                stop_buyer_org_id: int | None = None) -> tuple[str, TrackingLink]:
    """Create a link to ``load_id`` valid for ``ttl`` (to that buyer's stop only, when ``stop_buyer_org_id``
    is given); returns (plaintext token, row). Not committed."""
    if not timedelta(0) < ttl <= MAX_TTL:
        raise ValueError(f"ttl must be between 0 and {MAX_TTL}")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = TrackingLink(load_id=load_id, token_hash=hash_token(token), expires_at=utcnow() + ttl,
                        created_by_user_id=user_id, stop_buyer_org_id=stop_buyer_org_id)
    db.session.add(link)
    db.session.flush()
    return token, link


@dataclass(frozen=True)
class LinkLookup:
    link: TrackingLink | None
    state: str  # live | expired | revoked | unknown

    @property
    def live(self) -> bool:
        return self.state == "live"


def find_link(token: str) -> LinkLookup:
    """The link for a plaintext token and whether it is live."""
    if not isinstance(token, str) or not 10 <= len(token) <= 200:
        return LinkLookup(None, "unknown")
    link = db.session.scalar(select(TrackingLink).where(TrackingLink.token_hash == hash_token(token)))
    if link is None:
        return LinkLookup(None, "unknown")
    if link.revoked_at is not None:
        return LinkLookup(link, "revoked")
    if link.expires_at <= utcnow():
        return LinkLookup(link, "expired")
    return LinkLookup(link, "live")


def dump_link(link: TrackingLink, token: str | None = None) -> dict:
    out = {"id": link.id, "load_id": link.load_id, "expires_at": link.expires_at.isoformat(),
           "revoked_at": link.revoked_at.isoformat() if link.revoked_at else None,
           "created_at": link.created_at.isoformat() if link.created_at else None,
           "stop_buyer_id": link.stop_buyer_org_id}
    if token is not None:
        out["token"] = token
        out["url"] = f"/track/{token}"
    return out


def _live_hashes(load_id: int, *where) -> list[str]:
    return list(db.session.scalars(select(TrackingLink.token_hash).where(
        TrackingLink.load_id == load_id, TrackingLink.revoked_at.is_(None), *where).order_by(TrackingLink.id)))


def stop_delivered(load_id: int, stop_id: int, buyer_org_id: int, pod_id: int, at) -> int:
    """A multi-drop stop's proof was recorded: the links bound to that buyer's stop get the final
    ``delivered`` (their page freezes, as a delivered load's does) and their rooms are closed; the
    whole-load links (the seller's) get the stop's ``delivered`` event and go on following the truck.
    Other buyers' stop links hear nothing of it. Returns how many rooms were closed."""
    event = {"kind": "delivered", "time": at.isoformat(), "load_id": load_id, "site_id": None,
             "data": {"stop_id": stop_id, "pod_id": pod_id, "status": "delivered"}}
    for token_hash in _live_hashes(load_id, TrackingLink.stop_buyer_org_id.is_(None)):
        socketio.emit("event", event, to=tracking_room(token_hash))
    closed = _live_hashes(load_id, TrackingLink.stop_buyer_org_id == buyer_org_id)
    for token_hash in closed:
        socketio.emit("event", {**event, "final": True}, to=tracking_room(token_hash))
        socketio.close_room(tracking_room(token_hash))
    return len(closed)


def end_live_tracking(load_id: int, status: str, at) -> int:
    """The load is delivered: tell its public rooms the final status, then close them, so no position
    of the truck after delivery reaches a link (with Redis, every server closes them). The links stay
    valid and show the frozen snapshot. Returns how many rooms were closed."""
    hashes = _live_hashes(load_id)
    final = {"kind": "status_changed", "time": at.isoformat(), "load_id": load_id, "data": {"status": status},
             "final": True}
    for token_hash in hashes:
        socketio.emit("event", final, to=tracking_room(token_hash))
        socketio.close_room(tracking_room(token_hash))
    return len(hashes)
