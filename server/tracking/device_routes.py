"""Device pairing: a dispatcher shows a QR code, the driver's phone scans it and is signed in.

* ``POST /devices/pairings`` (carrier admin or dispatcher): a single-use code for one of the
  organisation's drivers, optionally bound to a truck, with the pairing link and its QR code;
* ``GET /devices/pairings``: the organisation's pairings and what became of them (never codes);
* ``DELETE /devices/pairings/{id}``: withdraw a pending code, or unpair a phone (its token and
  device login are revoked);
* ``POST /devices/pair`` (no login): the phone trades the code for its bearer token and, with a
  truck, its device credential and MQTT settings. Unknown codes are 404, used ones 409, expired
  or withdrawn ones 410, and too many wrong codes from one address 429, each with a ``reason``.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from server.api.common import IdField, PageArgs, page_of
from server.auth.principal import current_principal, require
from server.auth.scoping import get_scoped_or_404, scoped
from server.models import DevicePairing
from server.tracking import pairing

blp = Blueprint("devices", __name__, url_prefix="/api/v1/devices", description="Pairing driver devices")



class PairingIn(Schema):
    driver_id = IdField(required=True)
    vehicle_id = IdField(load_default=None, allow_none=True)
    ttl_minutes = fields.Integer(load_default=int(pairing.DEFAULT_TTL.total_seconds() // 60),
                                 validate=validate.Range(min=1, max=60))


class PairingOut(Schema):
    id = fields.Integer()
    driver_id = fields.Integer()
    vehicle_id = fields.Integer(allow_none=True)
    status = fields.String(metadata={"description": "pending, paired, cancelled or expired"})
    expires_at = fields.DateTime()
    paired_at = fields.DateTime(allow_none=True)
    device_name = fields.String(allow_none=True)
    created_at = fields.DateTime()


class NewPairingOut(PairingOut):
    code = fields.String(metadata={"description": "shown once; only its HMAC is stored"})
    pair_url = fields.String(metadata={"description": "what the QR code holds: the server and the code"})
    qr_svg = fields.String(metadata={"description": "pair_url as an SVG QR code"})


class PairingPage(Schema):
    items = fields.List(fields.Nested(PairingOut))
    total = fields.Integer()
    limit = fields.Integer()
    offset = fields.Integer()


class PairIn(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    device_name = fields.String(load_default="phone", validate=validate.Length(min=1, max=100))


class PairedDriver(Schema):
    id = fields.Integer()
    name = fields.String()
    user_id = fields.Integer(allow_none=True)


class PairedVehicle(Schema):
    id = fields.Integer()
    plate = fields.String()


class PairOut(Schema):
    token = fields.String(metadata={"description": "the phone's bearer token (role driver)"})
    expires_at = fields.DateTime()
    organisation_id = fields.Integer()
    driver = fields.Nested(PairedDriver)
    vehicle = fields.Nested(PairedVehicle, allow_none=True)
    device = fields.Dict(allow_none=True, metadata={"description": "the device credential, secret shown once"})
    mqtt = fields.Dict(allow_none=True, metadata={
        "description": "url, protocol (5 or 3.1.1), username, password, vehicle_id, driver_id, topics; null "
                       "without a truck or without HAUL_DEVICE_MQTT_URL"})


@blp.post("/pairings")
@blp.arguments(PairingIn)
@blp.response(201, NewPairingOut)
@require("manage_devices", org_kinds=("carrier",))
def create_pairing(data):
    """Make a single-use pairing code for one of the organisation's drivers (and optionally a truck)."""
    server_url = current_app.config.get("PUBLIC_URL") or request.url_root
    made = pairing.create(current_principal(), data["driver_id"], data["vehicle_id"],
                          timedelta(minutes=data["ttl_minutes"]), server_url)
    return {**pairing.dump(made.row), "code": made.code, "pair_url": made.pair_url, "qr_svg": made.qr_svg}


@blp.get("/pairings")
@blp.arguments(PageArgs, location="query")
@blp.response(200, PairingPage)
@require("manage_devices", org_kinds=("carrier",))
def list_pairings(args):
    """The organisation's pairings, newest first (never their codes)."""
    query = scoped(DevicePairing, current_principal()).order_by(DevicePairing.id.desc())
    return page_of(query, args, pairing.dump)


@blp.delete("/pairings/<int:pairing_id>")
@blp.response(204)
@require("manage_devices", org_kinds=("carrier",))
def delete_pairing(pairing_id):
    """Withdraw a pending code, or unpair the phone that used it (its token and device login are revoked)."""
    pairing.unpair(get_scoped_or_404(DevicePairing, pairing_id, current_principal()))


@blp.post("/pair")
@blp.arguments(PairIn)
@blp.response(200, PairOut)
@blp.alt_response(404, description="reason unknown_code: no such code")
@blp.alt_response(409, description="reason used: the code was used before")
@blp.alt_response(410, description="reason expired or cancelled: the code no longer works")
@blp.alt_response(429, description="reason too_many_attempts: too many wrong codes from this address")
@blp.doc(security=[])
def pair(data):
    """Trade a pairing code for the phone's credentials; no login. Refusals are problems with a ``reason``."""
    return pairing.redeem(data["code"], data["device_name"].strip() or "phone", request.remote_addr or "")
