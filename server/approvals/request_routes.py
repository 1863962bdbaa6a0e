"""Approval requests: what waits, its history, and the approvers' decisions (``/approvals``)."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from server import clock
from server.api.common import PageArgs, page_of, page_schema
from server.approvals.chain import decide
from server.auth.principal import current_principal
from server.auth.scoping import get_scoped_or_404, scoped
from server.extensions import db
from server.models import ApprovalDecision, ApprovalRequest, ApprovalRule
from server.notify.publish import publish_event

blp = Blueprint("approvals", __name__, url_prefix="/api/v1/approvals", description="Approval requests")


class ApprovalArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(["pending", "approved", "rejected"]))


class DecisionIn(Schema):
    comment = fields.String(load_default="", validate=validate.Length(max=500))


class DecisionOut(Schema):
    level = fields.Integer()
    user_id = fields.Integer()
    on_behalf_of_user_id = fields.Integer(allow_none=True)
    decision = fields.String()
    comment = fields.String()
    at = fields.DateTime(attribute="created_at")


class ApprovalOut(Schema):
    id = fields.Integer()
    object_type = fields.String(metadata={"description": "pickup_authorization, award or load_plan"})
    object_id = fields.Integer()
    load_id = fields.Integer(allow_none=True)
    rule_id = fields.Integer()
    rule_name = fields.String()
    measured = fields.Float()
    status = fields.String(metadata={"description": "pending (awaiting approval), approved or rejected"})
    level = fields.Integer(metadata={"description": "the level deciding now (0-based)"})
    levels = fields.List(fields.Dict())
    requested_by_user_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)
    reminded_at = fields.DateTime(allow_none=True)
    history = fields.List(fields.Nested(DecisionOut))


def views(rows: list[ApprovalRequest]) -> list[dict]:
    """Requests with their rule's name and history: two queries for a whole page, not two per row."""
    if not rows:
        return []
    names = dict(db.session.execute(select(ApprovalRule.id, ApprovalRule.name).where(
        ApprovalRule.id.in_({row.rule_id for row in rows}))).all())
    history: dict[int, list[ApprovalDecision]] = {row.id: [] for row in rows}
    for decision in db.session.scalars(select(ApprovalDecision).where(ApprovalDecision.request_id.in_(history))
                                       .order_by(ApprovalDecision.id)):
        history[decision.request_id].append(decision)
    fields_out = [name for name in ApprovalOut().fields if name not in ("rule_name", "history")]
    return [{**{name: getattr(row, name) for name in fields_out}, "rule_name": names.get(row.rule_id),
             "history": history[row.id]} for row in rows]


def view(row: ApprovalRequest) -> dict:
    return views([row])[0]


@blp.get("")
@blp.arguments(ApprovalArgs, location="query")
@blp.response(200, page_schema(ApprovalOut, "ApprovalPage"))
def list_approvals(args):
    """The organisation's approval requests, newest first (``status=pending``: what awaits approval)."""
    query = scoped(ApprovalRequest, current_principal()).order_by(ApprovalRequest.id.desc())
    if args.get("status"):
        query = query.where(ApprovalRequest.status == args["status"])
    page = page_of(query, args, lambda row: row)
    page["items"] = views(page["items"])
    return page


@blp.get("/<int:approval_id>")
@blp.response(200, ApprovalOut)
def get_approval(approval_id):
    """One request with its history of decisions."""
    return view(get_scoped_or_404(ApprovalRequest, approval_id, current_principal()))


def _decide(approval_id: int, decision: str, comment: str) -> dict:
    principal = current_principal()
    row = decide(principal, get_scoped_or_404(ApprovalRequest, approval_id, principal), decision, comment, clock.now())
    db.session.commit()
    if row.status != "pending":
        publish_event("approval_decided", organisation_ids=[row.organisation_id], load_id=row.load_id,
                      data={"approval_id": row.id, "object_type": row.object_type, "object_id": row.object_id,
                            "status": row.status})
    return view(row)


@blp.post("/<int:approval_id>/approve")
@blp.arguments(DecisionIn)
@blp.response(200, ApprovalOut)
def approve(data, approval_id):
    """Approve the current level (403: the requester, someone who decided another level, or not an approver)."""
    return _decide(approval_id, "approve", data["comment"])


@blp.post("/<int:approval_id>/reject")
@blp.arguments(DecisionIn)
@blp.response(200, ApprovalOut)
def reject(data, approval_id):
    """Reject the request: the object stays refused (a new one must be asked for)."""
    return _decide(approval_id, "reject", data["comment"])
