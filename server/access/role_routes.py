"""The permission catalogue and an organisation's roles: built-in ones to read, custom ones to compose."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from server.access import roles
from server.api.common import PageArgs, page_of, page_schema
from server.auth.permissions import BUILTIN_ROLES, CATALOGUE
from server.auth.principal import current_principal, require
from server.auth.scoping import get_scoped_or_404, scoped
from server.models import CustomRole

blp = Blueprint("roles", __name__, url_prefix="/api/v1", description="Permissions and roles")

ROLE_NAME = validate.Regexp(r"^[a-z][a-z0-9_]{1,59}$", error="lower-case letters, digits and _ (2-60)")


class PermissionOut(Schema):
    name = fields.String()
    description = fields.String()


class BuiltinRoleOut(Schema):
    name = fields.String()
    permissions = fields.List(fields.String())
    builtin = fields.Boolean()


class CatalogueOut(Schema):
    permissions = fields.List(fields.Nested(PermissionOut))
    builtin_roles = fields.List(fields.Nested(BuiltinRoleOut))
    mine = fields.List(fields.String(), metadata={"description": "the caller's own permissions"})


class RoleIn(Schema):
    name = fields.String(required=True, validate=ROLE_NAME)
    description = fields.String(load_default="", validate=validate.Length(max=300))
    permissions = fields.List(fields.String(validate=validate.Length(min=1, max=60)), required=True,
                              validate=validate.Length(min=1, max=60))


class RolePatch(Schema):
    description = fields.String(validate=validate.Length(max=300))
    permissions = fields.List(fields.String(validate=validate.Length(min=1, max=60)),
                              validate=validate.Length(min=1, max=60))


class RoleOut(Schema):
    id = fields.Integer()
    name = fields.String()
    description = fields.String()
    permissions = fields.List(fields.String())
    builtin = fields.Boolean()
    created_at = fields.DateTime()


@blp.get("/permissions")
@blp.response(200, CatalogueOut)
def get_catalogue():
    """Every permission, what the built-in roles hold, and what the caller holds."""
    principal = current_principal()
    return {"permissions": [{"name": k, "description": v} for k, v in CATALOGUE.items()],
            "builtin_roles": [{"name": k, "permissions": sorted(v), "builtin": True} for k, v in BUILTIN_ROLES.items()],
            "mine": sorted(principal.permissions)}


@blp.get("/roles")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(RoleOut, "RolePage"))
@require("manage_roles")
def list_roles(args):
    """The organisation's custom roles."""
    return page_of(scoped(CustomRole, current_principal()).order_by(CustomRole.name), args, roles.role_view)


@blp.post("/roles")
@blp.arguments(RoleIn)
@blp.response(201, RoleOut)
@require("manage_roles")
def create_role(data):
    """Compose a role from permissions the caller holds (403 names the first one it does not)."""
    return roles.role_view(roles.create(current_principal(), data))


@blp.get("/roles/<int:role_id>")
@blp.response(200, RoleOut)
@require("manage_roles")
def get_role(role_id):
    """One custom role."""
    return roles.role_view(get_scoped_or_404(CustomRole, role_id, current_principal()))


@blp.patch("/roles/<int:role_id>")
@blp.arguments(RolePatch)
@blp.response(200, RoleOut)
@require("manage_roles")
def update_role(data, role_id):
    """Change a custom role's permissions or description (its holders get the change at once)."""
    principal = current_principal()
    return roles.role_view(roles.update(principal, get_scoped_or_404(CustomRole, role_id, principal), data))


@blp.delete("/roles/<int:role_id>")
@blp.response(204)
@require("manage_roles")
def delete_role(role_id):
    """Delete a custom role nobody holds (409 while someone does)."""
    principal = current_principal()
    roles.delete(principal, get_scoped_or_404(CustomRole, role_id, principal))
