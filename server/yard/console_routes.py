"""The gate console's API: read a pickup pass at a site (scanned token or typed plate), check it in."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from server import clock
from server.auth.principal import current_principal, require
from server.market.pickup_token import MAX_TOKEN_CHARS
from server.yard.gate_console import check_in_pass, read_pass
from server.yard.gate_routes import VisitOut, visit_view
from server.yard.plant_routes import own_site
from server.yard.refusals import answer_refusals

blp = Blueprint("gate_console", __name__, url_prefix="/api/v1", description="The gate console of a site")
answer_refusals(blp)


class ScanIn(Schema):
    token = fields.String(load_default=None, validate=validate.Length(min=1, max=MAX_TOKEN_CHARS),
                          metadata={"description": "the token read from the driver's QR code"})
    plate = fields.String(load_default=None, validate=validate.Length(min=1, max=20),
                          metadata={"description": "or the plate typed at the gate"})

    @validates_schema
    def _one(self, data, **_kwargs):
        if data.get("token") is None and data.get("plate") is None:
            message = _("scan the QR code or type the plate")
            raise ValidationError({"token": [message], "plate": [message]})


class PassOut(Schema):
    valid = fields.Boolean()
    token = fields.String(metadata={"description": "the pass's token, for the check-in"})
    load_id = fields.Integer()
    reference = fields.String()
    weight_kg = fields.Float()
    pallets = fields.Float()
    equipment = fields.String()
    carrier_name = fields.String(allow_none=True)
    driver_id = fields.Integer(allow_none=True)
    driver_name = fields.String(allow_none=True)
    plate = fields.String(allow_none=True)
    expires_at = fields.DateTime(allow_none=True)
    visit_id = fields.Integer(allow_none=True)
    visit_status = fields.String(allow_none=True)


class GateCheckinIn(Schema):
    token = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TOKEN_CHARS))
    plate = fields.String(required=True, validate=validate.Length(min=1, max=20),
                          metadata={"description": "the plate seen on the truck"})


@blp.post("/sites/<int:site_id>/gate/scan")
@blp.arguments(ScanIn)
@blp.response(200, PassOut)
@require("check_in")
def post_scan(data, site_id):
    """What the buyer authorized for the truck at the gate; 403 with the `reason` (forged, expired, revoked,
    other_site, ...) when the pass does not hold here, logged as a `gate_refused` event."""
    return read_pass(current_principal(), own_site(site_id), clock.now(), data["token"], data["plate"])


@blp.post("/sites/<int:site_id>/gate/checkin")
@blp.arguments(GateCheckinIn)
@blp.response(200, VisitOut)
@require("check_in")
def post_gate_checkin(data, site_id):
    """Check the truck in (a second tap answers the same visit, never a second one)."""
    site = own_site(site_id)
    return visit_view(check_in_pass(current_principal(), site, data["token"], data["plate"], clock.now()))
