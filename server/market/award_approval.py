"""An award above the seller's approval rule needs a second person before anything downstream happens.

While its chain is pending, the carrier cannot assign a truck and the buyer cannot authorize a
pickup (``awaiting_approval``). A rejection gives the load back: the award is cancelled (not scored
against the carrier: the seller's approver decided), the tender closed, and the load is a draft again.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import update

from server.approvals.chain import open_request, pending_for, rule_for, settles
from server.extensions import db
from server.market.refusals import MarketRefused
from server.models import ApprovalRequest, Award, Load, Tender

ACTION = "award"
OBJECT_TYPE = "award"


def hold_if_needed(award: Award, seller_org_id: int) -> None:
    """In the awarding transaction: open the seller's chain when the award's price crosses its rule."""
    crossing = rule_for(seller_org_id, ACTION, {"price": award.price})
    if crossing is not None:
        open_request(None, seller_org_id, crossing[0], crossing[1], OBJECT_TYPE, award.id, award.load_id)


def refuse_while_held(award: Award | None) -> None:
    """409 ``awaiting_approval`` while the award's chain is pending (or was rejected)."""
    if award is None:
        return
    request = pending_for(OBJECT_TYPE, award.id)
    if request is not None and request.status != "approved":
        raise MarketRefused("conflict", "awaiting_approval",
                            _("The award awaits the seller's approval; nothing proceeds until it is approved."))


@settles(OBJECT_TYPE)
def settle(request: ApprovalRequest, now: datetime) -> None:
    if request.status != "rejected":
        return
    award = db.session.get(Award, request.object_id)
    award.cancelled_at = award.cancelled_at or now
    db.session.execute(update(Load).where(Load.id == award.load_id, Load.carrier_org_id == award.carrier_org_id,
                                          Load.status == "awarded")
                       .values(status="draft", carrier_org_id=None, vehicle_id=None, driver_id=None, price=None)
                       .execution_options(synchronize_session=False))
    db.session.execute(update(Tender).where(Tender.id == award.tender_id, Tender.status == "awarded")
                       .values(status="cancelled", version=Tender.version + 1)
                       .execution_options(synchronize_session=False))
