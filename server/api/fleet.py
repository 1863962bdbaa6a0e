"""A carrier's fleet: vehicle types, vehicles and drivers."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from server.api.common import IdField, PageArgs, page_of, page_schema
from server.api.sites import EQUIPMENT
from server.auth.principal import current_principal, require
from server.auth.scoping import get_scoped_or_404, scoped
from server.broker.live_devices import device_usernames
from server.broker.sessions import cut_off
from server.errors import ApiProblem
from server.extensions import db
from server.models import Driver, Vehicle, VehicleType

blp = Blueprint("fleet", __name__, url_prefix="/api/v1", description="Vehicle types, vehicles and drivers")

positive = validate.Range(min=0, min_inclusive=False, max=1e6)


class VehicleTypeIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    max_weight_kg = fields.Float(required=True, validate=positive)
    max_volume_m3 = fields.Float(required=True, validate=positive)
    pallet_positions = fields.Integer(required=True, validate=validate.Range(min=0, max=100))
    equipment = fields.List(fields.String(validate=validate.OneOf(EQUIPMENT)), load_default=list)
    fixed_cost = fields.Float(load_default=0.0, validate=validate.Range(min=0, max=1e7))
    cost_per_km = fields.Float(load_default=0.0, validate=validate.Range(min=0, max=1e4))


class VehicleTypeOut(VehicleTypeIn):
    id = fields.Integer()


class VehicleIn(Schema):
    vehicle_type_id = IdField(required=True)
    plate = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9 \-]{2,20}$"))
    hazmat_certified = fields.Boolean(load_default=False)
    active = fields.Boolean(load_default=True)
    # Where its planned routes end: "depot" (back home) or "open" (at the last delivery).
    route_end = fields.String(load_default="depot", validate=validate.OneOf(["depot", "open"]))


class VehicleOut(VehicleIn):
    id = fields.Integer()


class DriverIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    phone = fields.String(load_default="", validate=validate.Length(max=40))
    licence_no = fields.String(load_default="", validate=validate.Length(max=60))
    hazmat_certified = fields.Boolean(load_default=False)
    user_id = IdField(load_default=None, allow_none=True)
    active = fields.Boolean(load_default=True)


class DriverOut(DriverIn):
    id = fields.Integer()


def _crud(path: str, model, schema_in, schema_out, check=None, after_update=None):
    """Register list/create/get/patch for one owned fleet resource."""
    page = page_schema(schema_out)
    patch_schema = type(schema_in.__name__.replace("In", "Patch"), (schema_in,), {})
    name = model.__tablename__

    @blp.get(f"/{path}", endpoint=f"list_{name}")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page)
    def list_rows(args):
        return page_of(scoped(model, current_principal()).order_by(model.id), args, lambda r: r)

    @blp.post(f"/{path}", endpoint=f"create_{name}")
    @blp.arguments(schema_in)
    @blp.response(201, schema_out)
    @require("manage_fleet")
    def create_row(data):
        principal = current_principal()
        if check:
            check(data, principal)
        row = model(organisation_id=principal.organisation_id, **data)
        db.session.add(row)
        _commit_unique()
        return row

    @blp.get(f"/{path}/<int:row_id>", endpoint=f"get_{name}")
    @blp.response(200, schema_out)
    def get_row(row_id):
        return get_scoped_or_404(model, row_id, current_principal())

    @blp.patch(f"/{path}/<int:row_id>", endpoint=f"update_{name}")
    @blp.arguments(patch_schema(partial=True))
    @blp.response(200, schema_out)
    @require("manage_fleet")
    def update_row(data, row_id):
        principal = current_principal()
        row = get_scoped_or_404(model, row_id, principal)
        if check:
            check(data, principal)
        for key, value in data.items():
            setattr(row, key, value)
        _commit_unique()
        if after_update:
            after_update(row)
        return row

    for view, verb in ((list_rows, "List"), (create_row, "Create"), (get_row, "Get"), (update_row, "Update")):
        view.__doc__ = f"{verb} {name.replace('_', ' ')} of the caller's organisation."


def _commit_unique() -> None:
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise ApiProblem(409, _("This conflicts with an existing record (for example the same plate).")) from exc


def _check_vehicle(data: dict, principal) -> None:
    if "vehicle_type_id" in data:
        owned = db.session.scalar(scoped(VehicleType, principal).where(VehicleType.id == data["vehicle_type_id"]))
        if owned is None:
            raise ApiProblem(422, _("Some fields are invalid."),
                             [("vehicle_type_id", _("unknown vehicle type"))])


def _check_driver(data: dict, principal) -> None:
    from server.models import User

    if data.get("user_id") is not None:
        found = db.session.scalar(select(User.id).where(User.id == data["user_id"],
                                                        User.organisation_id == principal.organisation_id))
        if found is None:
            raise ApiProblem(422, _("Some fields are invalid."), [("user_id", _("unknown user"))])


_crud("vehicle-types", VehicleType, VehicleTypeIn, VehicleTypeOut)
def _cut_off_inactive_vehicle(vehicle: Vehicle) -> None:
    """A deactivated truck's devices lose the broker at once (their logins stay, for reactivation)."""
    if not vehicle.active:
        cut_off(current_app.config.get("BROKER_MANAGEMENT_URL", ""), device_usernames(db.session, vehicle.id))


_crud("vehicles", Vehicle, VehicleIn, VehicleOut, check=_check_vehicle, after_update=_cut_off_inactive_vehicle)
_crud("drivers", Driver, DriverIn, DriverOut, check=_check_driver)
