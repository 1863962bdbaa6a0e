"""Disputes on bill lines: opened by the payer's approver citing evidence, commented by both, resolved by the carrier."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import fields, validate

from server import clock
from server.api.common import PageArgs, page_of, page_schema
from server.auth.principal import current_principal, require
from server.auth.scoping import get_scoped_or_404, scoped
from server.models import Dispute, FreightBill
from server.settlement import disputes
from server.settlement.schemas import CommentIn, DisputeIn, ResolveIn
from server.settlement.schemas_out import DisputeOut
from server.settlement.views import dispute_view

blp = Blueprint("freight_disputes", __name__, url_prefix="/api/v1",
                description="Disputes on freight bill lines, backed by the evidence chain")


class DisputeFilter(PageArgs):
    status = fields.String(validate=validate.OneOf(("open", "accepted", "adjusted", "rejected")))


@blp.post("/freight-bills/<int:bill_id>/disputes")
@blp.arguments(DisputeIn)
@blp.response(201, DisputeOut)
@require("view_finances")
def open_dispute(data, bill_id):
    """Dispute one line of an issued bill (``line_no`` is required), citing evidence items by ``seq``."""
    principal = current_principal()
    bill = get_scoped_or_404(FreightBill, bill_id, principal)
    return dispute_view(disputes.open_dispute(principal, bill, data, clock.now()))


@blp.get("/disputes")
@blp.arguments(DisputeFilter, location="query")
@blp.response(200, page_schema(DisputeOut, "DisputePage"))
@require("view_finances")
def list_disputes(args):
    principal = current_principal()
    query = scoped(Dispute, principal)
    if "status" in args:
        query = query.where(Dispute.status == args["status"])
    return page_of(query.order_by(Dispute.id.desc()), args, dispute_view)


@blp.get("/disputes/<int:dispute_id>")
@blp.response(200, DisputeOut)
@require("view_finances")
def get_dispute(dispute_id):
    return dispute_view(get_scoped_or_404(Dispute, dispute_id, current_principal()))


@blp.post("/disputes/<int:dispute_id>/comments")
@blp.arguments(CommentIn)
@blp.response(201, DisputeOut)
@require("view_finances")
def comment_dispute(data, dispute_id):
    """A comment from either side; the other party is told."""
    principal = current_principal()
    dispute = get_scoped_or_404(Dispute, dispute_id, principal)
    disputes.comment(principal, dispute, data["text"])
    return dispute_view(dispute)


@blp.post("/disputes/<int:dispute_id>/resolve")
@blp.arguments(ResolveIn)
@blp.response(200, DisputeOut)
@require("view_finances")
def resolve_dispute(data, dispute_id):
    """The carrier accepts (credit note for the difference), adjusts (credit note for ``amount``) or rejects."""
    principal = current_principal()
    dispute = get_scoped_or_404(Dispute, dispute_id, principal)
    return dispute_view(disputes.resolve(principal, dispute, data, clock.now()))
