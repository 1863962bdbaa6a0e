"""Pickup authorizations: the buyer issues and revokes them, drivers show them as QR codes,
and the seller's gate verifies them."""

from __future__ import annotations

from flask import Response, current_app
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from server import clock
from server.api.common import IdField, PageArgs, page_of, page_schema
from server.approvals.chain import pending_for
from server.auth.object_permissions import require_on
from server.auth.principal import current_principal, require
from server.auth.scoping import get_scoped_or_404, scoped
from server.errors import ApiProblem
from server.market.pickup import MAX_VALID_HOURS, check_at_gate, issue, qr, reissue, revoke, token_for
from server.market.pickup_approval import OBJECT_TYPE
from server.market.pickup_caption import pickup_caption
from server.market.pickup_token import MAX_TOKEN_CHARS
from server.market.schemas import answer_refusals
from server.models import Load, PickupAuthorization
from server.notify.publish import publish_event

blp = Blueprint("pickup_auth", __name__, url_prefix="/api/v1", description="Pickup authorizations")
answer_refusals(blp)


class AuthorizationIn(Schema):
    carrier_id = IdField(load_default=None, allow_none=True,
                         metadata={"description": "must be the awarded carrier (the default)"})
    driver_id = IdField(load_default=None, allow_none=True, metadata={"description": "default: the assigned driver"})
    plate = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^[A-Za-z0-9 \-]{2,20}$"),
                          metadata={"description": "default: the assigned truck's plate"})
    valid_hours = fields.Float(load_default=24.0, allow_nan=False,
                               validate=validate.Range(min=0.1, max=MAX_VALID_HOURS))


class AuthorizationOut(Schema):
    id = fields.Integer()
    load_id = fields.Integer()
    buyer_id = fields.Integer(attribute="buyer_org_id")
    carrier_id = fields.Integer(attribute="carrier_org_id")
    driver_id = fields.Integer(allow_none=True)
    plate = fields.String()
    expires_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    approval_status = fields.String(allow_none=True, metadata={
        "description": "null (no approval needed), pending (awaiting approval: the gate refuses the token "
                       "until approved), approved or rejected (no token)"})
    approval_id = fields.Integer(allow_none=True, metadata={"description": "the approval request, if one was needed"})
    token = fields.String(allow_none=True, metadata={"description": "the signed token; buyer and carrier only"})
    qr_svg_url = fields.String(allow_none=True)
    qr_png_url = fields.String(allow_none=True)
    caption = fields.String(metadata={"description": "the words under the QR: 'Pickup at Plant X, 7 Dec 09:37 CET, "
                                                     "truck HX-123' (the slot, else the window, on the site's clock)"})


class VerifyIn(Schema):
    token = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TOKEN_CHARS))
    load_id = IdField(load_default=None, allow_none=True)
    plate = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=20),
                          metadata={"description": "the plate seen at the gate (this or driver_id is required)"})
    driver_id = IdField(load_default=None, allow_none=True,
                        metadata={"description": "the driver seen at the gate (this or plate is required)"})

    @validates_schema
    def _something_presented(self, data, **_kwargs):
        if data.get("plate") is None and data.get("driver_id") is None:
            message = "give the plate or the driver seen at the gate: the token alone proves nothing about the truck"
            raise ValidationError({"plate": [message], "driver_id": [message]})


class VerdictOut(Schema):
    valid = fields.Boolean()
    reason = fields.String(allow_none=True, metadata={"description": "forged, expired, revoked, awaiting_approval, "
                                                      "approval_rejected, awaiting_authorization (a multi-drop load waits for "
                                                      "another buyer's), unknown, not_party, "
                                                      "wrong_load, wrong_plate, wrong_driver, carrier_not_awarded, "
                                                      "load_not_ready, malformed"})
    detail = fields.String()
    authorization_id = fields.Integer(allow_none=True)
    load_id = fields.Integer(allow_none=True)
    carrier_id = fields.Integer(allow_none=True)
    driver_id = fields.Integer(allow_none=True)
    plate = fields.String(allow_none=True)
    expires_at = fields.DateTime(allow_none=True)


def _holds_token(row: PickupAuthorization, principal) -> bool:
    return principal.organisation_id in (row.buyer_org_id, row.carrier_org_id)


def _out(row: PickupAuthorization, principal) -> dict:
    out = {name: getattr(row, name) for name in ("id", "load_id", "buyer_org_id", "carrier_org_id", "driver_id",
                                                 "plate", "expires_at", "revoked_at", "created_at",
                                                 "approval_status")}
    request = pending_for(OBJECT_TYPE, row.id) if row.approval_status else None
    out["approval_id"] = request.id if request is not None and request.organisation_id == principal.organisation_id \
        else None
    # While approval is pending the driver may already hold the QR code (the gate refuses it until the
    # chain approves, then the same code works); a rejected one is withdrawn like a revoked one.
    usable = row.revoked_at is None and row.approval_status != "rejected"
    holds = _holds_token(row, principal) and usable
    base = f"/api/v1/pickup-authorizations/{row.id}"
    out.update(token=token_for(row, current_app.config["SECRET_KEY"]) if holds else None,
               qr_svg_url=f"{base}/qr.svg" if holds else None, qr_png_url=f"{base}/qr.png" if holds else None,
               caption=pickup_caption(row))
    return out


@blp.post("/loads/<int:load_id>/pickup-authorizations")
@blp.arguments(AuthorizationIn)
@blp.response(201, AuthorizationOut)
@require("authorize_pickups", org_kinds=("buyer",), by_department=True)
def post_authorization(data, load_id):
    """The buyer authorizes the awarded carrier, a driver and a plate; replaces any earlier one."""
    principal = current_principal()
    load = get_scoped_or_404(Load, load_id, principal)
    require_on(principal, "authorize_pickups", load)
    row = issue(principal, load, data, clock.now())
    out = _out(row, principal)
    if row.approval_status == "pending":
        publish_event("approval_requested", organisation_ids=[principal.organisation_id], load_id=load_id,
                      data={"approval_id": out["approval_id"], "object_type": OBJECT_TYPE, "object_id": row.id})
    return out


@blp.get("/pickup-authorizations")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(AuthorizationOut, "AuthorizationPage"))
def list_authorizations(args):
    """Authorizations for loads the caller is party to."""
    principal = current_principal()
    query = scoped(PickupAuthorization, principal).order_by(PickupAuthorization.id.desc())
    return page_of(query, args, lambda row: _out(row, principal))


@blp.get("/pickup-authorizations/<int:authorization_id>")
@blp.response(200, AuthorizationOut)
def get_authorization(authorization_id):
    """One authorization; the buyer and carrier also get its token and QR links."""
    principal = current_principal()
    return _out(get_scoped_or_404(PickupAuthorization, authorization_id, principal), principal)


def _qr(authorization_id: int, kind: str, mimetype: str) -> Response:
    principal = current_principal()
    row = get_scoped_or_404(PickupAuthorization, authorization_id, principal)
    if not _holds_token(row, principal):
        raise ApiProblem(403, _("Only the buyer and the carrier hold the pickup token."))
    if row.revoked_at is not None:
        raise ApiProblem(409, _("This authorization was revoked."), reason="revoked")
    if row.approval_status == "rejected":
        raise ApiProblem(409, _("This authorization was rejected by the approver."),
                         reason="approval_rejected")
    body = qr(token_for(row, current_app.config["SECRET_KEY"]), kind)
    return Response(body, mimetype=mimetype, headers={"Cache-Control": "private, no-store"})


@blp.get("/pickup-authorizations/<int:authorization_id>/qr.svg")
@blp.response(200, content_type="image/svg+xml", description="The token as an SVG QR code")
def get_qr_svg(authorization_id):
    """The token as an SVG QR code, for the driver app."""
    return _qr(authorization_id, "svg", "image/svg+xml")


@blp.get("/pickup-authorizations/<int:authorization_id>/qr.png")
@blp.response(200, content_type="image/png", description="The token as a PNG QR code")
def get_qr_png(authorization_id):
    """The token as a PNG QR code, for printing."""
    return _qr(authorization_id, "png", "image/png")


@blp.post("/pickup-authorizations/<int:authorization_id>/revoke")
@blp.response(200, AuthorizationOut)
@require("authorize_pickups", org_kinds=("buyer",), by_department=True)
def post_revoke(authorization_id):
    """The buyer revokes an authorization; the gate refuses its token from now on."""
    principal = current_principal()
    row = get_scoped_or_404(PickupAuthorization, authorization_id, principal)
    require_on(principal, "authorize_pickups", row)
    return _out(revoke(principal, row, clock.now()), principal)


@blp.post("/pickup-authorizations/<int:authorization_id>/reissue")
@blp.response(201, AuthorizationOut)
@require("authorize_pickups", org_kinds=("buyer",), by_department=True)
def post_reissue(authorization_id):
    """The buyer re-authorizes in one step: the same validity, for the truck and driver assigned now
    (after the carrier changed them, which withdrew this one); replaces any live authorization."""
    principal = current_principal()
    row = get_scoped_or_404(PickupAuthorization, authorization_id, principal)
    require_on(principal, "authorize_pickups", row)
    return _out(reissue(principal, row, clock.now()), principal)


@blp.post("/pickup-authorizations/verify")
@blp.arguments(VerifyIn)
@blp.response(200, VerdictOut)
def post_verify(data):
    """The gate checks a scanned token against the plate and/or driver it sees (and optionally the load):
    valid, or refused with the reason (wrong_plate, wrong_driver, ...)."""
    principal = current_principal()
    verdict = check_at_gate(principal, data["token"], clock.now(), current_app.config["SECRET_KEY"],
                            load_id=data["load_id"], plate=data["plate"], driver_id=data["driver_id"])
    return verdict.as_dict()
