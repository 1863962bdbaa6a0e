"""The department tree (``/departments``): nodes, members, the objects filed in them, and narrowing."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from server.access import department_roles, departments
from server.api.common import IdField, PageArgs, page_of, page_schema
from server.audit.trail import record
from server.auth.department_scope import SETTING
from server.auth.principal import current_principal, require
from server.auth.scoping import get_scoped_or_404, scoped
from server.extensions import db
from server.models import Department, Organisation

blp = Blueprint("departments", __name__, url_prefix="/api/v1/departments", description="Departments")


class DepartmentIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    parent_id = IdField(load_default=None, allow_none=True)


class DepartmentPatch(Schema):
    name = fields.String(validate=validate.Length(min=1, max=200))
    parent_id = IdField(allow_none=True, metadata={"description": "a cycle is refused (422 at parent_id)"})


class RoleHolderOut(Schema):
    user_id = fields.Integer()
    roles = fields.List(fields.String(), metadata={"description": "held in this department and those below it only"})


class DepartmentOut(Schema):
    id = fields.Integer()
    name = fields.String()
    parent_id = fields.Integer(allow_none=True)
    member_ids = fields.List(fields.Integer())
    role_holders = fields.List(fields.Nested(RoleHolderOut))
    created_at = fields.DateTime()


class DepartmentRolesIn(Schema):
    user_id = IdField(required=True)
    roles = fields.List(fields.String(validate=validate.Length(min=1, max=60)), required=True,
                        validate=validate.Length(max=10),
                        metadata={"description": "built-in or custom role names; [] withdraws them all"})


class MemberIn(Schema):
    user_id = IdField(required=True)
    member = fields.Boolean(load_default=True, metadata={"description": "false removes the user"})


class FileIn(Schema):
    object_type = fields.String(required=True, validate=validate.OneOf(list(departments.OBJECTS)))
    object_id = IdField(required=True)


class NarrowingIn(Schema):
    narrow = fields.Boolean(required=True, metadata={"description": "narrow members to their departments' share"})


class NarrowingOut(Schema):
    narrow = fields.Boolean()


@blp.get("")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(DepartmentOut, "DepartmentPage"))
def list_departments(args):
    """The organisation's departments, each with its parent and members."""
    return page_of(scoped(Department, current_principal()).order_by(Department.id), args, departments.view)


@blp.post("")
@blp.arguments(DepartmentIn)
@blp.response(201, DepartmentOut)
@require("manage_departments")
def create_department(data):
    """Add a department (under ``parent_id``, or at the top)."""
    return departments.view(departments.create(current_principal(), data))


@blp.patch("/<int:department_id>")
@blp.arguments(DepartmentPatch)
@blp.response(200, DepartmentOut)
@require("manage_departments")
def update_department(data, department_id):
    """Rename or move a department; moving it under itself or one below it is refused."""
    principal = current_principal()
    row = get_scoped_or_404(Department, department_id, principal)
    return departments.view(departments.update(principal, row, data))


@blp.post("/<int:department_id>/members")
@blp.arguments(MemberIn)
@blp.response(200, DepartmentOut)
@require("manage_departments")
def set_member(data, department_id):
    """Add (or with ``member: false`` remove) a user; a user may belong to several departments."""
    principal = current_principal()
    row = get_scoped_or_404(Department, department_id, principal)
    departments.set_member(principal, row, data["user_id"], data["member"])
    return departments.view(row)


@blp.put("/<int:department_id>/roles")
@blp.arguments(DepartmentRolesIn)
@blp.response(200, DepartmentOut)
@require("manage_users")
def set_roles(data, department_id):
    """Set the roles a user holds in this department (and those below it): they grant their permissions on the
    department's orders, loads and sites only. Not above the caller's own permissions (403 naming one)."""
    principal = current_principal()
    row = get_scoped_or_404(Department, department_id, principal)
    department_roles.set_roles(principal, row, data["user_id"], data["roles"])
    return departments.view(row)


@blp.post("/<int:department_id>/objects")
@blp.arguments(FileIn)
@blp.response(204)
@require("manage_departments")
def file_object(data, department_id):
    """File one of the caller's orders, loads (its own side) or sites into the department."""
    principal = current_principal()
    row = get_scoped_or_404(Department, department_id, principal)
    obj = get_scoped_or_404(departments.OBJECTS[data["object_type"]], data["object_id"], principal)
    departments.assign(principal, row, obj)


@blp.put("/narrowing")
@blp.arguments(NarrowingIn)
@blp.response(200, NarrowingOut)
@require("manage_departments")
def set_narrowing(data):
    """Turn department narrowing on or off for the organisation."""
    principal = current_principal()
    org = db.session.get(Organisation, principal.organisation_id)
    org.settings = {**(org.settings or {}), SETTING: data["narrow"]}
    record("department.narrowing_changed", "organisation", org.id, principal=principal,
           after={"narrow": data["narrow"]})
    db.session.commit()
    return {"narrow": data["narrow"]}
