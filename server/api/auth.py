"""Sign-in for dashboards (session), app tokens for drivers, and API tokens for ERPs."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import update

from server.access.roles import check_assignable, check_ceiling, check_permission_names
from server.api.common import PageArgs, page_of
from server.audit.trail import record
from server.auth.principal import current_principal, issue_token, permissions_for, require, resolve_principal
from server.auth.scoping import get_scoped_or_404, scoped
from server.auth.sessions import begin_session, sign_out
from server.auth.sign_in import authenticate
from server.db.types import utcnow
from server.errors import ApiProblem
from server.extensions import db
from server.models import ApiToken, Role, User

blp = Blueprint("auth", __name__, url_prefix="/api/v1", description="Sign-in and API tokens")

NOT_FOR_TOKENS = Role.DRIVER.value  # drivers sign in with their own app session, never an ERP token


class Credentials(Schema):
    email = fields.Email(required=True)
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class UserOut(Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    organisation_id = fields.Integer()
    roles = fields.List(fields.String())
    language = fields.String()
    active = fields.Boolean()


class TokenOut(Schema):
    id = fields.Integer()
    name = fields.String()
    prefix = fields.String()
    roles = fields.List(fields.String())
    permissions = fields.List(fields.String(), allow_none=True,
                              metadata={"description": "the token's subset of its roles' permissions, if cut"})
    kind = fields.String()
    expires_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)
    last_used_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    replaced_by_id = fields.Integer(allow_none=True, metadata={"description": "the successor of a rotated token"})
    status = fields.String(metadata={"description": "active, rotated (working until expires_at), expired or revoked"})


class IssuedToken(TokenOut):
    token = fields.String(metadata={"description": "shown once; only its hash is stored"})


class SessionTokenOut(Schema):
    token = fields.String()
    expires_at = fields.DateTime()
    user = fields.Nested(UserOut)


LIFETIME_DOC = {"description": "default HAUL_ERP_TOKEN_TTL_DAYS (90), at most HAUL_ERP_TOKEN_MAX_DAYS (365)"}


class TokenCreate(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    roles = fields.List(fields.String(validate=[validate.Length(min=1, max=60), validate.NoneOf([NOT_FOR_TOKENS])]),
                        required=True, validate=validate.Length(min=1, max=5),
                        metadata={"description": "built-in (not driver) or the organisation's custom roles"})
    expires_in_days = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=3650),
                                     metadata=LIFETIME_DOC)
    permissions = fields.List(fields.String(validate=validate.Length(min=1, max=60)), load_default=None,
                              allow_none=True, validate=validate.Length(min=1, max=60),
                              metadata={"description": "only these of the roles' permissions (default: all of "
                                                       "them); never more than the creator holds"})


class TokenRotate(Schema):
    expires_in_days = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=3650),
                                     metadata=LIFETIME_DOC)
    grace_hours = fields.Float(load_default=None, allow_none=True, allow_nan=False,
                               validate=validate.Range(min=0, max=168),
                               metadata={"description": "how long the old secret keeps working; default "
                                                        "HAUL_TOKEN_ROTATION_GRACE_HOURS (24)"})


class TokenPage(Schema):
    items = fields.List(fields.Nested(TokenOut))
    total = fields.Integer()
    limit = fields.Integer()
    offset = fields.Integer()


def _check_credentials(data: dict) -> User:
    return authenticate(data["email"], data["password"])


@blp.post("/auth/login")
@blp.arguments(Credentials)
@blp.response(200, UserOut)
def login(data):
    """Start a dashboard session (sets the session cookie)."""
    user = _check_credentials(data)
    begin_session(user)
    return user


@blp.post("/auth/logout")
@blp.response(204)
def logout():
    """Sign out: revoke the bearer token of this call, or end every dashboard session of the signed-in user."""
    principal = resolve_principal()
    sign_out(principal.user_id if principal else None, principal.token_id if principal else None)


@blp.post("/auth/token")
@blp.arguments(Credentials)
@blp.response(201, SessionTokenOut)
def app_token(data):
    """Exchange a user's credentials for a short-lived bearer token (driver app)."""
    user = _check_credentials(data)
    ttl = timedelta(hours=current_app.config["API_TOKEN_TTL_HOURS"])
    plaintext, row = issue_token(user.organisation_id, f"app session of {user.email}", user.roles,
                                 user_id=user.id, kind="session", ttl=ttl)
    db.session.commit()
    return {"token": plaintext, "expires_at": row.expires_at, "user": user}


@blp.get("/auth/me")
@blp.response(200, UserOut)
def me():
    """The signed-in user (or, for an ERP token, its organisation and roles)."""
    principal = current_principal()
    if principal.user_id is not None:
        return db.session.get(User, principal.user_id)
    return {"organisation_id": principal.organisation_id, "roles": sorted(principal.roles)}


def token_status(row: ApiToken, now) -> str:
    if row.revoked_at is not None:
        return "revoked"
    if row.expires_at is not None and row.expires_at <= now:
        return "expired"
    return "rotated" if row.replaced_by_id is not None else "active"


def token_view(row: ApiToken, plaintext: str | None = None) -> dict:
    out = {name: getattr(row, name) for name in TokenOut().fields if name != "status"}
    out["status"] = token_status(row, utcnow())
    return out if plaintext is None else {**out, "token": plaintext}


def erp_lifetime(days: int | None) -> timedelta:
    """The asked lifetime, or the default; longer than the maximum is a 422."""
    config = current_app.config
    longest = config["ERP_TOKEN_MAX_DAYS"]
    if days is not None and days > longest:
        raise ApiProblem(422, _("An API token lives at most %(longest)s days; rotate it before it expires.",
                                longest=longest),
                         [("expires_in_days", _("must be at most %(longest)s", longest=longest))])
    return timedelta(days=days or min(config["ERP_TOKEN_TTL_DAYS"], longest))


@blp.get("/tokens")
@blp.arguments(PageArgs, location="query")
@blp.response(200, TokenPage)
@require("manage_tokens")
def list_tokens(args):
    """The organisation's API tokens with their expiry and status (never their secrets)."""
    query = scoped(ApiToken, current_principal()).where(ApiToken.kind == "erp").order_by(ApiToken.id)
    return page_of(query, args, token_view)


@blp.post("/tokens")
@blp.arguments(TokenCreate)
@blp.response(201, IssuedToken)
@require("manage_tokens")
def create_token(data):
    """Issue an API token for an ERP, expiring after ``expires_in_days``; the secret is in this response only."""
    principal = current_principal()
    ttl = erp_lifetime(data["expires_in_days"])
    granted = check_assignable(principal, data["roles"])
    subset = data["permissions"]
    if subset is not None:
        check_permission_names(subset)
        check_ceiling(principal, subset)
        subset = sorted(set(subset) & granted)
    plaintext, row = issue_token(principal.organisation_id, data["name"], data["roles"], ttl=ttl)
    row.permissions = subset
    db.session.flush()
    record("token.created", "token", row.id, principal=principal,
           after={"name": row.name, "roles": list(row.roles), "permissions": subset})
    db.session.commit()
    return token_view(row, plaintext)


@blp.post("/tokens/<int:token_id>/rotate")
@blp.arguments(TokenRotate)
@blp.response(201, IssuedToken)
@require("manage_tokens")
def rotate_token(data, token_id):
    """Replace a token: a new secret (shown once) with the same name and roles; the old one keeps working
    for ``grace_hours`` so the ERP can switch over, then expires."""
    principal = current_principal()
    row = get_scoped_or_404(ApiToken, token_id, principal)
    if row.kind != "erp":
        raise ApiProblem(404, _("ApiToken %(token_id)s was not found.", token_id=token_id))
    # The new secret goes to the caller: nobody takes a token carrying more than they hold.
    check_ceiling(principal, permissions_for(row.organisation_id, row.roles, row.permissions))
    now = utcnow()
    status = token_status(row, now)
    if status != "active":
        detail = {"rotated": f"This token was already rotated; rotate its successor {row.replaced_by_id}."}.get(
            status, f"A token that is {status} cannot be rotated; issue a new one.")
        raise ApiProblem(409, detail, reason=status)
    ttl = erp_lifetime(data["expires_in_days"])
    grace = timedelta(hours=current_app.config["TOKEN_ROTATION_GRACE_HOURS"] if data["grace_hours"] is None
                      else data["grace_hours"])
    plaintext, successor = issue_token(row.organisation_id, row.name, list(row.roles), ttl=ttl)
    successor.permissions = row.permissions
    grace_end = min(row.expires_at, now + grace) if row.expires_at else now + grace
    moved = db.session.execute(update(ApiToken).where(ApiToken.id == row.id, ApiToken.replaced_by_id.is_(None),
                                                      ApiToken.revoked_at.is_(None))
                               .values(replaced_by_id=successor.id, expires_at=grace_end)
                               .execution_options(synchronize_session=False)).rowcount
    if moved != 1:  # rotated or revoked meanwhile
        db.session.rollback()
        raise ApiProblem(409, _("This token changed meanwhile; look at the token list again."),
                         reason="changed")
    record("token.rotated", "token", row.id, principal=principal, after={"successor_id": successor.id})
    db.session.commit()
    return token_view(successor, plaintext)


@blp.delete("/tokens/<int:token_id>")
@blp.response(204)
@require("manage_tokens")
def revoke_token(token_id):
    """Revoke an API token at once."""
    row = get_scoped_or_404(ApiToken, token_id, current_principal())
    row.revoked_at = row.revoked_at or utcnow()
    record("token.revoked", "token", row.id, principal=current_principal())
    db.session.commit()
