"""Who is calling: resolved once per request from a bearer token or the session cookie."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from functools import wraps

from flask import has_request_context, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import bindparam, event, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from server.auth.department_grants import departments_granting
from server.auth.permissions import BUILTIN_ROLES, builtin_permissions
from server.auth.sessions import cookie_is_current
from server.db.fast_sql import compile_pg, fetch_one
from server.db.types import utcnow
from server.errors import ApiProblem
from server.extensions import db, login_manager
from server.models import ApiToken, CustomRole, Organisation, User
from server.party_names import either

log = logging.getLogger(__name__)

TOKEN_PREFIX = "haul_"
_UNRESOLVED = object()
LAST_USED_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True)
class Principal:
    organisation_id: int
    org_kind: str
    roles: frozenset[str]
    user_id: int | None
    via: str  # session | token
    token_id: int | None = None  # the bearer token it came with (signing out revokes it)
    session_generation: int | None = None  # the user's session generation a session cookie holds
    # What the caller may do; None: what its built-in roles give (``permissions_for`` adds custom roles).
    permissions: frozenset[str] | None = field(default=None, compare=False)
    # The user's own language ('en', 'zh_CN'): API answers and refusals are in it. None for a user-less token.
    language: str | None = field(default=None, compare=False)
    # A token cut to a subset of its roles' permissions: its user's department roles are cut to it too.
    token_subset: frozenset[str] | None = field(default=None, compare=False)

    def __post_init__(self):
        if self.permissions is None:
            object.__setattr__(self, "permissions", builtin_permissions(self.roles))

    def has_any(self, *roles: str) -> bool:
        """Role names; kept for the scoping rules that depend on who someone is (a driver), not what they may do."""
        return bool(self.roles & set(roles))

    def can(self, permission: str) -> bool:
        """Organisation-wide; a role held only in a department counts on that department's objects
        (``server.auth.object_permissions.allowed``)."""
        return permission in self.permissions


def permissions_for(organisation_id: int, roles, token_subset=None) -> frozenset[str]:
    """The permissions of ``roles`` in an organisation: built-in ones from the catalogue, custom ones from the
    organisation's ``CustomRole`` rows (one query, only when a custom role is held), cut to a token's subset."""
    granted = set(builtin_permissions(roles))
    custom = [name for name in roles if name not in BUILTIN_ROLES]
    if custom:
        for permissions in db.session.scalars(select(CustomRole.permissions).where(
                CustomRole.organisation_id == organisation_id, CustomRole.name.in_(custom))):
            granted.update(permissions or ())
    if token_subset is not None:
        granted &= set(token_subset)
    return frozenset(granted)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(organisation_id: int, name: str, roles: list[str], user_id: int | None = None,
                kind: str = "erp", ttl: timedelta | None = None) -> tuple[str, ApiToken]:
    """Create a bearer token; the plaintext is returned once and never stored."""
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(organisation_id=organisation_id, user_id=user_id, name=name, kind=kind,
                   token_hash=hash_token(plaintext), prefix=plaintext[:12], roles=list(roles),
                   expires_at=(utcnow() + ttl) if ttl else None)
    db.session.add(row)
    db.session.flush()
    return plaintext, row


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    # A cookie from before the user's last sign-out or password change signs nobody in.
    return user if user is not None and user.active and cookie_is_current(user) else None


def _from_bearer(header: str) -> Principal:
    return principal_from_token(header[len("Bearer "):].strip())


# The token, its organisation and its user in one round trip: every API call pays for this. One statement
# object, so SQLAlchemy computes its cache key once.
_TOKEN_QUERY = (select(ApiToken.id, ApiToken.organisation_id, ApiToken.user_id, ApiToken.roles, ApiToken.permissions,
                       ApiToken.revoked_at,
                       ApiToken.expires_at, ApiToken.last_used_at, Organisation.kind, Organisation.active, User.active,
                       User.language)
                .join(Organisation, Organisation.id == ApiToken.organisation_id)
                .outerjoin(User, User.id == ApiToken.user_id)
                .where(ApiToken.token_hash == bindparam("token_hash")))


# A token that a busy client uses from many connections at once would have each of them queue for the
# row's lock until the first request commits; the mark is only an audit hint, so a request that finds
# the row locked (another request is marking it right now) skips it (SQLite renders no FOR UPDATE).
_FREE_TOKEN = ApiToken.__table__.alias("free_token")  # an alias, so the subquery is not correlated away
_MARK_USED = (update(ApiToken).values(last_used_at=bindparam("now"))
              .where(ApiToken.id == select(_FREE_TOKEN.c.id).where(_FREE_TOKEN.c.id == bindparam("token_id"))
                     .with_for_update(skip_locked=True).scalar_subquery())
              .execution_options(synchronize_session=False))

_TOKEN_SQL: dict = {}  # PostgreSQL's text of _TOKEN_QUERY, compiled once
_PENDING_MARK = "haul.token_mark"  # request.environ: a mark made in a transaction not yet committed


def _token_row(token_hash: str):
    conn = db.session.connection()
    if conn.dialect.name != "postgresql":
        return conn.execute(_TOKEN_QUERY, {"token_hash": token_hash}).first()
    # Every API call runs this: on psycopg directly, prepared once per connection, it costs a third of
    # SQLAlchemy's per-execution work. Same transaction; the row is read by position as above.
    if "pg" not in _TOKEN_SQL:
        _TOKEN_SQL["pg"] = compile_pg(_TOKEN_QUERY, conn.dialect).sql
    return fetch_one(_TOKEN_SQL["pg"], {"token_hash": token_hash})


def principal_from_token(token: str) -> Principal:
    """Resolve a bearer token (HTTP header or Socket.IO auth) or raise a 401 problem."""
    row = _token_row(hash_token(token))
    now = utcnow()
    if row is None:
        raise ApiProblem(401, _("The bearer token is unknown, revoked or expired."))
    (token_id, org_id, user_id, roles, subset, revoked_at, expires_at, last_used_at, org_kind, org_active, user_active,
     language) = row
    if revoked_at is not None or (expires_at and expires_at <= now):
        raise ApiProblem(401, _("The bearer token is unknown, revoked or expired."))
    if not org_active:
        raise ApiProblem(401, _("The token's organisation is not active."))
    if user_id is not None and not user_active:
        raise ApiProblem(401, _("The token's user is not active."))
    # "Last used" is for people auditing tokens; minute precision is enough, and skipping the write
    # on most requests keeps a busy ERP or the load board from paying a row update per call.
    if last_used_at is None or now - last_used_at > LAST_USED_PRECISION:
        # In the request's own transaction, so a call that writes pays no extra commit for it; a call
        # that commits nothing (a read, a refusal) has it written by `persist_token_mark` afterwards.
        db.session.execute(_MARK_USED, {"token_id": token_id, "now": now})
        if has_request_context():
            request.environ[_PENDING_MARK] = {"token_id": token_id, "now": now}
    return Principal(org_id, org_kind, frozenset(roles), user_id, "token", token_id=token_id,
                     permissions=permissions_for(org_id, roles, subset), language=language,
                     token_subset=frozenset(subset) if subset is not None else None)


def resolve_principal() -> Principal | None:
    """The caller of this request, or None when anonymous. Cached on the request itself."""
    cached = request.environ.get("haul.principal", _UNRESOLVED)
    if cached is not _UNRESOLVED:
        return cached
    header = request.headers.get("Authorization", "")
    principal = None
    if header.startswith("Bearer "):
        principal = _from_bearer(header)
    elif header:
        raise ApiProblem(401, _("Only 'Authorization: Bearer <token>' is accepted."))
    else:
        principal = principal_from_session()
    request.environ["haul.principal"] = principal
    return principal


def principal_from_session() -> Principal | None:
    """The dashboard user signed in with the session cookie, if any."""
    if not (current_user and current_user.is_authenticated):
        return None
    org = db.session.get(Organisation, current_user.organisation_id)
    if org is None or not org.active:
        return None
    return Principal(org.id, org.kind, frozenset(current_user.roles), current_user.id, "session",
                     session_generation=current_user.session_generation,
                     permissions=permissions_for(org.id, current_user.roles), language=current_user.language)


def current_principal() -> Principal:
    principal = resolve_principal()
    if principal is None:
        raise ApiProblem(401, _("Authentication required: a bearer token or a session login."))
    return principal


def refuse_without(principal: Principal, permission: str) -> None:
    """403 naming the permission (in ``detail`` and as ``permission``) when the caller lacks it."""
    if not principal.can(permission):
        raise ApiProblem(403, _("This needs the permission '%(permission)s'.", permission=permission),
                         permission=permission)


def _check(permission: str | None, org_kinds: tuple[str, ...], by_department: bool = False) -> None:
    principal = current_principal()
    # An endpoint acting on one object with a department lets a department role's holder through here;
    # the view then decides on the object itself (``object_permissions.require_on``).
    if permission is not None and not principal.can(permission) and not (
            by_department and departments_granting(principal, permission)):
        refuse_without(principal, permission)
    if org_kinds and principal.org_kind not in org_kinds:
        raise ApiProblem(403, _("This is for %(kinds)s organisations.", kinds=either(org_kinds)))


def require(permission: str | None = None, org_kinds: tuple[str, ...] = (), by_department: bool = False):
    """Decorator: 401 when anonymous, 403 when the caller lacks the permission (named) or the org kind.

    The view is marked with what it needs, so ``check_before_parsing`` can refuse a caller before its
    body or query is read (a 403, not a 422 that tells an outsider how to shape the request).
    ``by_department``: a role held in some department is enough to pass here, and the view must decide
    on its object with ``server.auth.object_permissions.require_on``.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            _check(permission, org_kinds, by_department)
            return view(*args, **kwargs)

        wrapper.required_permission = permission
        wrapper.required_org_kinds = org_kinds
        wrapper.required_by_department = by_department
        return wrapper

    return decorator


def check_before_parsing() -> None:
    """``before_request``: the endpoint's ``require`` check, ahead of argument parsing (same rule, once more later)."""
    from flask import current_app

    view = current_app.view_functions.get(request.endpoint or "")
    if view is not None and hasattr(view, "required_org_kinds"):
        _check(view.required_permission, view.required_org_kinds, getattr(view, "required_by_department", False))


@event.listens_for(Session, "after_commit")
def _mark_committed(_session) -> None:
    """The request's transaction was committed, and with it the mark."""
    if has_request_context():
        request.environ.pop(_PENDING_MARK, None)


def persist_token_mark() -> None:
    """Request teardown, after the request's session is closed: write the token's last-used mark that the
    request's transaction did not commit.

    Without this a token used only for reads (an ERP polling its orders) or refused calls would
    stay "never used" for ever, and an admin auditing tokens would revoke one in daily use. It runs
    on its own connection once the request's has gone back to the pool, so a call never holds two,
    and it leaves the request's session and objects alone. A database error here is logged, never
    turned into the call's answer.
    """
    mark = request.environ.pop(_PENDING_MARK, None)
    if mark is None:
        return
    try:
        with db.engine.begin() as conn:
            conn.execute(_MARK_USED, mark)
    except SQLAlchemyError:
        log.warning("could not record the last use of token %s", mark["token_id"], exc_info=True)
