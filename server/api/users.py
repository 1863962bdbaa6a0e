"""Users of an organisation: managed by that organisation's admins only."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from server.access.department_roles import of_user
from server.access.roles import check_assignable, check_ceiling, check_user_manager_remains
from server.api.auth import UserOut
from server.api.common import PageArgs, page_of
from server.audit.trail import record
from server.auth.principal import current_principal, permissions_for, require
from server.auth.scoping import get_scoped_or_404, scoped
from server.auth.sessions import end_user_sessions, revocations_changed
from server.errors import ApiProblem
from server.extensions import db
from server.models import User

blp = Blueprint("users", __name__, url_prefix="/api/v1/users", description="Users (admin only)")

# Built-in or the organisation's custom roles (checked in ``roles.check_assignable``, with the ceiling).
ROLE_NAME = fields.String(validate=validate.Length(min=1, max=60))


class UserCreate(Schema):
    email = fields.Email(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    password = fields.String(required=True, validate=validate.Length(min=10, max=200))
    roles = fields.List(ROLE_NAME, required=True, validate=validate.Length(min=1, max=10))
    language = fields.String(load_default="en", validate=validate.OneOf(["en", "zh_CN"]))


class UserUpdate(Schema):
    name = fields.String(validate=validate.Length(min=1, max=200))
    roles = fields.List(ROLE_NAME, validate=validate.Length(min=1, max=10))
    language = fields.String(validate=validate.OneOf(["en", "zh_CN"]))
    active = fields.Boolean()
    password = fields.String(validate=validate.Length(min=10, max=200))


class UserPage(Schema):
    items = fields.List(fields.Nested(UserOut))
    total = fields.Integer()
    limit = fields.Integer()
    offset = fields.Integer()


def _summary(user: User) -> dict:
    return {"email": user.email, "name": user.name, "roles": list(user.roles), "active": user.active}


@blp.get("")
@blp.arguments(PageArgs, location="query")
@blp.response(200, UserPage)
@require("manage_users")
def list_users(args):
    """The organisation's users."""
    return page_of(scoped(User, current_principal()).order_by(User.id), args, lambda u: u)


@blp.post("")
@blp.arguments(UserCreate)
@blp.response(201, UserOut)
@require("manage_users")
def create_user(data):
    """Add a user to the caller's organisation."""
    principal = current_principal()
    taken = db.session.scalar(select(User.id).where(func.lower(User.email) == data["email"].lower()))
    if taken:
        raise ApiProblem(409, _("A user with this email already exists."),
                         [("email", _("already registered"))])
    check_assignable(principal, data["roles"])
    user = User(organisation_id=principal.organisation_id, email=data["email"].lower(), name=data["name"],
                password_hash=generate_password_hash(data["password"]), roles=data["roles"],
                language=data["language"])
    db.session.add(user)
    db.session.flush()
    record("user.created", "user", user.id, principal=principal, after=_summary(user))
    db.session.commit()
    return user


@blp.get("/<int:user_id>")
@blp.response(200, UserOut)
@require("manage_users")
def get_user(user_id):
    """One user of the organisation."""
    return get_scoped_or_404(User, user_id, current_principal())


@blp.patch("/<int:user_id>")
@blp.arguments(UserUpdate)
@blp.response(200, UserOut)
@require("manage_users")
def update_user(data, user_id):
    """Change a user's name, roles, language, password or deactivate them."""
    principal = current_principal()
    user = get_scoped_or_404(User, user_id, principal)
    granted = check_assignable(principal, data["roles"]) if "roles" in data else None
    if user.id == principal.user_id and (data.get("active") is False or
                                         (granted is not None and "manage_users" not in granted)):
        raise ApiProblem(409, _("You cannot lock yourself out: keep the 'manage_users' permission and stay active."),
                         reason="self_lockout", permission="manage_users")
    if "roles" in data or data.get("active") is False:
        check_user_manager_remains(user.organisation_id, user=user, roles=data.get("roles"), active=data.get("active"))
    before = _summary(user)
    password_changed = "password" in data
    if password_changed:  # whoever sets the password signs in as the user: not above the caller's own permissions
        check_ceiling(principal, permissions_for(user.organisation_id, user.roles))
        user.password_hash = generate_password_hash(data.pop("password"))
        # Whoever knew the old password may hold a cookie or a token made with it: all of them end.
        end_user_sessions(user.id, tokens=True)
    for key, value in data.items():
        setattr(user, key, value)
    record("user.changed", "user", user.id, principal=principal, before=before, after=_summary(user))
    db.session.commit()
    if password_changed or data.get("active") is False:  # the user's live sockets close now, not in 2 s
        revocations_changed()
    return user


class DepartmentRoleOut(Schema):
    department_id = fields.Integer()
    department_name = fields.String()
    roles = fields.List(fields.String())


@blp.get("/<int:user_id>/department-roles")
@blp.response(200, DepartmentRoleOut(many=True))
@require("manage_users")
def get_department_roles(user_id):
    """Where the user holds roles within a department (``PUT /departments/{id}/roles`` sets them)."""
    return of_user(get_scoped_or_404(User, user_id, current_principal()))
