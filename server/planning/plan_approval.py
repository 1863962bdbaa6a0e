"""A load plan over the seller's truck-count rule waits for its chain (``server.approvals``) before its loads go out.

Committing such a plan creates its loads as ``awaiting_approval``: they exist (their order lines are
taken, so no other plan takes them meanwhile) but cannot be tendered. The last approval makes them
drafts, ready to tender; a rejection cancels them and puts the plan's orders back as they were before
the commit, so nothing of the plan stays half-committed (the plan itself cannot be committed again).
Held loads are not announced as built to their buyers (``load_built`` goes out with an unheld commit only).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from server.approvals.chain import open_request, rule_for, settles
from server.auth.principal import Principal
from server.extensions import db
from server.models import ApprovalRequest, Job, Load, Order

ACTION = "commit_load_plan"
OBJECT_TYPE = "load_plan"
AWAITING = "awaiting_approval"


def needed(organisation_id: int, trucks: int):
    """The seller's rule a plan of ``trucks`` loads crosses, with the measured value, or None."""
    return rule_for(organisation_id, ACTION, {"trucks": float(trucks)})


def orders_before(orders: list[Order]) -> dict[str, dict]:
    """What a rejection puts back: each order's planning status and left-out lines before the commit."""
    return {str(order.id): {"status": order.status, "unplaced": order.unplaced} for order in orders}


def hold(principal: Principal, job: Job, loads: list[Load], rule, measured: float) -> ApprovalRequest:
    """In the committing transaction: the plan's loads await approval and the seller's chain is opened."""
    for load in loads:
        load.status = AWAITING
    return open_request(principal, principal.organisation_id, rule, measured, OBJECT_TYPE, job.id, None)


@settles(OBJECT_TYPE)
def settle(request: ApprovalRequest, now: datetime) -> None:
    job = db.session.get(Job, request.object_id)
    load_ids = job.params.get("load_ids") or []
    if request.status == "approved":
        # Only the loads still waiting: one the seller cancelled meanwhile stays cancelled.
        db.session.execute(update(Load).where(Load.id.in_(load_ids), Load.status == AWAITING)
                           .values(status="draft").execution_options(synchronize_session=False))
        return
    db.session.execute(update(Load).where(Load.id.in_(load_ids), Load.status == AWAITING)
                       .values(status="cancelled").execution_options(synchronize_session=False))
    before = job.params.get("orders_before") or {}
    for order in db.session.scalars(select(Order).where(Order.id.in_([int(i) for i in before]))):
        order.status, order.unplaced = before[str(order.id)]["status"], before[str(order.id)]["unplaced"]
    job.params = {**job.params, "rejected_at": now.isoformat()}
