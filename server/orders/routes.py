"""Outbound orders: create (idempotent), list with filters, get and cancel."""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from server.access import departments
from server.api.common import IdField, PageArgs, page_of
from server.audit.trail import record
from server.auth.object_permissions import require_on
from server.auth.principal import current_principal, require
from server.auth.scoping import get_scoped_or_404, scoped
from server.db.types import utcnow
from server.errors import ApiProblem
from server.extensions import db
from server.models import Order
from server.orders import planning_state
from server.orders.intake import CANCELLABLE, create_order

blp = Blueprint("orders", __name__, url_prefix="/api/v1/orders", description="Outbound orders")

HAZMAT_CLASSES = ["1", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "2.1", "2.2", "2.3", "3", "4.1", "4.2",
                  "4.3", "5.1", "5.2", "6.1", "6.2", "7", "8", "9"]
STATUSES = ["received", "planned", "partly_planned", "unplanned", "tendered", "in_transit", "delivered", "cancelled"]
positive = validate.Range(min=0, min_inclusive=False, max=1e6)


class Window(Schema):
    earliest = fields.AwareDateTime(required=True)
    latest = fields.AwareDateTime(required=True)

    @validates_schema
    def _ordered(self, data, **_kwargs):
        if data["earliest"] > data["latest"]:
            raise ValidationError(_("must not be before earliest"), "latest")


class LineIn(Schema):
    sku = fields.String(required=True, validate=validate.Length(min=1, max=100))
    description = fields.String(load_default="", validate=validate.Length(max=500))
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=1_000_000))
    unit_weight_kg = fields.Float(required=True, validate=positive)
    unit_volume_m3 = fields.Float(required=True, validate=validate.Range(min=0, max=1e4))
    unit_pallets = fields.Float(load_default=0.0, validate=validate.Range(min=0, max=100))
    hazmat_class = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(HAZMAT_CLASSES))
    splittable = fields.Boolean(load_default=True)


class OrderIn(Schema):
    reference = fields.String(required=True, validate=validate.Length(min=1, max=100))
    buyer_id = IdField(required=True)
    pickup_site_id = IdField(required=True)
    delivery_site_id = IdField(required=True)
    pickup_window = fields.Nested(Window, required=True)
    delivery_window = fields.Nested(Window, required=True)
    notes = fields.String(load_default="", validate=validate.Length(max=2000))
    freight_payer = fields.String(load_default="seller", validate=validate.OneOf(("seller", "buyer")), metadata={
        "description": "who pays the freight: the seller when it delivers, the buyer when it collects with its own carrier"})
    lines = fields.List(fields.Nested(LineIn), required=True, validate=validate.Length(min=1, max=1000))
    department_id = IdField(allow_none=True, metadata={
        "description": "the seller's department the order belongs to; create_orders held in it (or above it) "
                       "is enough"})

    @validates_schema
    def _delivery_after_pickup(self, data, **_kwargs):
        if "pickup_window" in data and "delivery_window" in data:
            if data["delivery_window"]["latest"] < data["pickup_window"]["earliest"]:
                raise ValidationError(_("delivery cannot end before pickup starts"), "delivery_window")


class LineOut(LineIn):
    id = fields.Integer()
    line_no = fields.Integer()


class OrderOut(Schema):
    id = fields.Integer()
    reference = fields.String()
    status = fields.String()
    seller_id = fields.Integer(attribute="seller_org_id")
    buyer_id = fields.Integer(attribute="buyer_org_id")
    pickup_site_id = fields.Integer()
    delivery_site_id = fields.Integer()
    pickup_window = fields.Method("_pickup")
    delivery_window = fields.Method("_delivery")
    notes = fields.String()
    freight_payer = fields.String()
    created_at = fields.DateTime()
    cancelled_at = fields.DateTime(allow_none=True)
    lines = fields.List(fields.Nested(LineOut))
    unplaced = fields.Function(planning_state.unplaced_view, metadata={
        "description": "after a load plan: the units no load carries, per line, with reason_code and reason"})
    unplaced_quantity = fields.Function(planning_state.unplaced_quantity)

    def _pickup(self, order):
        return {"earliest": order.pickup_earliest.isoformat(), "latest": order.pickup_latest.isoformat()}

    def _delivery(self, order):
        return {"earliest": order.delivery_earliest.isoformat(), "latest": order.delivery_latest.isoformat()}


class OrderFilter(PageArgs):
    status = fields.String(validate=validate.OneOf(STATUSES))
    reference = fields.String(validate=validate.Length(max=100))
    created_after = fields.AwareDateTime()
    created_before = fields.AwareDateTime()
    role = fields.String(validate=validate.OneOf(["seller", "buyer"]),
                         metadata={"description": "only orders where the caller is this party"})


class OrderPage(Schema):
    items = fields.List(fields.Nested(OrderOut))
    total = fields.Integer()
    limit = fields.Integer()
    offset = fields.Integer()


@blp.post("")
@blp.arguments(OrderIn)
@blp.response(201, OrderOut)
@blp.alt_response(200, schema=OrderOut, description="The order first created with this Idempotency-Key")
@blp.doc(parameters=[{"in": "header", "name": "Idempotency-Key", "required": False,
                      "schema": {"type": "string", "maxLength": 200}}])
@require("create_orders", org_kinds=("seller",), by_department=True)
def post_order(data):
    """Create an outbound order. A retry with the same Idempotency-Key returns the first order."""
    key = request.headers.get("Idempotency-Key")
    if key is not None and not (1 <= len(key) <= 200):
        raise ApiProblem(400, _("Idempotency-Key must be 1 to 200 characters."))
    principal = current_principal()
    require_on(principal, "create_orders", departments.own(principal, data.get("department_id"), "department_id"))
    order, created = create_order(principal, data, key)
    if not created:
        return order, 200, {"Idempotent-Replayed": "true"}
    return order


@blp.get("")
@blp.arguments(OrderFilter, location="query")
@blp.response(200, OrderPage)
def list_orders(args):
    """Orders the caller is a party to, newest first, filtered and paginated."""
    principal = current_principal()
    query = scoped(Order, principal).order_by(Order.id.desc())
    if "status" in args:
        query = query.where(Order.status == args["status"])
    if "reference" in args:
        query = query.where(Order.reference == args["reference"])
    if "created_after" in args:
        query = query.where(Order.created_at >= args["created_after"])
    if "created_before" in args:
        query = query.where(Order.created_at < args["created_before"])
    if args.get("role") == "seller":
        query = query.where(Order.seller_org_id == principal.organisation_id)
    elif args.get("role") == "buyer":
        query = query.where(Order.buyer_org_id == principal.organisation_id)
    return page_of(query, args, lambda o: o)


@blp.get("/<int:order_id>")
@blp.response(200, OrderOut)
def get_order(order_id):
    """One order with its lines."""
    return get_scoped_or_404(Order, order_id, current_principal())


@blp.post("/<int:order_id>/cancel")
@blp.response(200, OrderOut)
@require("create_orders", org_kinds=("seller",))
def cancel_order(order_id):
    """Cancel an order that has not been tendered yet."""
    principal = current_principal()
    order = get_scoped_or_404(Order, order_id, principal)
    if order.seller_org_id != principal.organisation_id:
        raise ApiProblem(403, _("Only the seller can cancel its order."))
    if order.status == "cancelled":
        return order
    if order.status not in CANCELLABLE:
        raise ApiProblem(409, _("An order that is %(status)s cannot be cancelled.", status=order.status))
    order.status = "cancelled"
    order.cancelled_at = utcnow()
    record("order.cancelled", "order", order.id, principal=principal, counterparty_org_id=order.buyer_org_id)
    db.session.commit()
    return order
