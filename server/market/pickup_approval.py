"""A pickup authorization above the buyer's approval rule waits for its chain (``server.approvals``).

While it waits its ``approval_status`` is ``pending``: the load is not moved to ``authorized`` and the
gate refuses its token (``awaiting_approval``), though the driver may already carry the QR code. The
last approval moves the load to ``authorized`` and the same code works; a rejection withdraws it for good.
"""

from __future__ import annotations

from datetime import datetime

from server.approvals.chain import open_request, rule_for, settles
from server.auth.principal import Principal
from server.extensions import db
from server.models import ApprovalRequest, Load, PickupAuthorization
from server.stops import authorization as stop_authorization

ACTION = "authorize_pickup"
OBJECT_TYPE = "pickup_authorization"
# Where the buyer's approval-awaiting authorization may move the load once approved.
APPROVABLE = frozenset({"awarded", "assigned", "authorized"})


def measures(load: Load) -> dict[str, float | None]:
    """What a rule may weigh: the load's tonnage and its agreed freight price."""
    return {"tonnage": (load.weight_kg or 0) / 1000, "price": load.price}


def needed(load: Load, buyer_org_id: int | None = None):
    """The authorizing buyer's rule (the load's buyer unless given) this pickup crosses, with the value, or None."""
    return rule_for(buyer_org_id or load.buyer_org_id, ACTION, measures(load))


def request_approval(principal: Principal, row: PickupAuthorization, load: Load, rule, measured: float) -> None:
    open_request(principal, row.buyer_org_id, rule, measured, OBJECT_TYPE, row.id, load.id)


@settles(OBJECT_TYPE)
def settle(request: ApprovalRequest, _now: datetime) -> None:
    row = db.session.get(PickupAuthorization, request.object_id)
    row.approval_status = request.status
    load = db.session.get(Load, row.load_id)
    if (request.status == "approved" and row.revoked_at is None and load.status in APPROVABLE
            and not stop_authorization.awaiting(load)):  # a multi-drop load waits for every buyer
        load.status = "authorized"
