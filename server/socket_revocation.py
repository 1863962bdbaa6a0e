"""Closes live Socket.IO connections whose sign-in was revoked.

A socket is authorised once, at connect. Every connection that came with a bearer token or a
session cookie is remembered here with what it proved (the token's id, or the user and the session
generation), and a background task looks again every ``SOCKET_REVALIDATE_S`` seconds (at once when
this process revoked something): a revoked or expired token, a deactivated user (of a token or a
cookie) or a newer session generation closes the connection. One query per look for all of this process's sockets, so a
process with many dashboards open pays the same as one with few.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from server.db.types import utcnow
from server.extensions import db, socketio
from server.models import ApiToken, User

log = logging.getLogger("haul.sockets")


@dataclass(frozen=True)
class Proof:
    """What a socket proved at connect: a token, or a user's session cookie of one generation."""

    token_id: int | None
    user_id: int | None
    generation: int | None


class RevocationWatch:
    """The sockets of one app, looked at by one background task started with the first of them."""

    def __init__(self, app) -> None:
        self._app = app
        self._proofs: dict[str, Proof] = {}
        self._lock = threading.Lock()
        self._woken = threading.Event()
        self._started = False
        self.closed = 0

    def watch(self, sid: str, proof: Proof) -> None:
        with self._lock:
            self._proofs[sid] = proof
            if not self._started:
                self._started = True
                socketio.start_background_task(self._run, self._app)

    def forget(self, sid: str) -> None:
        with self._lock:
            self._proofs.pop(sid, None)

    def wake(self) -> None:
        self._woken.set()

    def _run(self, app) -> None:
        while True:
            self._woken.wait(app.config.get("SOCKET_REVALIDATE_S", 2.0))
            self._woken.clear()
            try:
                with app.app_context():
                    revoked = self.revoked_sids()
                    db.session.remove()
            except Exception:  # a database hiccup must not end the watch; the next look tries again
                log.warning("could not check the sockets' sign-ins", exc_info=True)
                continue
            for sid in revoked:
                self.forget(sid)
                self.closed += 1
                log.info("socket %s closed: its sign-in was revoked", sid)
                socketio.server.disconnect(sid, namespace="/")

    def revoked_sids(self) -> list[str]:
        """The watched sockets whose token or session no longer holds."""
        with self._lock:
            proofs = dict(self._proofs)
        if not proofs:
            return []
        token_ids = {p.token_id for p in proofs.values() if p.token_id is not None}
        user_ids = {p.user_id for p in proofs.values() if p.token_id is None and p.user_id is not None}
        now = utcnow()
        live_tokens = set(db.session.scalars(
            select(ApiToken.id).outerjoin(User, User.id == ApiToken.user_id).where(
                ApiToken.id.in_(token_ids), ApiToken.revoked_at.is_(None),
                ApiToken.expires_at.is_(None) | (ApiToken.expires_at > now),
                ApiToken.user_id.is_(None) | User.active.is_(True)))) if token_ids else set()
        generations = dict(db.session.execute(select(User.id, User.session_generation).where(
            User.id.in_(user_ids), User.active.is_(True))).all()) if user_ids else {}
        return [sid for sid, proof in proofs.items()
                if (proof.token_id not in live_tokens if proof.token_id is not None
                    else generations.get(proof.user_id) != proof.generation)]


def watch_of(app) -> RevocationWatch:
    """The app's watch (several apps in one process, as in the tests, each check their own database)."""
    if "haul_socket_revocation" not in app.extensions:
        app.extensions["haul_socket_revocation"] = RevocationWatch(app)
    return app.extensions["haul_socket_revocation"]


def watch(sid: str, proof: Proof) -> None:
    watch_of(current_app._get_current_object()).watch(sid, proof)


def forget(sid: str) -> None:
    watch_of(current_app._get_current_object()).forget(sid)


def wake() -> None:
    watch_of(current_app._get_current_object()).wake()
