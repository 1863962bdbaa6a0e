"""Server-side revocation of sign-ins: session cookies by a per-user generation, bearer tokens by row.

A session cookie is signed, so the server cannot delete it from a browser; instead it carries the
user's ``session_generation`` at sign-in, and the cookie signs nobody in once the user's generation
moved on. Signing out bumps the generation (every dashboard session of that user ends, on every
browser: a shared cookie cannot be told apart from the one that signed out), and so does a password
change, which also revokes every bearer token issued to the user. Live Socket.IO connections of
what was revoked are closed by ``server.socket_revocation``, woken here for this process and within
its polling interval in every other one.
"""

from __future__ import annotations

from flask import session
from flask_login import login_user, logout_user
from sqlalchemy import update

from server import socket_revocation
from server.db.types import utcnow
from server.extensions import db
from server.models import ApiToken, User

GENERATION_KEY = "_haul_generation"


def begin_session(user: User) -> None:
    """Sign ``user`` in on the session cookie, bound to their current session generation."""
    login_user(user)
    session[GENERATION_KEY] = user.session_generation


def cookie_is_current(user: User) -> bool:
    """Whether the session cookie of this request was signed in with the user's current generation."""
    return session.get(GENERATION_KEY) == user.session_generation


def end_user_sessions(user_id: int, *, tokens: bool) -> None:
    """End every session cookie of the user and, with ``tokens``, revoke their bearer tokens.

    Runs in the caller's transaction: nothing is revoked unless the caller commits.
    """
    db.session.execute(update(User).where(User.id == user_id)
                       .values(session_generation=User.session_generation + 1)
                       .execution_options(synchronize_session=False))
    if tokens:
        db.session.execute(update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
                           .values(revoked_at=utcnow()).execution_options(synchronize_session=False))


def revoke_token(token_id: int) -> None:
    """Revoke one bearer token (a signed-out app session), in the caller's transaction."""
    db.session.execute(update(ApiToken).where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
                       .values(revoked_at=utcnow()).execution_options(synchronize_session=False))


def sign_out(user_id: int | None, token_id: int | None) -> None:
    """End the caller's sign-in: the bearer token it came with, or every session cookie of the user; commits."""
    if token_id is not None:
        revoke_token(token_id)
    elif user_id is not None:
        end_user_sessions(user_id, tokens=False)
    logout_user()
    session.pop(GENERATION_KEY, None)
    db.session.commit()
    revocations_changed()


def revocations_changed() -> None:
    """Tell this process's socket watch to look again now (others look within their interval)."""
    socket_revocation.wake()
